import type { ChatCompletionChunk, ChunkToolCallDelta, Usage } from '../../core/types/chat-chunk.js';
import type { AnthropicMessage, AnthropicStopReason } from './anthropic-message-types.js';
import { mapStopReason } from './map-stop-reason.js';

export type AnthropicStreamEventType =
  | 'message_start'
  | 'ping'
  | 'content_block_start'
  | 'content_block_delta'
  | 'content_block_stop'
  | 'message_delta'
  | 'message_stop'
  | 'error';

/** One SSE-ready event: frame it with `encodeSseEvent` (`data` is a single-line JSON string). */
export interface AnthropicStreamEvent {
  event: AnthropicStreamEventType;
  data: string;
}

/** The `error` object of Anthropic's error envelope (`overloaded_error`, `api_error`, …). */
export interface AnthropicErrorDetail {
  type: string;
  message: string;
}

export interface AnthropicEventEncoderOptions {
  /** The `msg_…` id the client sees. */
  messageId: string;
  /** The model name reported in `message_start` (what the client asked for, or who served). */
  model: string;
  /** `message_start.usage.input_tokens` before the real count is known; the real one goes into `message_delta`. */
  inputTokensEstimate?: number;
}

export interface AnthropicEventEncoder {
  /** The events one chunk produces (often one, sometimes none, `message_start` + `ping` on the first). */
  encodeChunk(chunk: ChatCompletionChunk): AnthropicStreamEvent[];
  /** Call when the upstream stream ended: closes the open block and sends `message_delta` + `message_stop`. */
  finish(): AnthropicStreamEvent[];
  /** The in-stream `error` event for a failure after streaming began; nothing is emitted after it. */
  error(error: AnthropicErrorDetail): AnthropicStreamEvent[];
}

type OpenBlock = { kind: 'text' | 'thinking' | 'tool_use'; index: number };

const pingEvent: AnthropicStreamEvent = { event: 'ping', data: '{"type":"ping"}' };

/**
 * Our `ChatCompletionChunk` stream → the Anthropic Messages streaming events, in the order Anthropic sends them:
 * `message_start`, `ping`, then content blocks with increasing `index` (thinking, text, one per tool call; a new
 * kind closes the open block first), then `message_delta` (stop reason, usage) and `message_stop`.
 * `message_delta` waits for usage: OpenAI-style streams send it in a chunk after the finish chunk, so the delta is
 * sent when usage arrives after (or with) the finish reason, or at {@link AnthropicEventEncoder.finish}.
 * Per-token cost is one `JSON.stringify` of the delta text inside a template; no regex, no object building.
 *
 * Limits: tool calls are expected one after another (as every adapter streams them); an argument piece for an
 * earlier, already closed call is still sent to that call's block index, which the official SDK accumulates.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicEventEncoder(options: AnthropicEventEncoderOptions): AnthropicEventEncoder {
  let started = false;
  let done = false;
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  const toolBlockIndexes = new Map<number, number>();
  let stopReason: AnthropicStopReason | undefined;
  let usage: Usage | undefined;

  function start(out: AnthropicStreamEvent[], firstUsage: Usage | null | undefined): void {
    started = true;
    const message: AnthropicMessage = {
      id: options.messageId,
      type: 'message',
      role: 'assistant',
      model: options.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: firstUsage?.prompt_tokens ?? options.inputTokensEstimate ?? 0, output_tokens: 0 },
    };
    out.push({ event: 'message_start', data: JSON.stringify({ type: 'message_start', message }) }, pingEvent);
  }

  function closeOpenBlock(out: AnthropicStreamEvent[]): void {
    if (!open) return;
    out.push({ event: 'content_block_stop', data: `{"type":"content_block_stop","index":${open.index}}` });
    open = undefined;
  }

  /** Opens a block of `kind` unless one is open; returns its index. `contentBlock` is the start JSON. */
  function ensureBlock(out: AnthropicStreamEvent[], kind: OpenBlock['kind'], contentBlock: string): number {
    if (open?.kind === kind && kind !== 'tool_use') return open.index;
    closeOpenBlock(out);
    open = { kind, index: nextIndex++ };
    out.push({
      event: 'content_block_start',
      data: `{"type":"content_block_start","index":${open.index},"content_block":${contentBlock}}`,
    });
    return open.index;
  }

  function delta(out: AnthropicStreamEvent[], index: number, deltaJson: string): void {
    out.push({
      event: 'content_block_delta',
      data: `{"type":"content_block_delta","index":${index},"delta":${deltaJson}}`,
    });
  }

  function encodeToolCall(out: AnthropicStreamEvent[], call: ChunkToolCallDelta): void {
    let index = toolBlockIndexes.get(call.index);
    if (index === undefined) {
      const id = call.id ?? `toolu_${options.messageId}_${call.index}`;
      const name = call.function?.name ?? '';
      index = ensureBlock(
        out,
        'tool_use',
        `{"type":"tool_use","id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"input":{}}`,
      );
      toolBlockIndexes.set(call.index, index);
    }
    const argumentsPiece = call.function?.arguments;
    if (argumentsPiece)
      delta(out, index, `{"type":"input_json_delta","partial_json":${JSON.stringify(argumentsPiece)}}`);
  }

  function end(out: AnthropicStreamEvent[]): void {
    done = true;
    const reason = stopReason ?? (toolBlockIndexes.size > 0 ? 'tool_use' : 'end_turn');
    const outputTokens = usage?.completion_tokens ?? 0;
    const usageJson = usage
      ? `{"input_tokens":${usage.prompt_tokens},"output_tokens":${outputTokens}}`
      : `{"output_tokens":${outputTokens}}`;
    out.push(
      {
        event: 'message_delta',
        data: `{"type":"message_delta","delta":{"stop_reason":"${reason}","stop_sequence":null},"usage":${usageJson}}`,
      },
      { event: 'message_stop', data: '{"type":"message_stop"}' },
    );
  }

  return {
    encodeChunk(chunk) {
      if (done) return [];
      const out: AnthropicStreamEvent[] = [];
      if (!started) start(out, chunk.usage);
      const choice = chunk.choices[0];
      if (choice) {
        const { delta: chunkDelta } = choice;
        if (chunkDelta.reasoning_content) {
          const index = ensureBlock(out, 'thinking', '{"type":"thinking","thinking":"","signature":""}');
          delta(out, index, `{"type":"thinking_delta","thinking":${JSON.stringify(chunkDelta.reasoning_content)}}`);
        }
        if (chunkDelta.reasoning_signature) {
          const index = ensureBlock(out, 'thinking', '{"type":"thinking","thinking":"","signature":""}');
          delta(out, index, `{"type":"signature_delta","signature":${JSON.stringify(chunkDelta.reasoning_signature)}}`);
        }
        // A refusal is text to an Anthropic client; `stop_reason: refusal` comes from the finish reason.
        const text = chunkDelta.content || chunkDelta.refusal;
        if (text) {
          const index = ensureBlock(out, 'text', '{"type":"text","text":""}');
          delta(out, index, `{"type":"text_delta","text":${JSON.stringify(text)}}`);
        }
        if (chunkDelta.tool_calls) for (const call of chunkDelta.tool_calls) encodeToolCall(out, call);
        if (choice.finish_reason) {
          stopReason = mapStopReason(choice.finish_reason);
          closeOpenBlock(out);
        }
      }
      if (chunk.usage) usage = chunk.usage;
      if (stopReason && chunk.usage) end(out);
      return out;
    },

    finish() {
      if (done) return [];
      const out: AnthropicStreamEvent[] = [];
      if (!started) start(out, undefined);
      closeOpenBlock(out);
      end(out);
      return out;
    },

    error(error) {
      if (done) return [];
      done = true;
      return [
        {
          event: 'error',
          data: JSON.stringify({ type: 'error', error: { type: error.type, message: error.message } }),
        },
      ];
    },
  };
}
