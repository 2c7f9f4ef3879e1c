/** What a waiting command shows; a no-op when the output is not a terminal. */
export interface Spinner {
  start(label?: string): void;
  /** Erases the spinner line; safe to call when it is not running. */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A one-line spinner on `stream` (stderr) while we wait for a first token. Only on a TTY: piped or captured
 * output never sees control characters.
 */
export function createSpinner(stream: NodeJS.WriteStream = process.stderr): Spinner {
  let timer: NodeJS.Timeout | undefined;
  let frame = 0;
  return {
    start(label = 'waiting for the first token') {
      if (!stream.isTTY || timer) return;
      const draw = () => {
        stream.write(`\r\x1b[2K${FRAMES[frame % FRAMES.length]} ${label}`);
        frame += 1;
      };
      draw();
      timer = setInterval(draw, 80);
      timer.unref();
    },
    stop() {
      if (!timer) return;
      clearInterval(timer);
      timer = undefined;
      stream.write('\r\x1b[2K');
    },
  };
}
