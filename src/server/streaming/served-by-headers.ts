import type { OutgoingHttpHeaders } from 'node:http';
import type { RoutingMetadata } from '../../core/types/chat-chunk.js';

/** Who answered, as response headers: the same four on streamed and non-streamed responses of both formats. */
export function servedByHeaders(routing: RoutingMetadata | undefined): OutgoingHttpHeaders | undefined {
  if (!routing) return undefined;
  return {
    'x-circuit-breaker-provider': routing.provider,
    'x-circuit-breaker-model': routing.model,
    'x-circuit-breaker-deployment': routing.deployment,
    'x-circuit-breaker-attempts': String(routing.attempts),
  };
}
