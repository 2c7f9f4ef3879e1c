/**
 * Streams one prompt through every configured provider, one after the other, printing tokens as they arrive and
 * then time to first token and tokens/s for each.
 *
 *   npm run demo:streaming                       # no keys: the built-in simulator, all three protocols
 *   OPENAI_API_KEY=… ANTHROPIC_API_KEY=… GOOGLE_API_KEY=… npm run demo:streaming -- "Explain backpressure"
 *
 * Providers come from the environment exactly as `createRouter()` reads it; the model per protocol can be changed
 * with DEMO_OPENAI_MODEL, DEMO_ANTHROPIC_MODEL, DEMO_GOOGLE_MODEL.
 */
import { createStreamMeter, formatStreamStats, type StreamStats } from '../src/cli/measure-stream.js';
import { createRouter, type ProviderType } from '../src/index.js';
import { resolveGatewayConfig } from '../src/node/resolve-gateway-config.js';

const defaultModels: Partial<Record<ProviderType, string>> = {
  openai: process.env.DEMO_OPENAI_MODEL ?? 'gpt-4o-mini',
  anthropic: process.env.DEMO_ANTHROPIC_MODEL ?? 'claude-haiku-4-5',
  google: process.env.DEMO_GOOGLE_MODEL ?? 'gemini-2.5-flash',
};
const simulatorModels: Record<string, string> = {
  'sim-openai': 'sim-gpt',
  'sim-anthropic': 'sim-claude',
  'sim-google': 'sim-gemini',
};

const prompt =
  process.argv.slice(2).join(' ') || 'In three sentences: why should an LLM gateway stream every token as it arrives?';
const { config, simulator } = await resolveGatewayConfig({ env: process.env });
const router = createRouter(config, { env: process.env });
const providers = Object.entries(router.config.providers);

if (simulator) console.error('No provider keys in the environment: streaming from the built-in simulator.\n');
console.error(`Prompt: ${prompt}\n`);

const results: { target: string; stats?: StreamStats; error?: string }[] = [];
for (const [name, entry] of providers) {
  const model = simulator ? simulatorModels[name] : defaultModels[entry.type];
  if (!model) {
    console.error(`── ${name}: skipped (no default model for type ${entry.type})\n`);
    continue;
  }
  const target = `${name}/${model}`;
  process.stdout.write(`── ${target}\n`);
  const meter = createStreamMeter();
  try {
    const stream = router.streamChatCompletion({
      model: target,
      messages: [{ role: 'user', content: prompt }],
      max_tokens: 300,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) process.stdout.write(meter.observe(chunk).text);
    results.push({ target, stats: meter.stats() });
  } catch (error) {
    results.push({ target, error: error instanceof Error ? error.message : String(error) });
  }
  process.stdout.write('\n\n');
}

console.error('Results');
for (const result of results) {
  console.error(
    `  ${result.target.padEnd(36)} ${result.stats ? formatStreamStats(result.stats) : `failed: ${result.error}`}`,
  );
}
await simulator?.close();
