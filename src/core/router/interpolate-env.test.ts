import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/request-errors.js';
import { interpolateEnv } from './interpolate-env.js';

describe('interpolateEnv', () => {
  it('replaces variables everywhere, with defaults', () => {
    const result = interpolateEnv(
      { providers: { a: { api_key: '${KEY}', base_url: '${URL:-http://localhost:1}/v1' } }, list: ['${KEY}'] },
      { KEY: 'secret' },
    );
    expect(result).toEqual({
      providers: { a: { api_key: 'secret', base_url: 'http://localhost:1/v1' } },
      list: ['secret'],
    });
  });

  it('leaves an unset api_key empty but rejects other unset variables', () => {
    expect(interpolateEnv({ api_key: '${MISSING}' }, {})).toEqual({ api_key: '' });
    expect(() => interpolateEnv({ base_url: '${MISSING}' }, {})).toThrow(ConfigError);
  });
});
