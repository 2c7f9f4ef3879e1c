/**
 * The floor the gateway is measured against: the least a Node.js HTTP proxy can do. It reads the request body, makes
 * the same call upstream over a keep-alive `node:http` agent with `TCP_NODELAY`, and copies the response bytes back
 * as they arrive: no parsing, routing, validation, translation, logging or metrics. What it adds over calling the
 * upstream directly is what one Node.js proxy hop costs on this machine, so a target below it is out of reach for
 * any Node.js gateway here (docs/performance.md).
 *
 *   tsx bench/floor-proxy.ts http://127.0.0.1:<upstream port>   → prints `listening on http://127.0.0.1:<port>`
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAlive: true, noDelay: true });

const server = createServer({ noDelay: true }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
    const call = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (bytes: Buffer) => res.write(bytes));
        answer.on('end', () => res.end());
      },
    );
    call.on('error', () => res.destroy());
    res.on('close', () => call.destroy());
    call.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
