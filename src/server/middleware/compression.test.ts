import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressBody, negotiateEncoding } from './compression.js';

describe('negotiateEncoding', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0', undefined],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['GZIP;Q=0.5', 'gzip'],
  ])('%s → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('compressBody', () => {
  it('gzips so that gunzip restores the bytes', async () => {
    const body = Buffer.from(JSON.stringify({ text: 'abc '.repeat(1000) }));
    const compressed = await compressBody(body, 'gzip');
    expect(compressed.length).toBeLessThan(body.length / 10);
    expect(gunzipSync(compressed).equals(body)).toBe(true);
  });
});
