/**
 * The messages between the bench orchestrator and the load-client process, and the shapes of their results.
 * Plain JSON: they cross an IPC channel.
 */

/** The wire format a client speaks (or reads): decides the request body and how a token line is recognized. */
export type WireFormat = 'openai' | 'anthropic' | 'gemini';

/** Where a stream goes: the upstream directly, or through the gateway. */
export type Target = 'direct' | 'gateway';

/** One HTTP endpoint the load client streams from, in one wire format. */
export interface Endpoint {
  /** `http://127.0.0.1:port`. */
  origin: string;
  format: WireFormat;
  /**
   * The model string to send: for direct calls the simulator model, for gateway calls `provider/model`. Option
   * suffixes (`+tps=50+tokens=100`) and a per-stream id are appended by the client.
   */
  model: string;
}

/** The simulator answer shape of a stage's streams (sent as the `+ttft=..+tps=..+tokens=..` model suffix). */
export interface StreamShape {
  tokens: number;
  /** 0 = unpaced. */
  tokensPerSecond: number;
}

/** A stage the load client runs against one endpoint. */
export type StageRequest =
  | { kind: 'sequential'; endpoint: Endpoint; shape: StreamShape; requests: number; warmup: number }
  | {
      kind: 'closed-loop';
      endpoint: Endpoint;
      shape: StreamShape;
      concurrency: number;
      rampMs: number;
      durationMs: number;
    }
  | { kind: 'abort'; endpoint: Endpoint; shape: StreamShape; streams: number; afterTokens: number; tag: string };

/** What one stage measured. Latencies in milliseconds. */
export interface StageResult {
  /** Streams that completed (or, in an abort stage, were cut as planned). */
  streams: number;
  /** Streams that failed: non-200, socket error, or no token. */
  errors: number;
  /** The first error message seen, for the report. */
  firstError?: string;
  /** Tokens received over the whole stage, ramp included (CPU per token divides by this). */
  tokens: number;
  /** Time to first token of each measured stream. */
  ttft: Distribution;
  /** Gaps between consecutive tokens within a stream (measured window only). */
  gaps: Distribution;
  /** Stage wall time. */
  elapsedMs: number;
  /** Tokens per second of the fastest stream, first token to last (single-stream throughput). */
  streamTokensPerSecond: number[];
  /** Abort stages: per stream id, the wall-clock epoch ms when the client destroyed the socket. */
  abortedAt?: Record<string, number>;
}

/** A latency sample, summarized where it was measured (the raw samples would be megabytes over IPC). */
export interface Distribution {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Share of samples under 1 ms: for gaps between paced tokens, that is bunching (tokens arriving together). */
  underOneMs: number;
  /** The 0th, 1st, …, 100th percentiles, for the charts. */
  percentiles: number[];
}

/** Orchestrator → client. */
export type ClientMessage = { type: 'run'; id: number; stage: StageRequest } | { type: 'exit' };

/** Client → orchestrator. */
export type ClientReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: StageResult }
  | { type: 'failed'; id: number; message: string };
