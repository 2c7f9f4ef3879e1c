import { InvalidRequestError } from '../../errors/request-errors.js';
import type { ChatMessage, ContentPart } from '../../types/chat-request.js';
import { assertNever } from '../../types/stream-part.js';
import type { GoogleContent, GooglePart } from './google-types.js';

/** The `contents` and `systemInstruction` of a Gemini request. */
export interface ConvertedGoogleMessages {
  contents: GoogleContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
}

type AssistantMessage = Extract<ChatMessage, { role: 'assistant' }>;
type ToolMessage = Extract<ChatMessage, { role: 'tool' }>;

/**
 * OpenAI messages → Gemini `contents`. Gemini has no system role (system and developer text becomes
 * `systemInstruction`, wherever it stood), calls the assistant `model`, wants strictly alternating turns
 * (consecutive same-role turns are merged), and matches function results by function NAME, not id: the name
 * is looked up from the assistant tool call the result answers. Messages that map to no parts are dropped.
 * `reasoning_content` is not sent back: Gemini carries its reasoning state in `thoughtSignature` alone.
 * @see https://ai.google.dev/api/caching#Content
 * @see https://ai.google.dev/gemini-api/docs/function-calling
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export function convertGoogleMessages(
  messages: readonly ChatMessage[],
  continuationText?: string,
): ConvertedGoogleMessages {
  const systemParts: Array<{ text: string }> = [];
  const contents: GoogleContent[] = [];
  const toolNames = new Map<string, string>();

  const push = (role: GoogleContent['role'], parts: GooglePart[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  for (const [index, message] of messages.entries()) {
    switch (message.role) {
      case 'system':
      case 'developer':
        for (const text of textsOf(message.content)) if (text) systemParts.push({ text });
        break;
      case 'user':
        push('user', convertUserContent(message.content, index));
        break;
      case 'assistant':
        push('model', convertAssistantMessage(message, index, toolNames));
        break;
      case 'tool':
        push('user', [convertToolMessage(message, index, toolNames)]);
        break;
      default:
        assertNever(message);
    }
  }

  // Mid-stream failover: Gemini continues a trailing model turn, so the text already sent is prefilled.
  if (continuationText) push('model', [{ text: continuationText }]);

  return systemParts.length > 0 ? { contents, systemInstruction: { parts: systemParts } } : { contents };
}

function textsOf(content: string | ReadonlyArray<{ type: string; text?: string }> | null | undefined): string[] {
  if (content == null) return [];
  if (typeof content === 'string') return [content];
  const texts: string[] = [];
  for (const part of content) if (part.type === 'text' && part.text) texts.push(part.text);
  return texts;
}

function convertUserContent(content: string | ContentPart[], messageIndex: number): GooglePart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  const parts: GooglePart[] = [];
  content.forEach((part, partIndex) => {
    if (part.type === 'text') {
      if (part.text) parts.push({ text: part.text });
    } else {
      parts.push(convertImageUrl(part.image_url.url, `messages[${messageIndex}].content[${partIndex}].image_url.url`));
    }
  });
  return parts;
}

const dataUrlPattern = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s;

/**
 * A `data:` URL becomes inline bytes; an http(s) URL becomes `fileData`, which Gemini fetches itself and
 * which needs a MIME type: guessed from the extension, image/jpeg when there is none.
 */
function convertImageUrl(url: string, param: string): GooglePart {
  if (url.startsWith('data:')) {
    const match = dataUrlPattern.exec(url);
    if (!match?.[2].split(';').includes('base64')) {
      throw new InvalidRequestError('Image data URLs must be base64-encoded (data:<mime>;base64,<data>).', { param });
    }
    return { inlineData: { mimeType: match[1], data: match[3] } };
  }
  return { fileData: { mimeType: guessImageMimeType(url), fileUri: url } };
}

const imageMimeTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

function guessImageMimeType(url: string): string {
  const path = url.replace(/[?#].*$/s, '');
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (extension && imageMimeTypes[extension]) || 'image/jpeg';
}

function convertAssistantMessage(
  message: AssistantMessage,
  messageIndex: number,
  toolNames: Map<string, string>,
): GooglePart[] {
  const parts: GooglePart[] = [];
  for (const text of textsOf(message.content)) if (text) parts.push({ text });
  // Gemini returns the signature on the turn's first part; it belongs back on the same part.
  if (message.thought_signature && parts.length > 0) parts[0].thoughtSignature = message.thought_signature;
  message.tool_calls?.forEach((call, callIndex) => {
    toolNames.set(call.id, call.function.name);
    const part: GooglePart = {
      functionCall: {
        name: call.function.name,
        args: parseArguments(
          call.function.arguments,
          `messages[${messageIndex}].tool_calls[${callIndex}].function.arguments`,
        ),
      },
    };
    if (call.thought_signature) part.thoughtSignature = call.thought_signature;
    parts.push(part);
  });
  return parts;
}

function parseArguments(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError('Tool call arguments must be a JSON object.', { param, cause: error });
  }
  if (!isPlainObject(value)) throw new InvalidRequestError('Tool call arguments must be a JSON object.', { param });
  return value;
}

function convertToolMessage(message: ToolMessage, messageIndex: number, toolNames: Map<string, string>): GooglePart {
  const name = toolNames.get(message.tool_call_id);
  if (name === undefined) {
    throw new InvalidRequestError(
      `Tool message answers tool_call_id '${message.tool_call_id}', which no earlier assistant message called (Gemini needs the function name).`,
      { param: `messages[${messageIndex}].tool_call_id` },
    );
  }
  const text = textsOf(message.content).join('');
  return { functionResponse: { name, response: convertToolResult(text) } };
}

/** Gemini's `functionResponse.response` must be an object: a JSON object result passes as is, anything else is wrapped. */
function convertToolResult(text: string): Record<string, unknown> {
  if (text.trimStart().startsWith('{')) {
    try {
      const value: unknown = JSON.parse(text);
      if (isPlainObject(value)) return value;
    } catch {
      // Not JSON after all: wrapped below.
    }
  }
  return { content: text };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
