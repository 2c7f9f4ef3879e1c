// Preloaded into the gateway process by the bench (`node --expose-gc --import ./bench/gateway-preload.mjs …`):
// SIGUSR2 runs a full GC, so that "RSS after the load" is measured after garbage collection without any code in
// the gateway itself. Plain JavaScript so that the gateway process loads no TypeScript loader.
if (typeof globalThis.gc === 'function') {
  process.on('SIGUSR2', () => {
    globalThis.gc();
  });
}
