// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these are config-file ${VAR} references, not template strings
import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from './server-config-schema.js';

describe('resolveServerConfig', () => {
  it('fills the defaults', () => {
    expect(resolveServerConfig(undefined, {})).toEqual({
      host: '127.0.0.1',
      port: 3000,
      api_keys: [],
      max_body_bytes: 10 * 1024 * 1024,
      header_deadline_ms: 10_000,
      keep_alive_interval_ms: 15_000,
      shutdown_grace_ms: 10_000,
      log_level: 'info',
      log_content: false,
      cors_origins: [],
      sessions: {
        resume: 'on_request',
        detach_timeout_ms: 60_000,
        retention_ms: 300_000,
        max_events: 10_000,
        max_bytes: 4 * 1024 * 1024,
        max_sessions: 10_000,
      },
      websocket: { ping_interval_ms: 30_000, max_buffered_bytes: 1024 * 1024, max_streams_per_socket: 100 },
    });
  });

  it('takes partial websocket settings and refuses unknown ones', () => {
    expect(resolveServerConfig({ websocket: { ping_interval_ms: '5000' } }, {}).websocket).toEqual({
      ping_interval_ms: 5_000,
      max_buffered_bytes: 1024 * 1024,
      max_streams_per_socket: 100,
    });
    expect(() => resolveServerConfig({ websocket: { max_streams_per_socket: 0 } }, {})).toThrow(
      /server\.websocket\.max_streams_per_socket/,
    );
    expect(() => resolveServerConfig({ websocket: { pings: 1 } }, {})).toThrow(/websocket/);
  });

  it('takes partial sessions settings and refuses unknown ones', () => {
    expect(resolveServerConfig({ sessions: { resume: 'always', retention_ms: '1000' } }, {}).sessions).toMatchObject({
      resume: 'always',
      retention_ms: 1000,
      detach_timeout_ms: 60_000,
    });
    expect(() => resolveServerConfig({ sessions: { resume: 'sometimes' } }, {})).toThrow(/server\.sessions\.resume/);
  });

  it('takes CORS origins as scheme://host[:port] or *, and refuses anything else', () => {
    const origins = ['https://app.example.com', 'http://127.0.0.1:5173/', '*'];
    expect(resolveServerConfig({ cors_origins: origins }, {}).cors_origins).toEqual(origins);
    expect(() => resolveServerConfig({ cors_origins: ['app.example.com'] }, {})).toThrow(/server\.cors_origins/);
    expect(() => resolveServerConfig({ cors_origins: ['https://app.example.com/path'] }, {})).toThrow(/cors_origins/);
  });

  it('interpolates ${VAR} and coerces numbers that came from the environment', () => {
    const settings = resolveServerConfig(
      { port: '${GATEWAY_PORT}', api_keys: ['${GATEWAY_KEY}', '${SPARE_KEY:-}'], log_level: 'debug' },
      { GATEWAY_PORT: '8081', GATEWAY_KEY: 'key-1' },
    );
    expect(settings).toMatchObject({ port: 8081, api_keys: ['key-1'], log_level: 'debug' });
  });

  it('applies CIRCUIT_BREAKER_API_KEYS, HOST and PORT over the file', () => {
    const settings = resolveServerConfig(
      { host: '127.0.0.1', port: 3000, api_keys: ['from-file'] },
      { CIRCUIT_BREAKER_API_KEYS: 'a, b,,', HOST: '0.0.0.0', PORT: '9000' },
    );
    expect(settings).toMatchObject({ host: '0.0.0.0', port: 9000, api_keys: ['from-file', 'a', 'b'] });
  });

  it('reports the offending field', () => {
    expect(() => resolveServerConfig({ port: 'eighty' }, {})).toThrow(/server\.port/);
    expect(() => resolveServerConfig({ prot: 80 }, {})).toThrow(/server/);
    expect(() => resolveServerConfig({ api_keys: ['${MISSING_KEY}'] }, {})).toThrow(/MISSING_KEY/);
  });
});
