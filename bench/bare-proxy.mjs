// The memory floor of any Node gateway: a bare node:http proxy that forwards each request to the upstream over a
// keep-alive Agent (as the gateway's transport does) and pipes the response back, with no parsing, no router, no
// session. bench/memory-probe.ts measures it with `--target bare` beside the gateway, so that "RSS per stream" can
// be split into what Node's http objects on both sides cost and what the gateway adds.
//
//   node --expose-gc --import ./bench/gateway-preload.mjs bench/bare-proxy.mjs <upstream origin>
import { Agent, createServer, request } from 'node:http';

const upstream = new URL(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

const server = createServer((incoming, outgoing) => {
  const forwarded = request(
    {
      agent,
      host: upstream.hostname,
      port: upstream.port,
      method: incoming.method,
      path: incoming.url,
      headers: { ...incoming.headers, host: upstream.host },
    },
    (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    },
  );
  forwarded.on('error', () => outgoing.destroy());
  outgoing.on('close', () => forwarded.destroy());
  incoming.pipe(forwarded);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
