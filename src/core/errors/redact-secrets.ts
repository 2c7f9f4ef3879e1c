/**
 * Removes anything that looks like an API key from text bound for a response or a log line.
 * Providers sometimes echo a (partial) key in their error message (OpenAI: "Incorrect API key provided: sk-abc***xyz").
 */
const secretPatterns: RegExp[] = [
  /\bsk-[A-Za-z0-9_*-]{6,}/g,
  /\bsk-ant-[A-Za-z0-9_*-]{6,}/g,
  /\bAIza[0-9A-Za-z_-]{10,}/g,
  /\b(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
];

export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  for (const pattern of secretPatterns) {
    result = result.replace(pattern, (_match, bearer) =>
      typeof bearer === 'string' ? `${bearer}[redacted]` : '[redacted]',
    );
  }
  return result;
}
