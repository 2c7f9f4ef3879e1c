import { describe, expect, it } from 'vitest';
import { fixtureEventDatas, trickyTokenLiterals as tokens } from '../../../../test/support/fast-path-cases.js';
import { recordParserRun } from '../../../../test/support/record-parser-run.js';
import { createAnthropicStreamParser } from './parse-stream.js';

/** Feeds `datas` as events; everything the parser did, in order, so two runs compare as one value. */
function run(datas: readonly string[], fastTextDeltas: boolean) {
  return recordParserRun(createAnthropicStreamParser, 'anthropic', datas, fastTextDeltas);
}

function expectSameAsFullParse(datas: readonly string[]) {
  expect(run(datas, true)).toEqual(run(datas, false));
}

const textDelta = (literal: string, index = 0) =>
  `{"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":${literal}}}`;
describe('Anthropic text-delta fast path gives exactly what the full parse gives', () => {
  for (const name of ['text.sse', 'parallel-tool-use.sse', 'error-overloaded.sse', 'pings.sse', 'refusal.sse']) {
    it(`recorded stream ${name}, and with tricky tokens in its text deltas`, () => {
      const datas = fixtureEventDatas(import.meta.url, name);
      expectSameAsFullParse(datas);
      expectSameAsFullParse(
        datas.flatMap((data) =>
          data.includes('"text_delta"') ? tokens.map((token) => textDelta(`"${token}"`)) : [data],
        ),
      );
    });
  }

  it('other deltas, other events and malformed middles in the same envelope fall back', () => {
    expectSameAsFullParse([
      '{"type":"message_start","message":{"id":"msg_1","model":"claude","usage":{"input_tokens":3,"output_tokens":1}}}',
      '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
      textDelta('"a"'),
      textDelta('"b"'),
      textDelta('"c"', 1),
      textDelta('null'),
      textDelta('7'),
      textDelta('"a","b"'),
      textDelta('"bad \\x"'),
      textDelta('"raw \n"'),
      textDelta('"d","type":"thinking_delta"'),
      '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}',
      textDelta('"e"'),
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"f","type":"citations_delta"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"g","type":"citations_delta"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"h","text":"a"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"i","text":"a"}}',
      '{"type":"content_block_delta","note":"\\"text\\":\\"decoy","delta":{"type":"text_delta","text":"j"}}',
      '{"type":"content_block_delta","note":"\\"text\\":\\"decoy","delta":{"type":"text_delta","text":"k"}}',
      '{"type":"content_block_delta","index":0,"delta":{"text":"l","type":"text_delta"}}',
      '{"type":"content_block_delta","index":0,"delta":{"text":"m","type":"text_delta"}}',
      '{"type":"error","error":{"type":"overloaded_error","text":"n"}}',
      '{"type":"content_block_stop","index":0}',
      '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}',
      '{"type":"message_stop"}',
    ]);
  });
});
