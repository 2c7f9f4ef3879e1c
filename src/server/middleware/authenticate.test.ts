import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createKeyring, readQueryKey } from './authenticate.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('createKeyring', () => {
  const keyring = createKeyring(['key-one', 'key-two']);

  it('identifies a configured key from a bearer token or x-api-key, the same identity either way', () => {
    const bearer = keyring.identify(request({ authorization: 'Bearer key-one' }));
    expect(bearer).toMatch(/^key_[0-9a-f]{12}$/);
    expect(keyring.identify(request({ 'x-api-key': 'key-one' }))).toBe(bearer);
    expect(keyring.identify(request({ authorization: 'bearer key-two' }))).not.toBe(bearer);
  });

  it('rejects a missing, unknown, prefixed or differently cased key', () => {
    const rejected: Record<string, string>[] = [
      {},
      { authorization: 'Bearer key-three' },
      { authorization: 'Bearer key-on' },
      { 'x-api-key': 'KEY-ONE' },
      { authorization: 'Basic key-one' },
    ];
    for (const headers of rejected) {
      expect(keyring.identify(request(headers))).toBeUndefined();
    }
  });

  it('never puts the key into the identity', () => {
    expect(keyring.identify(request({ 'x-api-key': 'key-one' }))).not.toContain('key-one');
  });

  it('identifies a key presented outside the headers (subprotocol, api_key query) the same way', () => {
    expect(keyring.identifyKey('key-one')).toBe(keyring.identify(request({ 'x-api-key': 'key-one' })));
    expect(keyring.identifyKey('key-on')).toBeUndefined();
    expect(readQueryKey('/v1/streams/s?last_event_id=3&api_key=key%2Done')).toBe('key-one');
    expect(readQueryKey('/v1/streams/s?api_key=')).toBeUndefined();
    expect(readQueryKey('/v1/streams/s')).toBeUndefined();
  });

  it('is disabled without keys', () => {
    expect(createKeyring([]).enabled).toBe(false);
    expect(createKeyring(['']).enabled).toBe(false);
  });
});
