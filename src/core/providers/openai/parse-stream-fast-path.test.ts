import { afterEach, describe, expect, it, vi } from 'vitest';
import { trickyTokenLiterals as trickyTokens } from '../../../../test/support/fast-path-cases.js';
import { recordParserRun } from '../../../../test/support/record-parser-run.js';
import { createOpenAIStreamParser } from './parse-stream.js';

/** Feeds `datas` as events; everything the parser did, in order, so two runs compare as one value. */
function run(datas: readonly string[], fastTextDeltas: boolean) {
  return recordParserRun(createOpenAIStreamParser, 'openai', datas, fastTextDeltas);
}

function expectSameAsFullParse(datas: readonly string[]) {
  expect(run(datas, true)).toEqual(run(datas, false));
}

// The simulator's envelope, and a recorded OpenAI one (vercel/ai gpt-4.1-nano fixture, as openai-text.sse).
const simulatorEnvelope = (delta: string, finish = 'null') =>
  `{"id":"chatcmpl-x1","object":"chat.completion.chunk","created":1770000000,"model":"sim","service_tier":"default","system_fingerprint":"fp_simulator","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]}`;
const openaiEnvelope = (delta: string) =>
  `{"id":"chatcmpl-D8Z5","object":"chat.completion.chunk","created":1770933892,"model":"gpt-4.1-nano","service_tier":"default","system_fingerprint":"fp_de604bd877","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":null}],"usage":null}`;
const text = (literal: string) => `{"content":${literal}}`;

describe('OpenAI text-delta fast path gives exactly what the full parse gives', () => {
  afterEach(() => vi.restoreAllMocks());

  for (const [name, envelope] of [
    ['simulator', simulatorEnvelope],
    ['recorded OpenAI', openaiEnvelope],
  ] as const) {
    it(`${name} envelope: role chunk, tricky tokens, finish, [DONE]`, () => {
      expectSameAsFullParse([
        envelope('{"role":"assistant","content":"","refusal":null}'),
        ...trickyTokens.map((token) => envelope(text(`"${token}"`))),
        simulatorEnvelope('{}', '"stop"'),
        '[DONE]',
      ]);
    });
  }

  it('steady-state text chunks are not parsed in full', () => {
    const tokens = trickyTokens.map((token) => simulatorEnvelope(text(`"${token}"`)));
    const parse = vi.spyOn(JSON, 'parse');
    run(tokens, true);
    const fullParses = parse.mock.calls.filter(([input]) => String(input).startsWith('{')).length;
    // The first one in full, then two probes to learn the template; none after.
    expect(fullParses).toBe(3);
  });

  it('middles that are not exactly one string fall back to the full parse (and its malformed reports)', () => {
    const base = simulatorEnvelope(text('"learn me"'));
    expectSameAsFullParse([
      base,
      simulatorEnvelope(text('"a","b"')),
      simulatorEnvelope(text('"a" ')),
      simulatorEnvelope(text('null')),
      simulatorEnvelope(text('42')),
      simulatorEnvelope(text('"bad \\x escape"')),
      simulatorEnvelope(text('"raw \n newline"')),
      simulatorEnvelope(text('"unterminated')),
      simulatorEnvelope(text('"a"}],"usage":{"prompt_tokens":1,"completion_tokens":2},"x":[{"y":"z"')),
      simulatorEnvelope(text('"a","refusal":"no"')),
      simulatorEnvelope(text('"a","content":"b"')),
      simulatorEnvelope(text('"a","tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":""}}]')),
      simulatorEnvelope(text('"\\u12"')),
      `${base} `,
      ` ${base}`,
      base.slice(0, -1),
      simulatorEnvelope('{}', '"stop"'),
      '[DONE]',
    ]);
  });

  it('envelopes that change (reasoning, tool calls, usage, another id) interleaved with text', () => {
    expectSameAsFullParse([
      simulatorEnvelope('{"role":"assistant","content":null,"reasoning_content":"think"}'),
      simulatorEnvelope(text('"a"')),
      simulatorEnvelope('{"reasoning_content":"more"}'),
      simulatorEnvelope(text('"b"')),
      simulatorEnvelope('{"content":"c","reasoning":"r"}'),
      simulatorEnvelope(text('"d"')),
      simulatorEnvelope('{"refusal":"nope"}'),
      simulatorEnvelope(text('"e"')),
      simulatorEnvelope('{"content":"f","refusal":"nope"}'),
      simulatorEnvelope(text('"g"')),
      simulatorEnvelope(
        '{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}',
      ),
      simulatorEnvelope('{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}'),
      simulatorEnvelope(text('"h"')),
      simulatorEnvelope(text('"i"')).replace('chatcmpl-x1', 'chatcmpl-other'),
      simulatorEnvelope(text('"j"')).replace('"model":"sim"', '"model":"other"'),
      simulatorEnvelope(text('"k"')),
      `${simulatorEnvelope(text('"l"')).slice(0, -1)},"usage":{"prompt_tokens":3,"completion_tokens":4}}`,
      simulatorEnvelope(text('"m"')),
      simulatorEnvelope(text('"n"'), '"length"'),
      simulatorEnvelope(text('"after finish"')),
      '[DONE]',
      simulatorEnvelope(text('"after done"')),
    ]);
  });

  it('adversarial: `"content":"` inside other strings, repeated keys, several choices', () => {
    const tricky = (delta: string, model = 'sim') =>
      `{"id":"chatcmpl-x","object":"chat.completion.chunk","model":${JSON.stringify(model)},"choices":[{"index":0,"delta":${delta},"finish_reason":null}]}`;
    expectSameAsFullParse([
      tricky(text('"a"'), '"content":"decoy'),
      tricky(text('"b"'), '"content":"decoy'),
      tricky(text('"c"'), '"content":"decoy'),
      `{"id":"x","note":"\\"content\\":\\"decoy","choices":[{"delta":{"content":"d"}}]}`,
      `{"id":"x","note":"\\"content\\":\\"decoy","choices":[{"delta":{"content":"e"}}]}`,
      // A repeated key: the last one wins in JSON.parse, so the first literal is not the text.
      `{"id":"x","choices":[{"delta":{"content":"f","content":"g"}}]}`,
      `{"id":"x","choices":[{"delta":{"content":"h","content":"g"}}]}`,
      // ... also when the winning value happens to be one of the learning probes.
      `{"id":"x","choices":[{"delta":{"content":"x","content":"a"}}]}`,
      `{"id":"x","choices":[{"delta":{"content":"y","content":"a"}}]}`,
      `{"id":"x","choices":[{"delta":{"content":"x","content":"b"}}]}`,
      `{"id":"x","choices":[{"delta":{"content":"y","content":"b"}}]}`,
      `{"id":"x","choices":[{"delta":{"content":"i"}}],"choices":[{"delta":{"content":"j"}}]}`,
      `{"id":"x","choices":[{"delta":{"content":"k"}}],"choices":[{"delta":{"content":"j"}}]}`,
      // Only the first choice is read; text in a second one is not.
      `{"id":"x","choices":[{"delta":{"content":"l"}},{"delta":{"content":"m"}}]}`,
      `{"id":"x","choices":[{"delta":{"content":"n"}},{"delta":{"content":"o"}}]}`,
      `{"id":"x","choices":[{"delta":{"tool_calls":null,"content":"p"}}]}`,
      `{"id":"x","choices":[{"delta":{"tool_calls":null,"content":"q"}}]}`,
      `{"id":"x","choices":[{"delta":{"content" : "r"}}]}`,
      `{"id":"x","choices":[{"delta":{"content" : "s"}}]}`,
      `{"id":"x","choices":[{"delta":{"content":"t"}}],"error":null}`,
      `{"id":"x","choices":[{"delta":{"content":"u"}}],"error":{"message":"boom"}}`,
      `{"choices":[{"delta":{"content":"no id"}}]}`,
      `{"choices":[{"delta":{"content":"no id either"}}]}`,
      `{"id":"late-id","choices":[{"delta":{"content":"v"}}]}`,
    ]);
  });

  it('randomized: mutated envelopes and tokens never differ from the full parse', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const alphabet = ['a', '"', '\\', 'n', 'u', '0', '{', '}', ',', ':', ' ', 'é', '\n', '[', ']', 'content'];
    for (let round = 0; round < 200; round++) {
      const datas: string[] = [];
      for (let index = 0; index < 30; index++) {
        const token = Array.from({ length: Math.floor(random() * 6) }, () =>
          trickyTokens[Math.floor(random() * trickyTokens.length)].slice(0, 1 + Math.floor(random() * 8)),
        ).join('');
        let data = simulatorEnvelope(text(`"${token}"`));
        if (random() < 0.2) {
          const at = Math.floor(random() * data.length);
          const insert = random() < 0.5 ? alphabet[Math.floor(random() * alphabet.length)] : '';
          data = data.slice(0, at) + insert + data.slice(at + (random() < 0.5 ? 1 : 0));
        }
        datas.push(data);
      }
      expectSameAsFullParse(datas);
    }
  });
});
