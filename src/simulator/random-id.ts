const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base-62 text of `length` characters, for response, message and tool-call ids (not for secrets). */
export function randomBase62(length: number): string {
  let text = '';
  for (let index = 0; index < length; index++) text += ALPHABET[Math.floor(Math.random() * 62)];
  return text;
}

/** Random lowercase hex of `length` characters, for request ids. */
export function randomHex(length: number): string {
  let text = '';
  while (text.length < length)
    text += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return text.slice(0, length);
}
