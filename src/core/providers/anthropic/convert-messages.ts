import { InvalidRequestError, UnsupportedParameterError } from '../../errors/request-errors.js';
import type { ChatMessage, ContentPart, ToolCall } from '../../types/chat-request.js';
import { assertNever } from '../../types/stream-part.js';
import type {
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicRequestContentBlock,
  AnthropicTextBlock,
} from './anthropic-api-types.js';

export interface ConvertedMessages {
  /** System and developer messages joined; undefined when there were none. */
  system: string | undefined;
  messages: AnthropicMessageParam[];
}

/**
 * OpenAI chat messages → Anthropic `system` + alternating `user`/`assistant` turns.
 * - system/developer messages (wherever they stand) become the top-level `system`, joined by blank lines;
 * - `tool` messages become `tool_result` blocks in a user turn; consecutive same-role turns are merged, because the
 *   API requires alternating roles (so all results of one assistant turn, and a user message after them, share one
 *   user turn, with the `tool_result` blocks first as the API requires);
 * - an assistant turn's signed reasoning is replayed as a `thinking` block placed first, which the API requires
 *   for multi-turn tool use with extended thinking. Reasoning without a signature (from another provider) is
 *   dropped: the API rejects unsigned thinking blocks.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks
 */
export function convertMessages(messages: readonly ChatMessage[], provider: string): ConvertedMessages {
  const systemParts: string[] = [];
  const turns: AnthropicMessageParam[] = [];
  const push = (role: AnthropicMessageParam['role'], blocks: AnthropicRequestContentBlock[]): void => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };

  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = typeof message.content === 'string' ? message.content : joinTextParts(message.content);
        if (text.length > 0) systemParts.push(text);
        break;
      }
      case 'user':
        push('user', convertUserContent(message.content, provider));
        break;
      case 'assistant':
        push('assistant', convertAssistantMessage(message));
        break;
      case 'tool':
        push('user', [
          {
            type: 'tool_result',
            tool_use_id: message.tool_call_id,
            content: typeof message.content === 'string' ? message.content : textBlocks(message.content),
          },
        ]);
        break;
      default:
        return assertNever(message);
    }
  }
  return { system: systemParts.length > 0 ? systemParts.join('\n\n') : undefined, messages: turns };
}

function convertUserContent(content: string | ContentPart[], provider: string): AnthropicRequestContentBlock[] {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  const blocks: AnthropicRequestContentBlock[] = [];
  for (const part of content) {
    if (part.type === 'text') {
      // The API rejects empty text blocks.
      if (part.text.length > 0) blocks.push({ type: 'text', text: part.text });
    } else {
      blocks.push(convertImageUrl(part.image_url.url, provider));
    }
  }
  return blocks;
}

/** `data:<media type>;base64,<data>` → a base64 source; anything else (https) → a URL source. */
function convertImageUrl(url: string, provider: string): AnthropicImageBlock {
  if (!url.startsWith('data:')) return { type: 'image', source: { type: 'url', url } };
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!match) {
    throw new UnsupportedParameterError({
      param: 'messages',
      provider,
      message: 'Anthropic accepts data: image URLs only in base64 form (data:<media type>;base64,<data>).',
    });
  }
  return { type: 'image', source: { type: 'base64', media_type: match[1], data: match[2] } };
}

type AssistantMessage = Extract<ChatMessage, { role: 'assistant' }>;

function convertAssistantMessage(message: AssistantMessage): AnthropicRequestContentBlock[] {
  const blocks: AnthropicRequestContentBlock[] = [];
  if (message.reasoning_content && message.reasoning_signature) {
    blocks.push({ type: 'thinking', thinking: message.reasoning_content, signature: message.reasoning_signature });
  }
  const content = message.content;
  if (typeof content === 'string') {
    if (content.length > 0) blocks.push({ type: 'text', text: content });
  } else if (content) {
    for (const part of content) {
      const text = part.type === 'text' ? part.text : part.refusal;
      if (text.length > 0) blocks.push({ type: 'text', text });
    }
  }
  for (const toolCall of message.tool_calls ?? []) {
    blocks.push({ type: 'tool_use', id: toolCall.id, name: toolCall.function.name, input: parseToolInput(toolCall) });
  }
  return blocks;
}

/** OpenAI sends arguments as a JSON string; Anthropic wants the object. Empty arguments mean no input. */
function parseToolInput(toolCall: ToolCall): Record<string, unknown> {
  const text = toolCall.function.arguments.trim();
  if (text.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError(`The arguments of tool call '${toolCall.id}' are not valid JSON.`, {
      param: 'messages',
      cause: error,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidRequestError(`The arguments of tool call '${toolCall.id}' must be a JSON object.`, {
      param: 'messages',
    });
  }
  return value as Record<string, unknown>;
}

function joinTextParts(parts: readonly { text: string }[]): string {
  return parts.map((part) => part.text).join('');
}

function textBlocks(parts: readonly { text: string }[]): AnthropicTextBlock[] {
  return parts.filter((part) => part.text.length > 0).map((part) => ({ type: 'text', text: part.text }));
}
