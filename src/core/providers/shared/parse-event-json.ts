import type { SseEvent } from '../../sse/sse-event.js';
import type { StreamParserContext } from '../provider.js';

/**
 * JSON.parse for one event's data; a malformed event is reported (logged and counted upstream of here)
 * and skipped by returning undefined, so one bad event never kills a stream.
 */
export function parseEventJson<T = unknown>(event: SseEvent, context: StreamParserContext): T | undefined {
  try {
    return JSON.parse(event.data) as T;
  } catch (error) {
    context.onMalformedEvent(event, error);
    return undefined;
  }
}
