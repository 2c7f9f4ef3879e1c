/**
 * The parts of Anthropic's Messages API wire format this adapter reads and writes. Only what we use is typed;
 * everything arriving from upstream is still treated as untrusted (fields may be missing on older API versions).
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
}

export interface AnthropicImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string | AnthropicTextBlock[];
}

export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export type AnthropicRequestContentBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock
  | AnthropicThinkingBlock;

export interface AnthropicMessageParam {
  role: 'user' | 'assistant';
  content: AnthropicRequestContentBlock[];
}

export interface AnthropicToolParam {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
}

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

/** The request body of `POST /v1/messages`. */
export interface AnthropicMessagesRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessageParam[];
  system?: string;
  stream?: boolean;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  metadata?: { user_id: string };
  tools?: AnthropicToolParam[];
  tool_choice?: AnthropicToolChoice;
  thinking?: { type: 'enabled'; budget_tokens: number };
}

/** `usage` as found on `message_start.message`, `message_delta` and non-streamed responses (fields optional). */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** A content block in a response or a `content_block_start` event. Unknown block types pass through as `string`. */
export type AnthropicResponseContentBlock =
  | { type: 'text'; text?: string }
  | { type: 'tool_use'; id?: string; name?: string; input?: unknown }
  | { type: 'thinking'; thinking?: string; signature?: string }
  | { type: 'redacted_thinking'; data?: string };

export type AnthropicContentBlockDelta =
  | { type: 'text_delta'; text?: string }
  | { type: 'input_json_delta'; partial_json?: string }
  | { type: 'thinking_delta'; thinking?: string }
  | { type: 'signature_delta'; signature?: string };

export interface AnthropicErrorObject {
  type?: string;
  message?: string;
  details?: { error_code?: unknown } | null;
}

/** The streamed events, discriminated by the JSON `type` (which equals the SSE `event:` name). */
export type AnthropicStreamEvent =
  | {
      type: 'message_start';
      message?: { id?: string; model?: string; usage?: AnthropicUsage };
    }
  | { type: 'content_block_start'; index: number; content_block?: AnthropicResponseContentBlock }
  | { type: 'content_block_delta'; index: number; delta?: AnthropicContentBlockDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta?: { stop_reason?: string | null }; usage?: AnthropicUsage }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error?: AnthropicErrorObject };

/** A non-streamed `POST /v1/messages` response. */
export interface AnthropicMessagesResponse {
  id?: string;
  model?: string;
  type?: string;
  content?: AnthropicResponseContentBlock[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}
