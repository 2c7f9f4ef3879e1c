/**
 * Tool-call arguments synthesized from the tool's JSON schema: strings are city-like (`"Paris"`, or the first enum
 * value), numbers 1, booleans true, arrays one item, objects every declared property. Accepts Gemini's OpenAPI subset
 * too (upper-case `type` names).
 */
export function synthesizeArguments(schema: unknown): Record<string, unknown> {
  const value = synthesizeValue(schema, 0);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const SAMPLE_STRINGS = ['Paris', 'London', 'Tokyo', 'Lisbon'];

function synthesizeValue(schema: unknown, depth: number): unknown {
  if (schema === null || typeof schema !== 'object' || depth > 8) return {};
  const node = schema as Record<string, unknown>;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  if ('const' in node) return node.const;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = node[key];
    if (Array.isArray(options) && options.length > 0) return synthesizeValue(options[0], depth + 1);
  }
  const rawType = Array.isArray(node.type) ? node.type.find((type) => type !== 'null') : node.type;
  const type = typeof rawType === 'string' ? rawType.toLowerCase() : node.properties ? 'object' : 'string';
  switch (type) {
    case 'object': {
      const result: Record<string, unknown> = {};
      const properties = (node.properties ?? {}) as Record<string, unknown>;
      Object.keys(properties).forEach((name, index) => {
        const property = properties[name];
        const isPlainString =
          property !== null &&
          typeof property === 'object' &&
          String((property as Record<string, unknown>).type).toLowerCase() === 'string' &&
          !(property as Record<string, unknown>).enum;
        result[name] = isPlainString
          ? SAMPLE_STRINGS[index % SAMPLE_STRINGS.length]
          : synthesizeValue(property, depth + 1);
      });
      return result;
    }
    case 'array':
      return [synthesizeValue(node.items, depth + 1)];
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return 'Paris';
  }
}

/** Splits a JSON text into `count` pieces (fewer when it is short): the argument deltas of a streamed tool call. */
export function splitIntoPieces(text: string, count = 4): string[] {
  const size = Math.max(1, Math.ceil(text.length / count));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}
