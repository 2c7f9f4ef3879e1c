/**
 * The load-client process: runs stages on request from the orchestrator (over IPC) and answers with summaries.
 * A process of its own so that its CPU and memory are not the gateway's, and the orchestrator's bookkeeping stays
 * out of its event loop.
 */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { ClientMessage, ClientReply, StageRequest, StageResult } from './bench-types.js';
import { createSampleBuffer, summarize } from './stats.js';
import { type StreamOutcome, streamRequest } from './stream-request.js';

const agent = new Agent({
  keepAlive: true,
  maxSockets: Number.POSITIVE_INFINITY,
  maxFreeSockets: 2048,
  scheduling: 'lifo',
});

function send(reply: ClientReply): void {
  process.send?.(reply);
}

/** One stream after another: time to first token without any queueing. */
async function runSequential(stage: Extract<StageRequest, { kind: 'sequential' }>): Promise<StageResult> {
  for (let index = 0; index < stage.warmup; index++)
    await streamRequest({ agent, endpoint: stage.endpoint, shape: stage.shape });
  const ttft = createSampleBuffer();
  const gaps = createSampleBuffer();
  const rates: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let tokens = 0;
  const startedAt = performance.now();
  for (let index = 0; index < stage.requests; index++) {
    const outcome = await streamRequest({
      agent,
      endpoint: stage.endpoint,
      shape: stage.shape,
      onGap: (gap) => gaps.push(gap),
    });
    tokens += outcome.tokens;
    if (outcome.error !== undefined || outcome.firstTokenAt === undefined) {
      errors++;
      firstError ??= outcome.error;
      continue;
    }
    ttft.push(outcome.firstTokenAt - outcome.startedAt);
    if (outcome.tokens > 1 && outcome.lastTokenAt! > outcome.firstTokenAt) {
      rates.push(((outcome.tokens - 1) * 1000) / (outcome.lastTokenAt! - outcome.firstTokenAt));
    }
  }
  return {
    streams: stage.requests - errors,
    errors,
    firstError,
    tokens,
    ttft: summarize(ttft.values()),
    gaps: summarize(gaps.values()),
    elapsedMs: performance.now() - startedAt,
    streamTokensPerSecond: rates,
  };
}

/**
 * `concurrency` workers, each streaming one answer after another. Starts are staggered over `rampMs` (one stream's
 * length) so that the streams do not end, and restart, in lockstep; only streams started after the ramp are
 * measured, and only gaps up to the deadline, so the figures are those of a steady `concurrency` open streams.
 */
async function runClosedLoop(stage: Extract<StageRequest, { kind: 'closed-loop' }>): Promise<StageResult> {
  const startedAt = performance.now();
  const measureFrom = startedAt + stage.rampMs;
  const deadline = measureFrom + stage.durationMs;
  const ttft = createSampleBuffer();
  const gaps = createSampleBuffer(1 << 16);
  let errors = 0;
  let streams = 0;
  let tokens = 0;
  let firstError: string | undefined;
  const onGap = (gap: number, at: number) => {
    if (at <= deadline) gaps.push(gap);
  };
  const record = (outcome: StreamOutcome) => {
    tokens += outcome.tokens;
    if (outcome.error !== undefined || outcome.firstTokenAt === undefined) {
      errors++;
      firstError ??= outcome.error;
      return;
    }
    streams++;
    if (outcome.startedAt >= measureFrom && outcome.firstTokenAt <= deadline)
      ttft.push(outcome.firstTokenAt - outcome.startedAt);
  };
  const worker = async (index: number) => {
    await delay((index * stage.rampMs) / stage.concurrency);
    while (performance.now() < deadline) {
      const measured = performance.now() >= measureFrom;
      record(
        await streamRequest({
          agent,
          endpoint: stage.endpoint,
          shape: stage.shape,
          onGap: measured ? onGap : undefined,
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: stage.concurrency }, (_, index) => worker(index)));
  return {
    streams,
    errors,
    firstError,
    tokens,
    ttft: summarize(ttft.values()),
    gaps: summarize(gaps.values()),
    elapsedMs: performance.now() - startedAt,
    streamTokensPerSecond: [],
  };
}

/** Opens `streams` long streams, each cut by the client after `afterTokens` tokens; reports when each was cut. */
async function runAbort(stage: Extract<StageRequest, { kind: 'abort' }>): Promise<StageResult> {
  const startedAt = performance.now();
  const abortedAt: Record<string, number> = {};
  const ttft = createSampleBuffer();
  let errors = 0;
  let tokens = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: stage.streams }, async (_, index) => {
      // Spread the starts so that the cuts do not all land in the same millisecond.
      await delay((index * 500) / stage.streams);
      const streamId = `${stage.tag}-${index}`;
      const outcome = await streamRequest({
        agent,
        endpoint: stage.endpoint,
        shape: stage.shape,
        streamId,
        abortAfterTokens: stage.afterTokens,
      });
      tokens += outcome.tokens;
      if (outcome.abortedAt === undefined) {
        errors++;
        firstError ??= outcome.error ?? 'the stream ended before the client cut it';
        return;
      }
      abortedAt[streamId] = outcome.abortedAt;
      if (outcome.firstTokenAt !== undefined) ttft.push(outcome.firstTokenAt - outcome.startedAt);
    }),
  );
  return {
    streams: Object.keys(abortedAt).length,
    errors,
    firstError,
    tokens,
    ttft: summarize(ttft.values()),
    gaps: summarize([]),
    elapsedMs: performance.now() - startedAt,
    streamTokensPerSecond: [],
    abortedAt,
  };
}

function runStage(stage: StageRequest): Promise<StageResult> {
  switch (stage.kind) {
    case 'sequential':
      return runSequential(stage);
    case 'closed-loop':
      return runClosedLoop(stage);
    case 'abort':
      return runAbort(stage);
    default: {
      const unknown: never = stage;
      throw new Error(`unknown stage ${JSON.stringify(unknown)}`);
    }
  }
}

process.on('message', (message: ClientMessage) => {
  if (message.type === 'exit') {
    agent.destroy();
    process.disconnect();
    return;
  }
  runStage(message.stage).then(
    (result) => send({ type: 'result', id: message.id, result }),
    (error: unknown) =>
      send({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) }),
  );
});
send({ type: 'ready' });
