import { InvalidRequestError } from '../../core/errors/request-errors.js';
import type { ChatMessage, ContentPart, ToolCall } from '../../core/types/chat-request.js';
import { assertNever } from '../../core/types/stream-part.js';
import type { AnthropicRequestContentBlock, AnthropicRequestMessage } from './anthropic-request-schema.js';

type UserBlock = AnthropicRequestContentBlock;
type ImageBlock = Extract<AnthropicRequestContentBlock, { type: 'image' }>;
type ToolResultBlock = Extract<AnthropicRequestContentBlock, { type: 'tool_result' }>;
type TextPart = { type: 'text'; text: string };

/**
 * Anthropic conversation turns → our chat messages. A user turn becomes its `tool` messages (one per
 * `tool_result`, in order) followed by one user message with the remaining text and images: Anthropic requires
 * tool results to lead the turn, so this keeps their meaning while satisfying OpenAI's rule that tool messages
 * directly follow the assistant's tool calls. An assistant turn becomes one assistant message.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/tool-use
 */
export function convertAnthropicMessages(messages: AnthropicRequestMessage[]): ChatMessage[] {
  const converted: ChatMessage[] = [];
  messages.forEach((message, messageIndex) => {
    const path = `messages.${messageIndex}.content`;
    if (typeof message.content === 'string') {
      converted.push({ role: message.role, content: message.content });
    } else if (message.role === 'user') {
      converted.push(...convertUserBlocks(message.content, path));
    } else {
      converted.push(convertAssistantBlocks(message.content, path));
    }
  });
  return converted;
}

function convertUserBlocks(blocks: UserBlock[], path: string): ChatMessage[] {
  const toolMessages: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  blocks.forEach((block, blockIndex) => {
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: block.text });
        break;
      case 'image':
        parts.push(convertImageBlock(block));
        break;
      case 'tool_result': {
        const { message, images } = convertToolResultBlock(block);
        toolMessages.push(message);
        // The tool message holds text only; images a tool returned (screenshots) reach the model in the user turn.
        parts.push(...images.map(convertImageBlock));
        break;
      }
      case 'tool_use':
      case 'thinking':
      case 'redacted_thinking':
        throw new InvalidRequestError(
          `${path}.${blockIndex}.type: '${block.type}' blocks are only allowed in assistant turns`,
          {
            param: `${path}.${blockIndex}.type`,
          },
        );
      default:
        assertNever(block);
    }
  });
  if (parts.length === 0) return toolMessages.length > 0 ? toolMessages : [{ role: 'user', content: '' }];
  return [...toolMessages, { role: 'user', content: parts }];
}

function convertAssistantBlocks(blocks: UserBlock[], path: string): ChatMessage {
  const texts: TextPart[] = [];
  const toolCalls: ToolCall[] = [];
  let reasoning: string | undefined;
  let signature: string | undefined;
  blocks.forEach((block, blockIndex) => {
    switch (block.type) {
      case 'text':
        texts.push({ type: 'text', text: block.text });
        break;
      case 'tool_use':
        toolCalls.push({
          id: block.id,
          type: 'function',
          function: { name: block.name, arguments: JSON.stringify(block.input) },
        });
        break;
      case 'thinking':
        // Several thinking blocks (interleaved thinking) fold into one; the last signature is kept.
        reasoning = (reasoning ?? '') + block.thinking;
        if (block.signature) signature = block.signature;
        break;
      case 'redacted_thinking':
        // Encrypted Anthropic-only reasoning: no other provider can read it, and it carries no visible content.
        break;
      case 'image':
      case 'tool_result':
        throw new InvalidRequestError(
          `${path}.${blockIndex}.type: '${block.type}' blocks are only allowed in user turns`,
          {
            param: `${path}.${blockIndex}.type`,
          },
        );
      default:
        assertNever(block);
    }
  });
  const content = texts.length === 0 ? (toolCalls.length > 0 ? null : '') : texts.length === 1 ? texts[0].text : texts;
  return {
    role: 'assistant',
    content,
    ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
    ...(reasoning !== undefined && { reasoning_content: reasoning }),
    ...(signature !== undefined && { reasoning_signature: signature }),
  };
}

function convertToolResultBlock(block: ToolResultBlock): { message: ChatMessage; images: ImageBlock[] } {
  const prefix = block.is_error ? 'Error: ' : '';
  const images: ImageBlock[] = [];
  if (block.content === undefined || typeof block.content === 'string') {
    return {
      message: { role: 'tool', tool_call_id: block.tool_use_id, content: prefix + (block.content ?? '') },
      images,
    };
  }
  const texts: TextPart[] = [];
  for (const part of block.content) {
    if (part.type === 'image') images.push(part);
    else texts.push({ type: 'text', text: part.text });
  }
  if (texts.length === 0)
    return { message: { role: 'tool', tool_call_id: block.tool_use_id, content: prefix }, images };
  if (prefix) texts[0] = { type: 'text', text: prefix + texts[0].text };
  return { message: { role: 'tool', tool_call_id: block.tool_use_id, content: texts }, images };
}

/** base64 source → `data:` URL; url source → that URL. */
function convertImageBlock(block: ImageBlock): ContentPart {
  const url =
    block.source.type === 'base64' ? `data:${block.source.media_type};base64,${block.source.data}` : block.source.url;
  return { type: 'image_url', image_url: { url } };
}
