import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';

function captureLines() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts authorization headers and api keys wherever they appear', () => {
    const { lines, destination } = captureLines();
    const logger = createLogger({ destination });
    logger.info({
      req: {
        headers: { authorization: 'Bearer sk-secret', 'x-api-key': 'sk-ant-secret', accept: 'text/event-stream' },
      },
      config: { providers: { openai: { api_key: 'sk-provider' } } },
      api_key: 'sk-top',
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('sk-secret');
    expect(text).not.toContain('sk-ant-secret');
    expect(text).not.toContain('sk-provider');
    expect(text).not.toContain('sk-top');
    expect(text).toContain('text/event-stream');
    expect(text).toContain('[redacted]');
  });

  it('honours the configured level', () => {
    const { lines, destination } = captureLines();
    const logger = createLogger({ level: 'warn', destination });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });
});
