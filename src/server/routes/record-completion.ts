import type { ChatCompletion } from '../../core/types/chat-chunk.js';
import type { RequestLogFields } from '../request-context.js';

/** A non-streamed completion's routing and usage → the request's log line. */
export function recordCompletion(log: RequestLogFields, completion: ChatCompletion): void {
  log.outcome = 'success';
  log.provider = completion.circuit_breaker?.provider;
  log.deployment = completion.circuit_breaker?.deployment;
  log.attempts = completion.circuit_breaker?.attempts;
  log.promptTokens = completion.usage?.prompt_tokens;
  log.completionTokens = completion.usage?.completion_tokens;
  log.failovers = completion.circuit_breaker?.failovers;
  log.hedged = completion.circuit_breaker?.hedged;
}
