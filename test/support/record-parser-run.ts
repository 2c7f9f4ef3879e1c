import type { StreamParser, StreamParserContext } from '../../src/core/providers/provider.js';
import type { StreamPart } from '../../src/core/types/stream-part.js';

/** A provider's stream parser factory with the fast text-delta path switchable (the parse-stream fast-path tests). */
export type ParserFactory = (context: StreamParserContext, options: { fastTextDeltas?: boolean }) => StreamParser;

/**
 * Feeds `datas` as events to a fresh parser; returns everything it did, in order (parts, malformed reports, thrown
 * errors with their code), so that a run with the fast path and one without compare as one value.
 */
export function recordParserRun(
  createParser: ParserFactory,
  provider: string,
  datas: readonly string[],
  fastTextDeltas: boolean,
): unknown[] {
  const log: unknown[] = [];
  const parser = createParser(
    {
      provider,
      emit: (part: StreamPart) => log.push(part),
      onMalformedEvent: (event) => log.push({ malformed: event.data }),
    },
    { fastTextDeltas },
  );
  const record = (error: unknown) => log.push({ thrown: String(error), code: (error as { code?: string }).code });
  for (const data of datas) {
    try {
      parser.onEvent({ data });
    } catch (error) {
      record(error);
    }
  }
  try {
    parser.onEnd();
  } catch (error) {
    record(error);
  }
  return log;
}
