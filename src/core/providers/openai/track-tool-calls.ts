import type { StreamPart } from '../../types/stream-part.js';
import type { OpenAIToolCallDelta } from './openai-wire-types.js';

/** A tool call as the stream builds it; started once its name is known. */
interface ToolCallState {
  /** Our index (0-based, order of appearance), stable even when a server reuses upstream indexes. */
  index: number;
  id: string | undefined;
  name: string | undefined;
  started: boolean;
  /** Argument pieces that arrived before the name (held back so `tool-call-start` comes first). */
  pendingArguments: string;
}

export interface ToolCallTracker {
  /** One `delta.tool_calls[]` entry; `position` is its place in that array (used when a server sends no index). */
  onDelta(delta: OpenAIToolCallDelta, position: number): void;
  /** Emits `tool-call-end` for every started call and forgets them (at the finish reason). */
  endAll(): void;
}

/**
 * Streamed OpenAI tool-call deltas → `tool-call-start` / `tool-call-delta` / `tool-call-end`. Parallel calls are kept
 * apart by their `index`; the first argument piece may come in the same delta as the name, or (some compatible
 * servers) before it, in which case it is held until the start is out. A new id at a known index is a new call
 * (servers that send every call at index 0).
 * @see https://platform.openai.com/docs/guides/function-calling#streaming
 */
export function createToolCallTracker(emit: (part: StreamPart) => void): ToolCallTracker {
  /** Keyed by the upstream `index`. */
  const calls = new Map<number, ToolCallState>();
  let count = 0;

  function stateFor(delta: OpenAIToolCallDelta, position: number): ToolCallState {
    const key = typeof delta.index === 'number' ? delta.index : position;
    const known = calls.get(key);
    if (known !== undefined && !(delta.id && known.id && delta.id !== known.id)) return known;
    if (known?.started) emit({ type: 'tool-call-end', index: known.index });
    const state: ToolCallState = {
      index: count++,
      id: undefined,
      name: undefined,
      started: false,
      pendingArguments: '',
    };
    calls.set(key, state);
    return state;
  }

  return {
    onDelta(delta, position) {
      const state = stateFor(delta, position);
      if (delta.id) state.id = delta.id;
      const name = delta.function?.name;
      if (name) state.name = name;
      const argumentsDelta = delta.function?.arguments;
      if (state.started) {
        if (argumentsDelta) emit({ type: 'tool-call-delta', index: state.index, argumentsDelta });
        return;
      }
      if (argumentsDelta) state.pendingArguments += argumentsDelta;
      if (state.name === undefined) return;
      state.started = true;
      // A server that sends no id still gets a unique one: the tool result is matched by it.
      state.id ??= `call_${crypto.randomUUID()}`;
      emit({ type: 'tool-call-start', index: state.index, id: state.id, name: state.name });
      if (state.pendingArguments) {
        emit({ type: 'tool-call-delta', index: state.index, argumentsDelta: state.pendingArguments });
        state.pendingArguments = '';
      }
    },
    endAll() {
      for (const state of calls.values()) if (state.started) emit({ type: 'tool-call-end', index: state.index });
      calls.clear();
    },
  };
}
