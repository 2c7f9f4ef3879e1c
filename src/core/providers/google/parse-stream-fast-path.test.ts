import { describe, expect, it } from 'vitest';
import { fixtureEventDatas, trickyTokenLiterals as tokens } from '../../../../test/support/fast-path-cases.js';
import { recordParserRun } from '../../../../test/support/record-parser-run.js';
import { createGoogleStreamParser } from './parse-stream.js';

/**
 * The fast path reads a plain-text event's running usage only when it can matter (before the next event read in
 * full, and at the end): usage parts followed by nothing but usage until a text delta are ones it leaves out. Everything
 * else — every text, the usage before any other part, errors, malformed reports — must be what the full parse gives.
 */
function run(datas: readonly string[], fastTextDeltas: boolean) {
  const log = recordParserRun(
    (context, options) => createGoogleStreamParser(context, options),
    'google',
    datas,
    fastTextDeltas,
  );
  const type = (entry: unknown) => (entry as { type?: string }).type;
  const nextOtherThanUsage = (index: number) => log.slice(index + 1).find((entry) => type(entry) !== 'usage');
  return log
    .filter((entry, index) => !(type(entry) === 'usage' && type(nextOtherThanUsage(index)) === 'text-delta'))
    .map((entry) => (type(entry) === 'tool-call-start' ? { ...(entry as object), id: 'generated' } : entry));
}

function expectSameAsFullParse(datas: readonly string[]) {
  expect(run(datas, true)).toEqual(run(datas, false));
}

const textEvent = (literal: string, candidates = 5, total = 14, extra = '') =>
  `{"candidates":[{"content":{"parts":[{"text":${literal}${extra}}],"role":"model"},"index":0}],` +
  `"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":${candidates},"totalTokenCount":${total}},` +
  `"modelVersion":"gemini-2.5-flash","responseId":"r-07"}`;
const stopEvent = (candidates: number) =>
  `{"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],` +
  `"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":${candidates},"totalTokenCount":${9 + candidates}},` +
  `"modelVersion":"gemini-2.5-flash","responseId":"r-07"}`;
describe('Gemini text fast path gives what the full parse gives', () => {
  for (const name of [
    'text-running-usage.sse',
    'thinking.sse',
    'tool-call.sse',
    'parallel-tool-calls.sse',
    'empty-text-thought-signature.sse',
    'in-stream-error.sse',
    'malformed-event.sse',
    'safety.sse',
    'max-tokens.sse',
    'truncated.sse',
  ]) {
    it(`recorded stream ${name}`, () => {
      expectSameAsFullParse(fixtureEventDatas(import.meta.url, name));
    });
  }

  it('tricky tokens with running counts, then a stop whose usage is the last word', () => {
    const datas = tokens.map((token, index) => textEvent(`"${token}"`, 5 + index * 7, 14 + index * 7));
    expectSameAsFullParse([...datas, stopEvent(99)]);
    // Cut off after text events only: the last text event's usage is still the one reported.
    const parts = run(datas, true);
    const last = tokens.length - 1;
    expect(parts.at(-2)).toEqual({
      type: 'usage',
      usage: { prompt_tokens: 9, completion_tokens: 5 + last * 7, total_tokens: 14 + last * 7 },
    });
    expect(parts.filter((part) => (part as { type?: string }).type === 'text-delta')).toHaveLength(tokens.length - 1);
  });

  it('changed envelopes, leading zeros, signatures, thoughts and malformed middles fall back', () => {
    expectSameAsFullParse([
      textEvent('"a"'),
      textEvent('"b"', 12, 21),
      textEvent('"c"', 120, 1290),
      textEvent('"d"', 0o7, 14),
      textEvent('"e"').replace('"candidatesTokenCount":5', '"candidatesTokenCount":05'),
      textEvent('"f"').replace('r-07', 'r-08'),
      textEvent('"g"').replace('r-07', 'r-7'),
      textEvent('"h"', 5, 14, ',"thoughtSignature":"sig"'),
      textEvent('"i"'),
      textEvent('"j"', 5, 14, ',"thought":true'),
      textEvent('"k"'),
      textEvent('null'),
      textEvent('7'),
      textEvent('"l","text":"m"'),
      textEvent('"bad \\x"'),
      textEvent('"raw \n"'),
      textEvent('"n"').replace('"index":0', '"index":1'),
      textEvent('"o"').replace('"usageMetadata"', '"usage"'),
      '{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}',
      textEvent('"p"'),
      stopEvent(30),
    ]);
  });
});
