import type { SimulatorProtocol } from './simulator-types.js';

/** One client disconnect before the response finished. */
export interface AbortRecord {
  /** Epoch milliseconds (fractional) when the simulator saw the disconnect. */
  at: number;
  /** Milliseconds between the last token written and the disconnect (since the request arrived if none was). */
  sinceLastTokenMs: number;
  tokensWritten: number;
  protocol: SimulatorProtocol;
  model: string;
}

/**
 * Live counters (`handle.stats`, `GET /_simulator/stats`). The object is mutated in place, so a reference taken
 * once stays current; `POST /_simulator/reset` zeroes it.
 */
export interface SimulatorStats {
  requests: number;
  byProtocol: Record<SimulatorProtocol, number>;
  /** Requests by model name (option suffix stripped). */
  byModel: Record<string, number>;
  /** Streamed responses in progress. */
  activeStreams: number;
  /** Responses (streamed or not) that finished normally. */
  completed: number;
  /** Requests answered with an injected fault. */
  faults: number;
  tokensWritten: number;
  aborts: {
    count: number;
    /** The latest aborts, oldest first (at most 10,000). */
    records: AbortRecord[];
  };
}

const MAX_ABORT_RECORDS = 10_000;

/** A zeroed stats object. */
export function createSimulatorStats(): SimulatorStats {
  return {
    requests: 0,
    byProtocol: { openai: 0, anthropic: 0, google: 0 },
    byModel: {},
    activeStreams: 0,
    completed: 0,
    faults: 0,
    tokensWritten: 0,
    aborts: { count: 0, records: [] },
  };
}

/** Zeroes `stats` in place; `activeStreams` keeps counting the streams still open. */
export function resetSimulatorStats(stats: SimulatorStats): void {
  const active = stats.activeStreams;
  Object.assign(stats, createSimulatorStats());
  stats.activeStreams = active;
}

/** Counts an arriving generation request. */
export function recordRequest(stats: SimulatorStats, protocol: SimulatorProtocol, model: string): void {
  stats.requests++;
  stats.byProtocol[protocol]++;
  stats.byModel[model] = (stats.byModel[model] ?? 0) + 1;
}

/** Counts a client disconnect and keeps its timing. */
export function recordAbort(stats: SimulatorStats, record: AbortRecord): void {
  stats.aborts.count++;
  stats.aborts.records.push(record);
  if (stats.aborts.records.length > MAX_ABORT_RECORDS) stats.aborts.records.shift();
}
