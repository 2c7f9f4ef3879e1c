import type { Endpoint } from './bench-types.js';

/** A route through the gateway and the direct call it is compared with. */
export interface BenchPath {
  id: 'pass-through' | 'openai-to-anthropic' | 'anthropic-to-gemini';
  label: string;
  /** The client calls the upstream itself, in the upstream's own protocol. */
  direct: Endpoint;
  /** The client calls the gateway, which calls the same upstream. */
  gateway: Endpoint;
}

/** The three measured paths: pass-through, and one translation each way. */
export function createBenchPaths(upstreamUrl: string, gatewayUrl: string): BenchPath[] {
  return [
    {
      id: 'pass-through',
      label: 'OpenAI in → OpenAI upstream',
      direct: { origin: upstreamUrl, format: 'openai', model: 'bench' },
      gateway: { origin: gatewayUrl, format: 'openai', model: 'sim-openai/bench' },
    },
    {
      id: 'openai-to-anthropic',
      label: 'OpenAI in → Anthropic upstream',
      direct: { origin: upstreamUrl, format: 'anthropic', model: 'bench' },
      gateway: { origin: gatewayUrl, format: 'openai', model: 'sim-anthropic/bench' },
    },
    {
      id: 'anthropic-to-gemini',
      label: 'Anthropic in → Gemini upstream',
      direct: { origin: upstreamUrl, format: 'gemini', model: 'bench' },
      gateway: { origin: gatewayUrl, format: 'anthropic', model: 'sim-google/bench' },
    },
  ];
}

/** The gateway config: one provider of each protocol, all pointing at the simulator. */
export function createGatewayConfig(upstreamUrl: string): Record<string, unknown> {
  return {
    providers: {
      'sim-openai': { type: 'openai', base_url: `${upstreamUrl}/v1`, api_key: 'bench' },
      'sim-anthropic': { type: 'anthropic', base_url: upstreamUrl, api_key: 'bench' },
      'sim-google': { type: 'google', base_url: upstreamUrl, api_key: 'bench' },
    },
  };
}

/** How much of everything one run does. */
export interface BenchPlan {
  name: 'full' | 'quick';
  /** Sequential streams for time to first token at 1 stream (after `ttftWarmup` unmeasured ones). */
  ttftRequests: number;
  ttftWarmup: number;
  /** Tokens in the unpaced single stream, and how many times it runs (the median counts). */
  throughputTokens: number;
  throughputRuns: number;
  /** Concurrent paced streams, stepped up; each step runs direct, then through the gateway. */
  ladder: number[];
  /** Paced stream shape: `pacedTokens` at `pacedTokensPerSecond` (one stream's length is also the ramp). */
  pacedTokens: number;
  pacedTokensPerSecond: number;
  /** Measured window of each ladder step, after the ramp. */
  ladderDurationMs: number;
  /** Streams the client cuts in the abort stage, each after `abortAfterTokens` tokens. */
  abortStreams: number;
  abortAfterTokens: number;
  /** Measure what the open streams of each ladder step retain after a GC (holds them ~12 s per step). */
  measureRetained: boolean;
  /**
   * The later after-load reading: once the token counter has exited, and at least `minimumMs` after the load.
   * Undefined: only the reading 2 s after the load.
   */
  afterCounterExit: { minimumMs: number } | undefined;
  /** Run the paced ladder through the floor proxy too (TTFT and throughput always are). */
  floorLadder: boolean;
}

export const fullPlan: BenchPlan = {
  name: 'full',
  ttftRequests: 1_000,
  // A gateway in service is warm: the request path keeps getting faster for the first few thousand requests as V8
  // optimizes it (added TTFT p50 ~1.6 → ~0.7 ms of gateway time over the first 4,000, in-process marks).
  ttftWarmup: 3_000,
  throughputTokens: 200_000,
  throughputRuns: 3,
  ladder: [100, 250, 500, 1000],
  pacedTokens: 100,
  pacedTokensPerSecond: 50,
  ladderDurationMs: 8_000,
  abortStreams: 200,
  abortAfterTokens: 3,
  measureRetained: true,
  afterCounterExit: { minimumMs: 15_000 },
  floorLadder: true,
};

/** Under a minute: every measurement, fewer and shorter. */
export const quickPlan: BenchPlan = {
  name: 'quick',
  ttftRequests: 200,
  // Enough for V8 to optimize most of the request path: a cold gateway adds milliseconds that a warm one does not.
  ttftWarmup: 500,
  throughputTokens: 20_000,
  throughputRuns: 1,
  ladder: [100],
  pacedTokens: 50,
  pacedTokensPerSecond: 50,
  ladderDurationMs: 2_000,
  abortStreams: 20,
  abortAfterTokens: 3,
  // Under a minute: the quick run judges per-stream memory on the peak growth, reads RSS after the load only at 2 s
  // (the token counter's idle wait grows to 20 s over three abort stages), and runs no ladder through the floor.
  measureRetained: false,
  afterCounterExit: undefined,
  floorLadder: false,
};
