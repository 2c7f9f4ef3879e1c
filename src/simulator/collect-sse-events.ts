import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One SSE event as a client sees it, with `data` parsed as JSON when it is JSON. */
export interface CollectedEvent {
  event: string | undefined;
  data: string;
  json: unknown;
}

/**
 * Reads a streamed response into its SSE events, for tests and demos against the simulator. Resolves when the
 * stream ends; `truncated` is true when the connection broke instead of ending (the `drop_after` fault).
 */
export async function collectSseEvents(response: Response): Promise<{ events: CollectedEvent[]; truncated: boolean }> {
  const events: CollectedEvent[] = [];
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      let json: unknown;
      try {
        json = JSON.parse(message.data);
      } catch {
        json = undefined;
      }
      events.push({ event: message.event, data: message.data, json });
    },
  });
  const decoder = new TextDecoder();
  let truncated = false;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
  } catch {
    truncated = true;
  }
  return { events, truncated };
}
