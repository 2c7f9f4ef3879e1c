/** The command line itself is wrong (unknown flag, missing argument): printed with a hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Text for stderr, dimmed on a terminal. */
export function dim(text: string, stream: NodeJS.WriteStream = process.stderr): string {
  return stream.isTTY ? `\x1b[2m${text}\x1b[22m` : text;
}
