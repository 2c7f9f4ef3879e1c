import type { FinishReason, Usage } from './chat-chunk.js';

/**
 * The stream between a provider parser and the router: one discriminated union, switched on exhaustively
 * (every `switch` ends in {@link assertNever}), so a new part cannot be forgotten by any consumer.
 */
export type StreamPart =
  /** Upstream response id/model, when the provider sends them; used for nothing but logs and metadata. */
  | { type: 'response-metadata'; id?: string; model?: string }
  | { type: 'text-delta'; text: string; thoughtSignature?: string }
  | { type: 'refusal-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  /** Anthropic's thinking-block signature (arrives once, after the thinking text). */
  | { type: 'reasoning-signature'; signature: string }
  /** A tool call begins; `index` keeps parallel calls apart (0-based, in order of appearance). */
  | { type: 'tool-call-start'; index: number; id: string; name: string; thoughtSignature?: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'tool-call-end'; index: number }
  /** Cumulative usage so far; the last one wins. */
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason };

export type StreamPartType = StreamPart['type'];

/** True for the parts that count as real output: what ends "before the first token". */
export function isContentPart(part: StreamPart): boolean {
  switch (part.type) {
    case 'text-delta':
    case 'refusal-delta':
    case 'reasoning-delta':
      return part.text.length > 0;
    case 'tool-call-start':
    case 'tool-call-delta':
      return true;
    case 'response-metadata':
    case 'reasoning-signature':
    case 'tool-call-end':
    case 'usage':
    case 'finish':
      return false;
    default:
      return assertNever(part);
  }
}

/** Exhaustiveness check for `switch` statements over unions. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled variant: ${JSON.stringify(value)}`);
}
