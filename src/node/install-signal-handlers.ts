import type { Logger } from 'pino';

export interface InstallSignalHandlersOptions {
  /** The graceful stop (drain streams, close connections, close the simulator, …). */
  shutdown: () => Promise<void>;
  logger?: Pick<Logger, 'info' | 'error'>;
  /** Injectable for tests; `process.exit` by default. */
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

/**
 * SIGTERM/SIGINT → graceful shutdown → exit 0 (exit 1 if the shutdown itself fails). A second signal while
 * draining exits at once with 130, the shell's code for an interrupt: Ctrl-C twice always stops the process.
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(options: InstallSignalHandlersOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? (['SIGTERM', 'SIGINT'] as const);
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      options.logger?.info({ signal }, 'second signal: exiting now');
      exit(130);
      return;
    }
    shuttingDown = true;
    options.logger?.info({ signal }, 'shutting down: draining in-flight requests');
    options.shutdown().then(
      () => {
        options.logger?.info('shutdown complete');
        exit(0);
      },
      (error: unknown) => {
        options.logger?.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
