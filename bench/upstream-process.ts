/**
 * The upstream process: the provider simulator in lean mode (token frames precomputed, so it is never the
 * bottleneck), from the compiled `dist/` so that it runs as shipped. Prints `{"url": …}` on stdout once listening;
 * exits on SIGTERM.
 */
import { measureClockBias } from './clock-bias.js';

type SimulatorModule = typeof import('../src/simulator/index.js');

// Typed from the source, loaded from the build (a computed URL keeps the typecheck independent of dist/).
const distEntry = new URL('../dist/simulator/index.js', import.meta.url).href;
const { startSimulator } = (await import(distEntry)) as SimulatorModule;

const simulator = await startSimulator({ host: '127.0.0.1', port: 0, lean: true, ttftMs: 0, tokensPerSecond: 0 });
// The simulator stamps abort records with this process's high-resolution epoch clock: report its bias.
process.stdout.write(`${JSON.stringify({ url: simulator.url, clockBiasMs: measureClockBias() })}\n`);
process.on('SIGTERM', () => {
  void simulator.close().then(() => process.exit(0));
});
