import { createServer, request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, listenOnLoopback } from '../../test/support/listen-server.js';
import { CancelledError } from '../core/errors/request-errors.js';
import { createRequestContext, type OwnedRequestContext } from './create-request-context.js';
import type { GatewaySettings } from './request-context.js';

const gateway = { secrets: [] } as unknown as GatewaySettings;
const servers: ReturnType<typeof createServer>[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

/** A real request whose client goes away before any answer; resolves with its context once the server saw it. */
async function disconnectedContext(onContext: (context: OwnedRequestContext) => void): Promise<OwnedRequestContext> {
  let context: OwnedRequestContext | undefined;
  let closed: () => void = () => {};
  const server = createServer((req, res) => {
    context = createRequestContext({ gateway, req, res, format: 'openai', routerRequests: new Map() });
    onContext(context);
    res.once('close', () => closed());
    client.destroy();
  });
  servers.push(server);
  const url = await listenOnLoopback(server);
  const client = httpRequest(url, { method: 'POST' });
  client.on('error', () => {});
  client.end('{}');
  await new Promise<void>((resolve) => {
    closed = resolve;
  });
  return context!;
}

describe('createRequestContext', () => {
  it('a client disconnect calls the abort listener once, with a CancelledError, and aborts a signal read later', async () => {
    const reasons: unknown[] = [];
    const context = await disconnectedContext((created) => created.onAbort((reason) => reasons.push(reason)));
    expect(context.clientGone).toBe(true);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(CancelledError);
    context.abort(new Error('again'));
    expect(reasons).toHaveLength(1);
    // Made after the abort: already aborted, with the same reason.
    expect(context.signal.aborted).toBe(true);
    expect(context.signal.reason).toBe(reasons[0]);
  });

  it('a listener registered after the abort is called at once; a signal read before aborts with it', async () => {
    let signal: AbortSignal | undefined;
    const context = await disconnectedContext((created) => {
      signal = created.signal;
    });
    expect(signal?.aborted).toBe(true);
    const late: unknown[] = [];
    context.onAbort((reason) => late.push(reason));
    expect(late).toEqual([signal?.reason]);
  });
});
