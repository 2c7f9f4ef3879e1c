import { countCoveredTokens, generateTokens } from './generate-text.js';
import type { ParsedRequest } from './simulator-types.js';
import { splitIntoPieces, synthesizeArguments } from './synthesize-arguments.js';

/** One tool call the simulated model makes. */
export interface PlannedToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** `JSON.stringify(arguments)` cut into the pieces a stream delivers. */
  argumentPieces: string[];
}

/** The protocol-neutral answer: each protocol module only renders it. */
export interface ResponsePlan {
  /** Thinking tokens, emitted before the answer. */
  reasoning: string[];
  /** Answer tokens to emit (after a continuation: only those after the partial answer). */
  text: string[];
  toolCalls: PlannedToolCall[];
  finish: 'stop' | 'length' | 'tool_calls';
  promptTokens: number;
  /** Tokens generated: reasoning + text + tool-argument pieces. */
  completionTokens: number;
}

/** The effective generation settings of one request (server defaults overlaid with request options). */
export interface GenerationSettings {
  tokens: number;
  toolCalls: number;
  reasoning: number;
}

/**
 * Decides what the simulated model answers. Tools are called when the request offers tools, doesn't disable them
 * and ends with a user question (not a tool result); otherwise it answers text. A continuation emits only the tokens
 * after the partial answer, so cut + continue reproduces the uninterrupted answer exactly.
 */
export function planResponse(request: ParsedRequest, settings: GenerationSettings): ResponsePlan {
  const isContinuation = request.partialAnswer !== undefined;
  const reasoning = isContinuation ? [] : generateTokens(request.seedText, settings.reasoning, 'thinking');
  const callsTools =
    !isContinuation &&
    request.tools.length > 0 &&
    request.toolsEnabled &&
    request.endsWithUserQuestion &&
    settings.toolCalls > 0;
  if (callsTools) {
    const toolCalls = planToolCalls(request, settings.toolCalls);
    const pieces = toolCalls.reduce((sum, call) => sum + call.argumentPieces.length, 0);
    return {
      reasoning,
      text: [],
      toolCalls,
      finish: 'tool_calls',
      promptTokens: request.promptTokens,
      completionTokens: reasoning.length + pieces,
    };
  }
  const answer = generateTokens(request.seedText, settings.tokens);
  const covered = isContinuation ? countCoveredTokens(answer, request.partialAnswer ?? '') : 0;
  let text = answer.slice(covered);
  let finish: ResponsePlan['finish'] = 'stop';
  if (request.maxTokens !== undefined && text.length > request.maxTokens) {
    text = text.slice(0, request.maxTokens);
    finish = 'length';
  }
  return {
    reasoning,
    text,
    toolCalls: [],
    finish,
    promptTokens: request.promptTokens,
    completionTokens: reasoning.length + text.length,
  };
}

function planToolCalls(request: ParsedRequest, count: number): PlannedToolCall[] {
  const forcedIndex = request.forcedTool ? request.tools.findIndex((tool) => tool.name === request.forcedTool) : -1;
  const start = Math.max(0, forcedIndex);
  const calls: PlannedToolCall[] = [];
  for (let index = 0; index < count; index++) {
    const tool = request.tools[(start + index) % request.tools.length]!;
    const args = synthesizeArguments(tool.schema);
    calls.push({ name: tool.name, arguments: args, argumentPieces: splitIntoPieces(JSON.stringify(args)) });
  }
  return calls;
}
