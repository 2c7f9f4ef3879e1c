import { readFileSync } from 'node:fs';

/**
 * Token texts as they stand inside a JSON string literal (escapes written out), for the stream parsers' fast-path
 * tests: empty, escapes, surrogates (a lone one too), raw UTF-8, and decoys that look like the slot's marker.
 */
export const trickyTokenLiterals: readonly string[] = [
  'plain',
  '',
  ' ',
  'with \\"quotes\\"',
  'back\\\\slash',
  'ends with backslash \\\\',
  'new\\nline\\ttab\\r',
  '\\u00e9\\u2603\\ud83d\\ude00',
  'lone \\ud800 surrogate',
  'é☕ raw UTF-8 😀',
  '\\"content\\":\\"inner',
  '\\"text\\":\\"x',
  '\\/slash',
  '}]}',
  '\\u0022',
];

/** The `data:` payloads of a recorded SSE fixture next to `testFile` (`import.meta.url`), LF or CRLF framed. */
export function fixtureEventDatas(testFile: string, name: string): string[] {
  return readFileSync(new URL(`./fixtures/${name}`, testFile), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length));
}
