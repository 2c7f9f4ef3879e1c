/**
 * The provider simulator: an offline OpenAI / Anthropic / Gemini upstream with deterministic answers, pacing and
 * faults. A product feature (`circuit-breaker simulate`) and the upstream of every test, demo and benchmark.
 * @see docs/simulator.md
 */
export type { FaultRule } from './fault-rules.js';
export { countCoveredTokens, generateTokens } from './generate-text.js';
export {
  type ModelWithOptions,
  parseFault,
  parseModelOptions,
  parseOptionsHeader,
  type RequestOptions,
  SimulatorOptionError,
} from './parse-request-options.js';
export type { AbortRecord, SimulatorStats } from './simulator-stats.js';
export type { Fault, SimulatorProtocol } from './simulator-types.js';
export { type SimulatorHandle, type SimulatorOptions, startSimulator } from './start-simulator.js';
