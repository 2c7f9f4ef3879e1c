import { InvalidRequestError } from '../errors/request-errors.js';
import { type ChatCompletionRequest, chatCompletionRequestSchema } from '../types/chat-request.js';

/** Validates an unknown body as a Chat Completions request; the error names the first bad field. */
export function validateChatCompletionRequest(body: unknown): ChatCompletionRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object.');
  }
  const result = chatCompletionRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue.path.map(String).join('.');
  const missing = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined;
  const message = missing
    ? `Missing required parameter: '${param}'.`
    : `Invalid parameter '${param}': ${issue.message}`;
  throw new InvalidRequestError(param ? message : issue.message, { param: param || undefined });
}
