import { type Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Endpoint, StreamShape } from './bench-types.js';
import { measureClockBias } from './clock-bias.js';
import { createTokenLineTest, prepareRequest } from './wire-formats.js';

/** What one streamed request measured. Times are `performance.now()` milliseconds. */
export interface StreamOutcome {
  error?: string;
  startedAt: number;
  firstTokenAt?: number;
  lastTokenAt?: number;
  tokens: number;
  /** System-clock epoch ms (high resolution, see measureClockBias) when the client cut the stream (abort runs). */
  abortedAt?: number;
}

export interface StreamRequestOptions {
  agent: Agent;
  endpoint: Endpoint;
  shape: StreamShape;
  streamId?: string;
  /** Called with each gap between consecutive tokens (0 for tokens that arrived in the same read). */
  onGap?: (gapMs: number, at: number) => void;
  /** Destroy the socket after this many tokens (an impatient client). */
  abortAfterTokens?: number;
}

const clockBias = measureClockBias();

const lineTests = new Map<string, (line: string) => boolean>();

/**
 * One streamed request over a raw `node:http` keep-alive socket, timed with `performance.now()` per read: the
 * client counts token lines by substring and never parses JSON, so it stays cheaper than what it measures.
 */
export function streamRequest(options: StreamRequestOptions): Promise<StreamOutcome> {
  const { endpoint } = options;
  let isTokenLine = lineTests.get(endpoint.format);
  if (isTokenLine === undefined) {
    isTokenLine = createTokenLineTest(endpoint.format);
    lineTests.set(endpoint.format, isTokenLine);
  }
  const test = isTokenLine;
  const prepared = prepareRequest(endpoint, options.shape, options.streamId);
  const url = new URL(endpoint.origin);
  return new Promise((resolve) => {
    const outcome: StreamOutcome = { startedAt: performance.now(), tokens: 0 };
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && outcome.abortedAt === undefined) outcome.error = error;
      resolve(outcome);
    };
    const client = request(
      {
        agent: options.agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: prepared.path,
        headers: prepared.headers,
      },
      (response) => {
        if (response.statusCode !== 200) {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (text: string) => {
            if (body.length < 500) body += text;
          });
          response.on('end', () => finish(`HTTP ${response.statusCode}: ${body.slice(0, 300)}`));
          response.on('error', (error) => finish(error.message));
          return;
        }
        let carry = '';
        response.on('data', (chunk: Buffer) => {
          const now = performance.now();
          const text = carry.length > 0 ? carry + chunk.toString('latin1') : chunk.toString('latin1');
          let start = 0;
          for (;;) {
            const newline = text.indexOf('\n', start);
            if (newline < 0) break;
            if (newline - start > 8 && test(text.slice(start, newline))) {
              if (outcome.firstTokenAt === undefined) outcome.firstTokenAt = now;
              else options.onGap?.(now - outcome.lastTokenAt!, now);
              outcome.lastTokenAt = now;
              outcome.tokens++;
              if (options.abortAfterTokens !== undefined && outcome.tokens >= options.abortAfterTokens) {
                outcome.abortedAt = performance.timeOrigin + performance.now() - clockBias;
                client.destroy();
                finish();
                return;
              }
            }
            start = newline + 1;
          }
          carry = start < text.length ? text.slice(start) : '';
        });
        response.on('end', () => finish(outcome.tokens === 0 ? 'stream ended without a token' : undefined));
        response.on('error', (error) => finish(error.message));
        // After a normal `end` this is a no-op; before it, the stream was cut.
        response.on('close', () => finish('stream closed before its end'));
      },
    );
    client.on('error', (error) => finish(error.message));
    client.end(prepared.body);
  });
}
