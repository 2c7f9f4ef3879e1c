import { describe, expect, it } from 'vitest';
import { formatSimulateBanner, parseSimulateArgs } from './simulate-command.js';
import { UsageError } from './usage-error.js';

describe('parseSimulateArgs', () => {
  it('defaults to 127.0.0.1:4010', () => {
    expect(parseSimulateArgs([])).toMatchObject({ host: '127.0.0.1', port: 4010, lean: false });
  });

  it('reads every flag', () => {
    expect(
      parseSimulateArgs([
        '--port',
        '0',
        '--host',
        '0.0.0.0',
        '--ttft',
        '250',
        '--tps',
        '40',
        '--tokens',
        '64',
        '--api-key',
        'k',
        '--lean',
      ]),
    ).toEqual({ host: '0.0.0.0', port: 0, ttftMs: 250, tokensPerSecond: 40, tokens: 64, apiKey: 'k', lean: true });
    expect(parseSimulateArgs(['--help'])).toBeUndefined();
  });

  it('rejects bad numbers', () => {
    expect(() => parseSimulateArgs(['--port', '70000'])).toThrow(UsageError);
    expect(() => parseSimulateArgs(['--tps', 'fast'])).toThrow(UsageError);
    expect(() => parseSimulateArgs(['--tokens', '1.5'])).toThrow(UsageError);
  });
});

describe('formatSimulateBanner', () => {
  it('prints the base URL for each SDK', () => {
    const banner = formatSimulateBanner('http://127.0.0.1:4010', { tokensPerSecond: 50 });
    expect(banner).toContain('http://127.0.0.1:4010/v1 ');
    expect(banner).toContain("new Anthropic({ baseURL: 'http://127.0.0.1:4010'");
    expect(banner).toContain('50 tokens/s');
  });
});
