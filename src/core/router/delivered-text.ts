/** How many pieces are joined into one string at a time. */
const PIECES_PER_JOIN = 64;

/**
 * The text a stream delivered so far, kept for a later use of the whole (the failover's continuation, the usage
 * count of a cut stream). Every 64 pieces are joined into one string: kept one array slot and one string per token,
 * a stream held ~40 B per token for as long as it was open (a 600-token stream ~24 KB, more than everything else it
 * holds); joined, a token costs about its characters. A join per 64 tokens, never of the text already joined.
 */
export class DeliveredText {
  readonly #joined: string[] = [];
  readonly #pieces: string[] = [];

  push(piece: string): void {
    const pieces = this.#pieces;
    pieces.push(piece);
    if (pieces.length < PIECES_PER_JOIN) return;
    this.#joined.push(pieces.join(''));
    pieces.length = 0;
  }

  /** The whole text. */
  toString(): string {
    return this.#joined.join('') + this.#pieces.join('');
  }
}
