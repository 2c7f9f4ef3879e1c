import type { Readable } from 'node:stream';

/**
 * A Node readable's bytes as an async iterator, one `read()` (everything buffered) per step: what
 * `readable[Symbol.asyncIterator]()` does, without its async generator and end-of-stream machinery (~1.5 KB held
 * per open upstream stream, memory probe). Leaving early (`return`) destroys the stream, and with it the upstream
 * request; the stream closing before its end fails the read, as Node's iterator does.
 */
export class ReadableByteIterator implements AsyncIterableIterator<Uint8Array> {
  readonly #stream: Readable;
  #listening = false;
  #ended = false;
  #error: unknown = undefined;
  #waiting: { resolve(result: IteratorResult<Uint8Array>): void; reject(error: unknown): void } | undefined = undefined;

  constructor(stream: Readable) {
    this.#stream = stream;
  }

  [Symbol.asyncIterator](): this {
    if (!this.#listening) this.#listen();
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    const stream = this.#stream;
    const chunk: Uint8Array | null = stream.destroyed ? null : stream.read();
    if (chunk !== null) return Promise.resolve({ done: false, value: chunk });
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.#stream.destroy();
    return Promise.resolve({ done: true, value: undefined });
  }

  #listen(): void {
    this.#listening = true;
    const stream = this.#stream;
    stream.on('readable', () => this.#wake());
    // `on`, not `once`: each comes once anyway (the handlers are idempotent besides), and a `once` wrapper (a bound
    // function and a state object, ~0.1 KB) per listener would be held for as long as the stream is open.
    stream.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
    stream.on('error', (error) => {
      this.#error ??= error;
      this.#wake();
    });
    stream.on('close', () => {
      if (!this.#ended) this.#error ??= new Error('The upstream response closed before its end.');
      this.#wake();
    });
  }

  /** Something changed: a waiting `next()` looks again. */
  #wake(): void {
    const waiting = this.#waiting;
    if (!waiting) return;
    this.#waiting = undefined;
    this.next().then(waiting.resolve, waiting.reject);
  }
}
