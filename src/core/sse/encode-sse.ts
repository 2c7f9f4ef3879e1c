/**
 * Events → SSE text. The one place that writes SSE framing. `data` must be a single line (JSON is);
 * multi-line data is split into several `data:` fields as the spec requires.
 */
export function encodeSseEvent(event: { data: string; event?: string; id?: string | number }): string {
  let text = '';
  if (event.id !== undefined) text += `id: ${event.id}\n`;
  if (event.event !== undefined) text += `event: ${event.event}\n`;
  if (event.data.includes('\n')) {
    for (const line of event.data.split('\n')) text += `data: ${line}\n`;
  } else {
    text += `data: ${event.data}\n`;
  }
  return `${text}\n`;
}

/**
 * {@link encodeSseEvent} for data known to be one line (JSON, `[DONE]`), as the gateway's session events are: no
 * scan of the data for line breaks, which on the per-token path cost more than the rest of the framing.
 */
export function encodeSingleLineSseEvent(id: number, event: string | undefined, data: string): string {
  return event === undefined ? `id: ${id}\ndata: ${data}\n\n` : `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

/** An SSE comment line, used as a keep-alive that every client ignores. */
export function encodeSseComment(comment: string): string {
  return `: ${comment}\n\n`;
}
