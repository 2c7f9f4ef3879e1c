import { describe, expect, it } from 'vitest';
import { parseFault, parseModelOptions, parseOptionsHeader, SimulatorOptionError } from './parse-request-options.js';

describe('parseModelOptions', () => {
  it('strips the option suffix from the model name', () => {
    expect(parseModelOptions('sim-model+ttft=200+tps=50+tokens=30+fault=status:503')).toEqual({
      model: 'sim-model',
      options: { ttftMs: 200, tokensPerSecond: 50, tokens: 30, fault: { kind: 'status', status: 503 } },
    });
    expect(parseModelOptions('gpt-4o')).toEqual({ model: 'gpt-4o', options: {} });
  });

  it('reads tool_calls, reasoning and fault_rate', () => {
    expect(parseModelOptions('m+tool_calls=2+reasoning=5+fault=drop_after:3+fault_rate=0.5').options).toEqual({
      toolCalls: 2,
      reasoning: 5,
      fault: { kind: 'drop_after', afterTokens: 3 },
      faultRate: 0.5,
    });
  });

  it('rejects unknown keys and bad values', () => {
    expect(() => parseModelOptions('m+speed=3')).toThrow(SimulatorOptionError);
    expect(() => parseModelOptions('m+ttft=-1')).toThrow(SimulatorOptionError);
    expect(() => parseModelOptions('m+ttft')).toThrow(SimulatorOptionError);
    expect(() => parseModelOptions('m+fault_rate=2')).toThrow(SimulatorOptionError);
  });
});

describe('parseOptionsHeader', () => {
  it('reads semicolon-separated pairs', () => {
    expect(parseOptionsHeader('ttft=200; tps=50;fault=rate_limit:7')).toEqual({
      ttftMs: 200,
      tokensPerSecond: 50,
      fault: { kind: 'rate_limit', retryAfterSeconds: 7 },
    });
    expect(parseOptionsHeader(undefined)).toEqual({});
  });
});

describe('parseFault', () => {
  it('parses every fault kind', () => {
    expect(parseFault('overloaded')).toEqual({ kind: 'overloaded' });
    expect(parseFault('stall_before')).toEqual({ kind: 'stall_before' });
    expect(parseFault('stall_after:2')).toEqual({ kind: 'stall_after', afterTokens: 2 });
    expect(parseFault('error_after:4')).toEqual({ kind: 'error_after', afterTokens: 4 });
    expect(parseFault('slow:5')).toEqual({ kind: 'slow', tokensPerSecond: 5 });
    expect(parseFault('rate_limit')).toEqual({ kind: 'rate_limit', retryAfterSeconds: 1 });
  });

  it('rejects unknown faults, missing values and non-error statuses', () => {
    expect(() => parseFault('explode')).toThrow(SimulatorOptionError);
    expect(() => parseFault('drop_after')).toThrow(SimulatorOptionError);
    expect(() => parseFault('status:200')).toThrow(SimulatorOptionError);
  });
});
