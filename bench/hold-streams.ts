import { type Agent, request } from 'node:http';
import type { Endpoint, StreamShape } from './bench-types.js';
import { prepareRequest } from './wire-formats.js';

/** A stream held open by the bench: `started` once its first bytes arrived, `ended` once it is over either way. */
export interface HeldStream {
  started: Promise<void>;
  ended: Promise<void>;
  cut(): void;
}

/**
 * Opens one paced stream and only drains it (no token counting): for measuring what open streams hold in the
 * gateway, from a process that is not the load client. A failed stream counts as ended and never as started.
 */
export function holdStream(agent: Agent, endpoint: Endpoint, shape: StreamShape, streamId: string): HeldStream {
  const prepared = prepareRequest(endpoint, shape, streamId);
  const url = new URL(endpoint.origin);
  let markStarted: () => void = () => {};
  let markEnded: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const ended = new Promise<void>((resolve) => {
    markEnded = resolve;
  });
  const client = request(
    { agent, host: url.hostname, port: url.port, method: 'POST', path: prepared.path, headers: prepared.headers },
    (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return markEnded();
      }
      response.once('data', markStarted);
      response.on('close', markEnded);
      response.resume();
    },
  );
  client.on('error', markEnded);
  client.on('close', markEnded);
  client.end(prepared.body);
  return { started, ended, cut: () => client.destroy() };
}
