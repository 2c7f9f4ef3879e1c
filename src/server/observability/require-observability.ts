import { RouteNotFoundError } from '../errors/gateway-errors.js';
import type { RequestContext } from '../request-context.js';
import type { Observability } from './create-observability.js';

/** The gateway's observability, or a 404 for the route when the gateway was created without it. */
export function requireObservability(context: RequestContext): Observability {
  const observability = context.gateway.observability;
  if (!observability) throw new RouteNotFoundError(new URL(context.req.url ?? '/', 'http://gateway').pathname);
  return observability;
}
