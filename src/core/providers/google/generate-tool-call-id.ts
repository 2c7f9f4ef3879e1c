/**
 * Gemini function calls carry no id we can rely on (the API matches results by function name), so each call
 * gets an OpenAI-style id here: unique across streams, and the same for the start/delta/end of one call
 * because it is generated once, when the call is first seen.
 */
export function generateToolCallId(): string {
  return `call_${crypto.randomUUID().replaceAll('-', '')}`;
}
