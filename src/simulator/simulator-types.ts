/** The three wire protocols the simulator speaks. */
export type SimulatorProtocol = 'openai' | 'anthropic' | 'google';

/**
 * One fault the simulator injects into a response.
 * - `status`: answer with that HTTP status and the provider's own error body for it.
 * - `rate_limit`: 429 with `retry-after` and the provider's 429 body (Gemini adds `RetryInfo`).
 * - `overloaded`: Anthropic 529 `overloaded_error`; OpenAI and Gemini 503.
 * - `stall_before`: headers sent, then no byte at all until the client gives up.
 * - `stall_after`: `afterTokens` tokens, then silence. `drop_after`: `afterTokens` tokens, then the socket is destroyed.
 * - `error_after`: `afterTokens` tokens, then the provider's in-stream error event.
 * - `slow`: pace the stream at `tokensPerSecond`.
 */
export type Fault =
  | { kind: 'status'; status: number }
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  | { kind: 'overloaded' }
  | { kind: 'stall_before' }
  | { kind: 'stall_after'; afterTokens: number }
  | { kind: 'drop_after'; afterTokens: number }
  | { kind: 'error_after'; afterTokens: number }
  | { kind: 'slow'; tokensPerSecond: number };

/** An HTTP answer that is not a generation: errors, lists, control responses. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A tool the request offers, in a protocol-neutral form. */
export interface ToolDefinition {
  name: string;
  /** The JSON schema of the arguments (OpenAPI-subset for Gemini, with upper-case type names). */
  schema: unknown;
}

/** What the simulator needs from a request, read from any of the three protocols. */
export interface ParsedRequest {
  /** The model as requested, including any `+key=value` option suffix. */
  rawModel: string;
  stream: boolean;
  /** The request's output cap (`max_tokens`, `max_completion_tokens`, `maxOutputTokens`). */
  maxTokens: number | undefined;
  /** ≈ the word count of all input text. */
  promptTokens: number;
  /** The last user text before any partial answer: seeds the deterministic answer. */
  seedText: string;
  /** The partial answer this request continues (mid-stream failover), if any. */
  partialAnswer: string | undefined;
  tools: ToolDefinition[];
  /** False when the request disables tools (`tool_choice: "none"`, mode `NONE`). */
  toolsEnabled: boolean;
  /** The tool the request forces, if any. */
  forcedTool: string | undefined;
  /** True when the conversation ends with a user question (not a tool result). */
  endsWithUserQuestion: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
}
