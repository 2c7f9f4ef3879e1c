import { z } from 'zod';
import { InvalidRequestError } from '../../core/errors/request-errors.js';

const streamIdSchema = z.string().min(1).max(128);

/**
 * The client side of `/v1/ws`: start a completion stream under a client-chosen id, or cancel one.
 * The `request` is a chat-completion request body; the router validates it (and names the bad field).
 */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('chat.completion.create'),
    id: streamIdSchema,
    request: z.record(z.string(), z.unknown()),
  }),
  z.object({ type: z.literal('cancel'), id: streamIdSchema }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** The outcome of reading one message: the message, or the error to answer with the id it carried (if any). */
export type ParsedClientMessage =
  | { ok: true; message: ClientMessage }
  | { ok: false; id: string | null; error: InvalidRequestError };

/** Reads one text message. Never throws: a bad message is answered, and the socket stays open. */
export function parseClientMessage(text: string): ParsedClientMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: new InvalidRequestError('The message is not valid JSON.') };
  }
  const parsed = clientMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const rawId = (json as { id?: unknown } | null)?.id;
  const issue = parsed.error.issues[0];
  const param = issue.path.map(String).join('.');
  return {
    ok: false,
    id: typeof rawId === 'string' ? rawId : null,
    error: new InvalidRequestError(
      `Invalid message${param ? ` at ${param}` : ''}: ${issue.message}. Expected {"type":"chat.completion.create","id":…,"request":{…}} or {"type":"cancel","id":…}.`,
      { param: param || undefined },
    ),
  };
}
