import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { ChatCompletionStream } from '../../src/core/router/chat-completion-stream.js';
import type { RouterConfigInput } from '../../src/core/router/config-schema.js';
import type { Router } from '../../src/core/router/create-router.js';
import type { RouterEvent } from '../../src/core/router/router-events.js';
import type { ChatCompletionChunk } from '../../src/core/types/chat-chunk.js';
import type { SimulatorHandle } from '../../src/simulator/start-simulator.js';

/** One provider per protocol, all pointing at the simulator (any model name works there). */
export function simulatorProviders(simulator: SimulatorHandle): NonNullable<RouterConfigInput['providers']> {
  return {
    a: { type: 'openai', base_url: `${simulator.url}/v1`, api_key: 'sim' },
    b: { type: 'anthropic', base_url: simulator.url, api_key: 'sim' },
    c: { type: 'google', base_url: simulator.url, api_key: 'sim' },
  };
}

export const question = (text = 'How do circuit breakers keep streams alive?') => [
  { role: 'user' as const, content: text },
];

export interface Collected {
  text: string;
  chunks: ChatCompletionChunk[];
  error?: unknown;
}

/** Reads a stream to its end (or error) and joins its text. */
export async function collect(stream: ChatCompletionStream): Promise<Collected> {
  const chunks: ChatCompletionChunk[] = [];
  let text = '';
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
  } catch (error) {
    return { text, chunks, error };
  }
  return { text, chunks };
}

/** Every router event, for assertions. */
export function recordEvents(router: Router): RouterEvent[] {
  const events: RouterEvent[] = [];
  router.on('*', (event) => events.push(event));
  return events;
}

export const ofType = <T extends RouterEvent['type']>(events: RouterEvent[], type: T) =>
  events.filter((event): event is Extract<RouterEvent, { type: T }> => event.type === type);

/** A listener that accepts connections and never answers: the connect timeout's upstream. */
export async function startBlackhole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Polls until `check` holds (real time, short): for effects another socket reports a moment later. */
export async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
