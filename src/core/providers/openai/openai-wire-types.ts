/**
 * The upstream shapes of OpenAI's Chat Completions API as we read them: only the fields we use, all optional
 * where OpenAI-compatible servers (Azure, DeepSeek, vLLM, OpenRouter, Ollama) are known to omit or vary them.
 * @see https://platform.openai.com/docs/api-reference/chat/streaming
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export interface OpenAIToolCallDelta {
  index?: number;
  id?: string | null;
  type?: string;
  function?: { name?: string | null; arguments?: string | null } | null;
}

export interface OpenAIChunkDelta {
  role?: string | null;
  content?: string | null;
  refusal?: string | null;
  /** DeepSeek and vLLM (before 0.10) name the reasoning text so. */
  reasoning_content?: string | null;
  /** OpenRouter, Ollama and newer vLLM name it so. */
  reasoning?: string | null;
  tool_calls?: OpenAIToolCallDelta[] | null;
}

export interface OpenAIChunkChoice {
  index?: number;
  delta?: OpenAIChunkDelta | null;
  finish_reason?: string | null;
}

/** The error object of OpenAI's envelope; OpenAI-compatible servers send numeric codes or bare strings too. */
export interface OpenAIErrorObject {
  message?: string;
  type?: string | null;
  param?: string | null;
  code?: string | number | null;
}

/** One `data:` payload of a streamed answer: a `chat.completion.chunk`, or an error envelope. */
export interface OpenAIChunk {
  id?: string;
  object?: string;
  model?: string;
  choices?: OpenAIChunkChoice[] | null;
  usage?: OpenAIUsage | null;
  error?: OpenAIErrorObject | string | null;
  /** vLLM's error shape: `{"object":"error","message":…,"type":…,"code":400}`. */
  message?: string;
  type?: string;
  code?: string | number | null;
}
