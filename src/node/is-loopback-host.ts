import { isIP } from 'node:net';

/**
 * Whether binding to `host` keeps the server reachable from this machine only: `localhost`, `127.0.0.0/8`, `::1`
 * (and its IPv4-mapped form). Wildcards (`0.0.0.0`, `::`) and every other address are reachable from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare) || bare === '0:0:0:0:0:0:0:1';
  return false;
}
