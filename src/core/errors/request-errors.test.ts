import { describe, expect, it } from 'vitest';
import { CircuitBreakerError } from './circuit-breaker-error.js';
import { CancelledError, ConfigError } from './request-errors.js';

describe('CancelledError', () => {
  it('carries no stack frames, and keeps its code, status, message and cause', () => {
    const cause = new Error('underlying');
    const error = new CancelledError('The client disconnected.', cause);
    expect(error).toBeInstanceOf(CircuitBreakerError);
    expect(error).toMatchObject({ code: 'CANCELLED', status: 499, message: 'The client disconnected.', cause });
    expect(error.stack?.split('\n')).toHaveLength(1);
    expect(error.stack).toContain('The client disconnected.');
  });

  it('leaves stack capture as it was for every other error, also when the limit was changed', () => {
    const saved = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = 3;
      new CancelledError();
      expect(Error.stackTraceLimit).toBe(3);
      expect(new ConfigError('bad').stack?.split('\n').length).toBeGreaterThan(1);
    } finally {
      Error.stackTraceLimit = saved;
    }
  });
});
