import { readFileSync } from 'node:fs';
import { afterEach, expect } from 'vitest';
import type {
  MalformedEventInfo,
  Provider,
  ProviderAdapter,
  ProviderCallOptions,
  ProviderConfig,
} from '../../src/core/providers/provider.js';
import { createHttpProvider } from '../../src/core/providers/shared/create-http-provider.js';
import type { StreamPart } from '../../src/core/types/stream-part.js';
import {
  allWritePatterns,
  type ReplayResponse,
  type ReplayServer,
  startReplayServer,
  type WritePattern,
} from './replay-server.js';

/** What differs between the provider tests of one folder: the key they configure. */
export interface ProviderHarnessOptions {
  apiKey: string;
}

/** A replay server and the real provider (adapter + `createHttpProvider`) pointed at it. */
export interface ServedProvider {
  server: ReplayServer;
  provider: Provider;
}

/** Config that one test changes from the harness defaults (`{ apiKey: undefined }` for no key). */
export type ProviderOverrides = Partial<Omit<ProviderConfig, 'name' | 'type'>>;

/**
 * The setup every provider test shares: a replay server answering with recorded bytes and the real provider path in
 * front of it, named after the adapter's type, at the path of the adapter's default base URL (`/v1` for OpenAI).
 * Call at the top of a test file; every server it starts is closed after each test.
 */
export function createProviderHarness(adapter: ProviderAdapter, options: ProviderHarnessOptions) {
  const basePath = adapter.defaultBaseUrl ? new URL(adapter.defaultBaseUrl).pathname.replace(/\/+$/, '') : '';
  const servers: ReplayServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return {
    /** Starts a replay server with `response` and returns it with a provider pointed at it. */
    async serve(response: ReplayResponse, overrides: ProviderOverrides = {}): Promise<ServedProvider> {
      const server = await startReplayServer(response);
      servers.push(server);
      const provider = createHttpProvider(adapter, {
        name: adapter.type,
        type: adapter.type,
        baseUrl: `${server.url}${basePath}`,
        apiKey: options.apiKey,
        ...overrides,
      });
      return { server, provider };
    },
  };
}

/** What one stream gave: its parts, the error it ended with (opening or reading), the malformed events skipped. */
export interface CollectedStream {
  parts: StreamPart[];
  error: unknown;
  malformed: MalformedEventInfo[];
}

/** Streams through `provider` to the end, collecting parts, malformed events and the error instead of throwing. */
export async function collectStream(
  provider: Provider,
  options: Omit<ProviderCallOptions, 'onMalformedEvent'>,
): Promise<CollectedStream> {
  const malformed: MalformedEventInfo[] = [];
  const parts: StreamPart[] = [];
  let error: unknown;
  try {
    const stream = await provider.stream({ ...options, onMalformedEvent: (info) => malformed.push(info) });
    for await (const part of stream.parts) parts.push(part);
  } catch (caught) {
    error = caught;
  }
  return { parts, error, malformed };
}

/** Streams through `provider` and discards the parts (tests of the request sent); an error is thrown. */
export async function drainStream(provider: Provider, options: ProviderCallOptions): Promise<void> {
  const stream = await provider.stream(options);
  for await (const _part of stream.parts) {
    // drain
  }
}

/** What `promise` rejected with, or undefined when it resolved. */
export function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

/** Reads recorded bytes from the `fixtures/` folder beside the test: `createFixtureReader(import.meta.url)`. */
export function createFixtureReader(testUrl: string): (name: string) => string {
  return (name) => readFileSync(new URL(`./fixtures/${name}`, testUrl), 'utf8');
}

/** How results of different write patterns are compared: errors by a description, parts after normalizing. */
export interface SameInEveryPatternOptions {
  describeError(error: unknown): unknown;
  /** Makes run-dependent values (generated ids) comparable; the returned result carries the normalized parts. */
  normalizeParts?(parts: StreamPart[]): StreamPart[];
}

/**
 * Replays one recorded stream in every write pattern ({@link allWritePatterns}) and expects the same parts, the same
 * error and as many malformed events from each; returns the first result.
 */
export async function replayInEveryPattern(
  replay: (writes: WritePattern) => Promise<CollectedStream>,
  options: SameInEveryPatternOptions,
): Promise<CollectedStream> {
  const normalize = options.normalizeParts ?? ((parts: StreamPart[]) => parts);
  const results: CollectedStream[] = [];
  for (const writes of allWritePatterns) results.push(await replay(writes));
  const first = { ...results[0], parts: normalize(results[0].parts) };
  for (const other of results.slice(1)) {
    expect(normalize(other.parts)).toEqual(first.parts);
    expect(options.describeError(other.error)).toEqual(options.describeError(first.error));
    expect(other.malformed.length).toBe(first.malformed.length);
  }
  return first;
}
