import { describe, expect, it } from 'vitest';
import { CancelledError, InvalidRequestError, UnsupportedParameterError } from '../errors/request-errors.js';
import { CircuitOpenError, TooSlowError } from '../errors/resilience-errors.js';
import {
  StreamTruncatedError,
  UpstreamConnectionError,
  UpstreamStatusError,
  UpstreamStreamError,
  UpstreamTimeoutError,
} from '../errors/upstream-errors.js';
import { classifyFailure, isDeploymentFailure } from './classify-failure.js';

const status = (code: number, extra: Partial<ConstructorParameters<typeof UpstreamStatusError>[0]> = {}) =>
  new UpstreamStatusError({ provider: 'p', status: code, message: 'm', retryable: code >= 429, ...extra });

describe('classifyFailure', () => {
  it.each([
    ['400', status(400), 'caller'],
    ['404', status(404), 'caller'],
    ['422', status(422), 'caller'],
    ['401', status(401), 'misconfigured'],
    ['403', status(403), 'misconfigured'],
    ['Gemini 400 API_KEY_INVALID', status(400, { kind: 'authentication' }), 'misconfigured'],
    ['context length', status(400, { contextLengthExceeded: true }), 'context_length'],
    ['429', status(429), 'transient'],
    ['500', status(500), 'transient'],
    ['503', status(503), 'transient'],
    ['529', status(529), 'transient'],
    ['408', status(408), 'transient'],
  ] as const)('upstream %s → %s', (_name, error, expected) => {
    expect(classifyFailure(error)).toBe(expected);
  });

  it.each([
    ['invalid request', new InvalidRequestError('bad'), 'caller'],
    ['unsupported parameter', new UnsupportedParameterError({ param: 'x', message: 'no' }), 'caller'],
    ['cancelled', new CancelledError(), 'cancelled'],
    ['bare AbortError', new DOMException('aborted', 'AbortError'), 'cancelled'],
    ['connection', new UpstreamConnectionError('p', new Error('ECONNRESET')), 'transient'],
    ['connect timeout', new UpstreamTimeoutError({ kind: 'connect', timeoutMs: 1 }), 'transient'],
    ['first-token timeout', new UpstreamTimeoutError({ kind: 'first_token', timeoutMs: 1 }), 'transient'],
    ['idle timeout', new UpstreamTimeoutError({ kind: 'idle', timeoutMs: 1 }), 'transient'],
    ['in-stream error', new UpstreamStreamError({ provider: 'p', message: 'overloaded' }), 'transient'],
    ['truncated', new StreamTruncatedError('p'), 'transient'],
    ['too slow', new TooSlowError({ tokensPerSecond: 1, minTokensPerSecond: 5 }), 'transient'],
    ['unknown', new TypeError('boom'), 'transient'],
    ['non-error', 'boom', 'transient'],
  ] as const)('%s → %s', (_name, error, expected) => {
    expect(classifyFailure(error)).toBe(expected);
  });

  it('only transient and misconfigured count against the deployment', () => {
    expect(isDeploymentFailure('transient')).toBe(true);
    expect(isDeploymentFailure('misconfigured')).toBe(true);
    expect(isDeploymentFailure('caller')).toBe(false);
    expect(isDeploymentFailure('context_length')).toBe(false);
    expect(isDeploymentFailure('cancelled')).toBe(false);
  });

  it('the new errors carry their codes', () => {
    const open = new CircuitOpenError({ deployment: 'd', retryAfterMs: 10 });
    expect(open).toMatchObject({
      code: 'CIRCUIT_OPEN',
      status: 503,
      retryable: true,
      retryAfterMs: 10,
      deployment: 'd',
    });
    expect(new TooSlowError({ tokensPerSecond: 1, minTokensPerSecond: 5 })).toMatchObject({
      code: 'TOO_SLOW',
      retryable: true,
    });
  });
});
