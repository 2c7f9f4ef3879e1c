import type { Fault } from './simulator-types.js';

/** Per-request options, from the model-name suffix and/or the `x-simulator-options` header. */
export interface RequestOptions {
  ttftMs?: number;
  tokensPerSecond?: number;
  tokens?: number;
  toolCalls?: number;
  reasoning?: number;
  fault?: Fault;
  /** Share of requests (0–1) the fault applies to; default 1. */
  faultRate?: number;
}

/** The model name without its option suffix, and the options the suffix carried. */
export interface ModelWithOptions {
  model: string;
  options: RequestOptions;
}

/** Thrown for an option the simulator does not understand; answered as a 400 in the protocol's format. */
export class SimulatorOptionError extends Error {
  override readonly name = 'SimulatorOptionError';
}

/**
 * Splits `sim-model+ttft=200+fault=status:503` into the model (`sim-model`) and its options.
 * The `+key=value` suffix is what lets an unmodified SDK pick per-request behaviour.
 */
export function parseModelOptions(rawModel: string): ModelWithOptions {
  const [model, ...pairs] = rawModel.split('+');
  return { model: model ?? '', options: parseOptionPairs(pairs) };
}

/** Parses the `x-simulator-options` header: `ttft=200;tps=50;fault=drop_after:3`. */
export function parseOptionsHeader(header: string | undefined): RequestOptions {
  if (header === undefined || header.trim() === '') return {};
  return parseOptionPairs(header.split(';'));
}

function parseOptionPairs(pairs: string[]): RequestOptions {
  const options: RequestOptions = {};
  for (const pair of pairs) {
    const trimmed = pair.trim();
    if (trimmed === '') continue;
    const equals = trimmed.indexOf('=');
    if (equals < 0) throw new SimulatorOptionError(`Simulator option "${trimmed}" has no value (expected key=value)`);
    applyOption(options, trimmed.slice(0, equals).trim(), trimmed.slice(equals + 1).trim());
  }
  return options;
}

function applyOption(options: RequestOptions, key: string, value: string): void {
  switch (key) {
    case 'ttft':
      options.ttftMs = parseNumber(key, value);
      return;
    case 'tps':
      options.tokensPerSecond = parseNumber(key, value);
      return;
    case 'tokens':
      options.tokens = Math.floor(parseNumber(key, value));
      return;
    case 'tool_calls':
      options.toolCalls = Math.floor(parseNumber(key, value));
      return;
    case 'reasoning':
      options.reasoning = Math.floor(parseNumber(key, value));
      return;
    case 'fault':
      options.fault = parseFault(value);
      return;
    case 'fault_rate': {
      const rate = parseNumber(key, value);
      if (rate > 1) throw new SimulatorOptionError('Simulator option fault_rate must be between 0 and 1');
      options.faultRate = rate;
      return;
    }
    default:
      throw new SimulatorOptionError(
        `Unknown simulator option "${key}" (known: ttft, tps, tokens, tool_calls, reasoning, fault, fault_rate)`,
      );
  }
}

function parseNumber(key: string, value: string): number {
  const number = Number(value);
  if (value === '' || !Number.isFinite(number) || number < 0) {
    throw new SimulatorOptionError(`Simulator option ${key} must be a non-negative number, got "${value}"`);
  }
  return number;
}

/**
 * Parses a fault spec: `status:503`, `rate_limit:5`, `overloaded`, `stall_before`, `stall_after:3`,
 * `drop_after:3`, `error_after:3`, `slow:5`.
 */
export function parseFault(spec: string): Fault {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const argument = colon < 0 ? undefined : spec.slice(colon + 1);
  const count = (label: string): number => {
    if (argument === undefined) throw new SimulatorOptionError(`Fault ${name} needs a value: ${name}:<${label}>`);
    return parseNumber(`fault ${name}`, argument);
  };
  switch (name) {
    case 'status': {
      const status = Math.floor(count('code'));
      if (status < 400 || status > 599) throw new SimulatorOptionError('Fault status must be an HTTP status 400-599');
      return { kind: 'status', status };
    }
    case 'rate_limit':
      return { kind: 'rate_limit', retryAfterSeconds: argument === undefined ? 1 : count('seconds') };
    case 'overloaded':
      return { kind: 'overloaded' };
    case 'stall_before':
      return { kind: 'stall_before' };
    case 'stall_after':
      return { kind: 'stall_after', afterTokens: Math.floor(count('tokens')) };
    case 'drop_after':
      return { kind: 'drop_after', afterTokens: Math.floor(count('tokens')) };
    case 'error_after':
      return { kind: 'error_after', afterTokens: Math.floor(count('tokens')) };
    case 'slow':
      return { kind: 'slow', tokensPerSecond: count('tokens per second') };
    default:
      throw new SimulatorOptionError(
        `Unknown fault "${spec}" (known: status, rate_limit, overloaded, stall_before, stall_after, drop_after, error_after, slow)`,
      );
  }
}
