// Preloaded into the gateway process by the bench (`node --expose-gc --import ./bench/gateway-preload.mjs …`):
// SIGUSR2 runs a full GC, so that "RSS after the load" is measured after garbage collection without any code in
// the gateway itself. Plain JavaScript so that the gateway process loads no TypeScript loader.
//
// With BENCH_PROBE_DIR set (bench/memory-probe.ts), each SIGUSR2 also writes what the process holds after that GC
// (process.memoryUsage() and V8's heap statistics) to `memory-<n>.json`, and SIGWINCH writes a heap snapshot
// `heap-<n>.heapsnapshot` (then `heap-<n>.done`): what an open stream retains, read from outside the process.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';

const probeDirectory = process.env.BENCH_PROBE_DIR;
let probeCount = 0;
let snapshotCount = 0;

if (typeof globalThis.gc === 'function') {
  process.on('SIGUSR2', () => {
    globalThis.gc();
    if (probeDirectory === undefined) return;
    const reading = {
      memoryUsage: process.memoryUsage(),
      heap: getHeapStatistics(),
      spaces: getHeapSpaceStatistics().map(({ space_name, space_used_size, physical_space_size }) => ({
        space_name,
        space_used_size,
        physical_space_size,
      })),
    };
    // Written under another name, then renamed: the probe reads the file as soon as it appears, which on a loaded
    // machine could be before a plain write had finished.
    const name = `memory-${++probeCount}.json`;
    writeFileSync(join(probeDirectory, `partial-${name}`), JSON.stringify(reading));
    renameSync(join(probeDirectory, `partial-${name}`), join(probeDirectory, name));
  });
}

if (probeDirectory !== undefined) {
  process.on('SIGWINCH', () => {
    const count = ++snapshotCount;
    writeHeapSnapshot(join(probeDirectory, `heap-${count}.heapsnapshot`));
    writeFileSync(join(probeDirectory, `heap-${count}.done`), '');
  });
}
