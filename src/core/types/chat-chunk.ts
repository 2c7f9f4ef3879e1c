/**
 * The output contract: OpenAI's `chat.completion.chunk` and `chat.completion` objects, with a few
 * documented extension fields (`reasoning_content`, `reasoning_signature`, `thought_signature`, `circuit_breaker`).
 * @see https://platform.openai.com/docs/api-reference/chat/streaming
 */

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChunkToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
  /** Extension: Gemini `thoughtSignature` attached to this call. */
  thought_signature?: string;
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: string | null;
  tool_calls?: ChunkToolCallDelta[];
  reasoning_content?: string;
  /** Extension: Anthropic thinking `signature`, to send back with `reasoning_content` next turn. */
  reasoning_signature?: string;
  /** Extension: Gemini `thoughtSignature` on text, to send back next turn. */
  thought_signature?: string;
}

export interface ChunkChoice {
  index: number;
  delta: ChunkDelta;
  finish_reason: FinishReason | null;
  logprobs?: null;
}

/** What the router adds to the final chunk: who served and what happened on the way. */
export interface RoutingMetadata {
  provider: string;
  model: string;
  deployment: string;
  attempts: number;
  failovers?: number;
  hedged?: boolean;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
  /** Extension, on the final chunk only. */
  circuit_breaker?: RoutingMetadata;
}

export interface CompletionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  thought_signature?: string;
}

export interface CompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  tool_calls?: CompletionToolCall[];
  reasoning_content?: string;
  reasoning_signature?: string;
  thought_signature?: string;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: { index: number; message: CompletionMessage; finish_reason: FinishReason; logprobs: null }[];
  usage: Usage;
  system_fingerprint?: string | null;
  circuit_breaker?: RoutingMetadata;
}
