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
  #learningsLeft: number;
  #prefix = '';
  #suffix = '';
  #learned = false;

  constructor(options: StringSlotTemplateOptions) {
    this.#marker = options.marker;
    this.#read = options.read;
    this.#learningsLeft = options.maxLearnings ?? 8;
  }

  match(data: string): string | undefined {
    if (!this.#learned) return undefined;
    const prefix = this.#prefix;
    const suffix = this.#suffix;
    const end = data.length - suffix.length;
    // At least `""` between them, so prefix and suffix never overlap.
    if (end - prefix.length < 2 || !data.endsWith(suffix)) return undefined;
    // `slice(…) !==` rather than `startsWith`: on an event sliced from a network read, V8's startsWith took
    // ~3× as long for a 200-character prefix as the slice and compare (scratch microbenchmark).
    if (data.slice(0, prefix.length) !== prefix) return undefined;
    if (data.charCodeAt(prefix.length) !== QUOTE) return undefined;
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

function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** The value of one JSON string literal; undefined when it is not exactly one string. */
function parseStringLiteral(literal: string): string | undefined {
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
