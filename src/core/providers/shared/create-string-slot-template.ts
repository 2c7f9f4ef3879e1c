/**
 * Reads events that differ from an earlier, fully parsed one only in one JSON string value (the "slot"), without
 * `JSON.parse` of the whole event.
 *
 * Why: an upstream streams thousands of events that are byte for byte the same envelope (`{"id":…,"choices":[{…,
 * "delta":{"content":` … `},…}]}`) around one token. Parsing the envelope per token was the largest piece of our
 * own per-token CPU (17 % of a throughput profile, plus the garbage of one object graph per token).
 *
 * Why it is exact: the template is the text before and after one string literal of a parsed event. An event that
 * starts with that prefix, ends with that suffix, and whose middle is one valid JSON string is, by the JSON grammar,
 * the template's document with another string at that place: every other value is the same, so whatever the caller
 * concluded from the other fields of the parsed event holds for this one too. That the place really is the field
 * the caller reads (and not, say, `"content":"` inside another string, or a key repeated later that wins) is
 * checked once when learning: the template is parsed with two different strings in the slot, and the caller's
 * reader must return exactly each of them. Anything else (a middle that is not one string, a changed envelope, an
 * invalid escape) is not matched: the caller parses the event in full as before, malformed-event reporting included.
 */
export interface StringSlotTemplate {
  /** The slot's string when `data` has the learned shape; undefined when it has not (parse it in full). */
  match(data: string): string | undefined;
  /**
   * Learns the shape of `data` (an event the caller parsed in full and found to be of the kind the fast path
   * serves), replacing the previous one. Returns false, keeping no template, when the slot is not what `read` reads,
   * or when the learnings are used up.
   */
  learn(data: string): boolean;
}

export interface StringSlotTemplateOptions {
  /** The slot is the first string literal after the first occurrence of this text (e.g. `"content":`). */
  marker: string;
  /** Reads, from a parsed event, the string the fast path serves (undefined when the event is not of that kind). */
  read: (parsed: unknown) => unknown;
  /**
   * How many times one stream may learn (each costs two extra parses): an upstream whose envelope changes every
   * event (OpenAI's random `obfuscation` field, Gemini's running usage counts) stops paying for it. Default 8.
   */
  maxLearnings?: number;
  /**
   * Whether digit runs after the slot may differ from the learned event's (Gemini's running usage counts): the event
   * is then the template's document with another string in the slot and other numbers after it, still exact for the
   * slot, while what the other numbers say is the caller's to read when it needs them. A multi-digit run with a
   * leading zero that was not in the template is not matched (JSON forbids it in an integer).
   */
  numbersMayDiffer?: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function createStringSlotTemplate(options: StringSlotTemplateOptions): StringSlotTemplate {
  return new LearnedStringSlotTemplate(options);
}

/** A class, not a literal of closures: every open stream's parser holds one (docs/decisions/0006). */
class LearnedStringSlotTemplate implements StringSlotTemplate {
  readonly #marker: string;
  readonly #read: (parsed: unknown) => unknown;
  readonly #numbersMayDiffer: boolean;
  #learningsLeft: number;
  #prefix = '';
  #suffix = '';
  #learned = false;

  constructor(options: StringSlotTemplateOptions) {
    this.#marker = options.marker;
    this.#read = options.read;
    this.#numbersMayDiffer = options.numbersMayDiffer === true;
    this.#learningsLeft = options.maxLearnings ?? 8;
  }

  match(data: string): string | undefined {
    if (!this.#learned) return undefined;
    const prefix = this.#prefix;
    const suffix = this.#suffix;
    // `slice(…) !==` rather than `startsWith`: on an event sliced from a network read, V8's startsWith took
    // ~3× as long for a 200-character prefix as the slice and compare (scratch microbenchmark).
    if (data.slice(0, prefix.length) !== prefix || data.charCodeAt(prefix.length) !== QUOTE) return undefined;
    if (this.#numbersMayDiffer) {
      const end = findStringEnd(data, prefix.length);
      if (end === -1 || !sameButForNumbers(data, end, suffix)) return undefined;
      return parseStringLiteral(data.slice(prefix.length, end));
    }
    const end = data.length - suffix.length;
    // At least `""` between them, so prefix and suffix never overlap.
    if (end - prefix.length < 2 || !data.endsWith(suffix)) return undefined;
    return parseStringLiteral(data.slice(prefix.length, end));
  }

  learn(data: string): boolean {
    this.#learned = false;
    if (this.#learningsLeft <= 0) return false;
    this.#learningsLeft--;
    const marker = this.#marker;
    const markerAt = data.indexOf(marker);
    if (markerAt === -1) return false;
    const start = data.indexOf('"', markerAt + marker.length);
    if (start === -1) return false;
    const end = findStringEnd(data, start);
    if (end === -1) return false;
    const candidatePrefix = data.slice(0, start);
    const candidateSuffix = data.slice(end);
    if (!slotIsRead(candidatePrefix, candidateSuffix, this.#read)) return false;
    this.#prefix = ownCopy(candidatePrefix);
    this.#suffix = ownCopy(candidateSuffix);
    this.#learned = true;
    return true;
  }
}

/**
 * A copy that does not share memory with `text`: a slice would keep the whole network read it came from alive for
 * the rest of the stream.
 */
function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** The value of one JSON string literal; undefined when it is not exactly one string. */
export function parseStringLiteral(literal: string): string | undefined {
  const last = literal.length - 1;
  // A short literal with nothing to unescape is its inner text: no JSON.parse (a third of the slot's cost per token
  // in a throughput profile). Only below V8's sliced-string length (13), where `slice` copies: a longer slice would
  // keep the whole network read it came from alive for as long as the token is kept (delivered text, buffers).
  if (last > 0 && last <= 13 && literal.charCodeAt(0) === QUOTE && literal.charCodeAt(last) === QUOTE) {
    let plain = true;
    for (let index = 1; index < last; index++) {
      const code = literal.charCodeAt(index);
      if (code === QUOTE || code === BACKSLASH || code < 0x20) {
        plain = false;
        break;
      }
    }
    if (plain) return literal.slice(1, last);
  }
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The index just after the string literal opening at `start` (a quote), or -1 when it never closes. */
function findStringEnd(data: string, start: number): number {
  for (let index = start + 1; index < data.length; index++) {
    const code = data.charCodeAt(index);
    if (code === BACKSLASH) index++;
    else if (code === QUOTE) return index + 1;
  }
  return -1;
}

const isDigit = (code: number) => code >= 0x30 && code <= 0x39;

/** Whether `data` from `from` on is `suffix` with only its digit runs replaced by other digit runs. */
function sameButForNumbers(data: string, from: number, suffix: string): boolean {
  let at = from;
  let index = 0;
  while (index < suffix.length) {
    const expected = suffix.charCodeAt(index);
    if (!isDigit(expected)) {
      if (data.charCodeAt(at) !== expected) return false;
      at++;
      index++;
      continue;
    }
    const runStart = at;
    const templateRunStart = index;
    while (isDigit(data.charCodeAt(at))) at++;
    while (index < suffix.length && isDigit(suffix.charCodeAt(index))) index++;
    const length = at - runStart;
    if (length === 0) return false;
    if (length > 1 && data.charCodeAt(runStart) === 0x30) {
      // Only the template's own run may have a leading zero (inside a string, where it is the same text).
      if (data.slice(runStart, at) !== suffix.slice(templateRunStart, index)) return false;
    }
  }
  return at === data.length;
}

/** Two different strings in the slot must each come back from `read`: then the slot alone decides what it reads. */
function slotIsRead(prefix: string, suffix: string, read: (parsed: unknown) => unknown): boolean {
  for (const probe of ['a', 'b']) {
    try {
      if (read(JSON.parse(`${prefix}"${probe}"${suffix}`)) !== probe) return false;
    } catch {
      return false;
    }
  }
  return true;
}
