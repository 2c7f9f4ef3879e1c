import { describe, expect, it } from 'vitest';
import { encodeSseEvent } from '../../core/sse/encode-sse.js';
import type { ChatCompletionChunk } from '../../core/types/chat-chunk.js';
import { type AnthropicStreamEvent, createAnthropicEventEncoder } from './create-anthropic-event-encoder.js';
import {
  parallelToolCallChunks,
  textOnlyChunks,
  thinkingThenTextChunks,
  usageOnFinishChunks,
} from './fixtures/chunk-fixtures.js';

const options = { messageId: 'msg_01', model: 'gemini-2.5-flash', inputTokensEstimate: 10 };

/** Every chunk through `encodeChunk`, then `finish()`: what the server does for one stream. */
function encodeAll(chunks: ChatCompletionChunk[]): AnthropicStreamEvent[] {
  const encoder = createAnthropicEventEncoder(options);
  return [...chunks.flatMap((chunk) => encoder.encodeChunk(chunk)), ...encoder.finish()];
}

const messageStart = {
  event: 'message_start',
  data: '{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"gemini-2.5-flash","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":0}}}',
};
const ping = { event: 'ping', data: '{"type":"ping"}' };
const blockStop = (index: number) => ({
  event: 'content_block_stop',
  data: `{"type":"content_block_stop","index":${index}}`,
});
const messageStop = { event: 'message_stop', data: '{"type":"message_stop"}' };

describe('createAnthropicEventEncoder', () => {
  it('encodes a text-only stream', () => {
    expect(encodeAll(textOnlyChunks)).toStrictEqual([
      messageStart,
      ping,
      {
        event: 'content_block_start',
        data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", \\"world\\"\\n"}}',
      },
      blockStop(0),
      {
        event: 'message_delta',
        data: '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":12,"output_tokens":3}}',
      },
      messageStop,
    ]);
  });

  it('encodes thinking with its signature, then text', () => {
    expect(encodeAll(thinkingThenTextChunks)).toStrictEqual([
      messageStart,
      ping,
      {
        event: 'content_block_start',
        data: '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" about it."}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}',
      },
      blockStop(0),
      {
        event: 'content_block_start',
        data: '{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"42"}}',
      },
      blockStop(1),
      {
        event: 'message_delta',
        data: '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":20,"output_tokens":9}}',
      },
      messageStop,
    ]);
  });

  it('encodes text followed by two tool calls as separate blocks', () => {
    expect(encodeAll(parallelToolCallChunks)).toStrictEqual([
      messageStart,
      ping,
      {
        event: 'content_block_start',
        data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking both."}}',
      },
      blockStop(0),
      {
        event: 'content_block_start',
        data: '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_a","name":"get_weather","input":{}}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"Paris\\"}"}}',
      },
      blockStop(1),
      {
        event: 'content_block_start',
        data: '{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_b","name":"get_weather","input":{}}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"loc"}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"ation\\":\\"Rome\\"}"}}',
      },
      blockStop(2),
      {
        event: 'message_delta',
        data: '{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":50,"output_tokens":30}}',
      },
      messageStop,
    ]);
  });

  it('holds message_delta after the finish chunk until the usage chunk arrives', () => {
    const encoder = createAnthropicEventEncoder(options);
    const [first, second, third, finishChunk, usage] = textOnlyChunks;
    for (const chunk of [first, second, third]) encoder.encodeChunk(chunk);
    expect(encoder.encodeChunk(finishChunk).map((event) => event.event)).toStrictEqual(['content_block_stop']);
    expect(encoder.encodeChunk(usage).map((event) => event.event)).toStrictEqual(['message_delta', 'message_stop']);
    expect(encoder.finish()).toStrictEqual([]);
    expect(encoder.encodeChunk(usage)).toStrictEqual([]);
  });

  it('sends message_delta with usage that rides on the finish chunk', () => {
    const encoder = createAnthropicEventEncoder(options);
    encoder.encodeChunk(usageOnFinishChunks[0]);
    expect(encoder.encodeChunk(usageOnFinishChunks[1])).toStrictEqual([
      blockStop(0),
      {
        event: 'message_delta',
        data: '{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"input_tokens":5,"output_tokens":1}}',
      },
      messageStop,
    ]);
  });

  it('closes the message at finish() when no usage ever came', () => {
    const events = encodeAll(textOnlyChunks.slice(0, 4));
    expect(events.at(-2)).toStrictEqual({
      event: 'message_delta',
      data: '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":0}}',
    });
  });

  it('produces a complete empty message for an empty stream', () => {
    expect(encodeAll([]).map((event) => event.event)).toStrictEqual([
      'message_start',
      'ping',
      'message_delta',
      'message_stop',
    ]);
  });

  it('maps content_filter to refusal', () => {
    const events = encodeAll([
      { ...textOnlyChunks[1], choices: [{ index: 0, delta: {}, finish_reason: 'content_filter' }] },
    ]);
    expect(events.find((event) => event.event === 'message_delta')?.data).toContain('"stop_reason":"refusal"');
  });

  it('emits an in-stream error event and nothing after it', () => {
    const encoder = createAnthropicEventEncoder(options);
    encoder.encodeChunk(textOnlyChunks[1]);
    expect(encoder.error({ type: 'overloaded_error', message: 'Overloaded' })).toStrictEqual([
      { event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' },
    ]);
    expect(encoder.encodeChunk(textOnlyChunks[2])).toStrictEqual([]);
    expect(encoder.finish()).toStrictEqual([]);
  });

  it('frames as single-line SSE events with encodeSseEvent', () => {
    const text = encodeAll(textOnlyChunks).map(encodeSseEvent).join('');
    expect(text.startsWith('event: message_start\ndata: {"type":"message_start"')).toBe(true);
    expect(text).toContain(
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", \\"world\\"\\n"}}\n\n',
    );
    expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
    for (const event of encodeAll(parallelToolCallChunks)) expect(() => JSON.parse(event.data)).not.toThrow();
  });
});
