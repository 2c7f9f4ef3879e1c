import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { isCircuitBreakerError } from '../core/errors/circuit-breaker-error.js';
import { createRouter } from '../core/router/create-router.js';
import type { ChatCompletionChunk } from '../core/types/chat-chunk.js';
import type { ChatCompletionRequest, ChatMessage } from '../core/types/chat-request.js';
import { resolveGatewayConfig } from '../node/resolve-gateway-config.js';
import { createSpinner } from './create-spinner.js';
import { createStreamMeter, formatStreamStats, type StreamStats } from './measure-stream.js';
import { streamGatewayChat } from './stream-gateway-chat.js';
import { dim, UsageError } from './usage-error.js';

export const chatUsage = `Usage: circuit-breaker chat -m MODEL ["prompt"] [options]

Streams an answer to stdout as it is generated, then prints time to first token, tokens, tokens/s and the
provider that served to stderr. Without a prompt: a conversation (history kept; /reset clears it, /exit or
Ctrl-D ends it, Ctrl-C stops the current answer). A prompt can also come on stdin.

Options:
  -m, --model MODEL      model name or alias (gpt-4o-mini, claude-sonnet-4-5, openai/gpt-4o, a configured model)
  -s, --system TEXT      system prompt
  -c, --config FILE      config file (YAML/JSON); default: providers from OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_API_KEY
      --url URL          go through a running gateway (http://127.0.0.1:3000) instead of routing in-process
      --api-key KEY      gateway key for --url (default: CIRCUIT_BREAKER_API_KEY or the first of CIRCUIT_BREAKER_API_KEYS)
      --max-tokens N     cap the answer length
  -i, --interactive      converse even when stdin is not a terminal
  -h, --help             show this help

With no provider keys and no config, answers come from the built-in simulator (models sim-gpt, sim-claude, sim-gemini, auto).`;

/** Where a chat turn's chunks come from: the in-process router, or a gateway over HTTP. */
interface ChatBackend {
  stream(request: ChatCompletionRequest, signal: AbortSignal): AsyncIterable<ChatCompletionChunk>;
  /** The model to use when `-m` is not given (no-key mode), if any. */
  defaultModel?: string;
  close(): Promise<void>;
}

/** `circuit-breaker chat`: one prompt, or a conversation, streamed token by token. */
export async function runChatCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string', short: 'm' },
      system: { type: 'string', short: 's' },
      config: { type: 'string', short: 'c' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      'max-tokens': { type: 'string' },
      interactive: { type: 'boolean', short: 'i' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${chatUsage}\n`);
    return 0;
  }
  const maxTokens = values['max-tokens'] === undefined ? undefined : Number(values['max-tokens']);
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens > 0)) {
    throw new UsageError(`--max-tokens must be a positive integer, got "${values['max-tokens']}"`);
  }
  let prompt: string | undefined = positionals.join(' ').trim() || undefined;
  if (prompt === undefined && !values.interactive && !process.stdin.isTTY)
    prompt = (await readStdin()).trim() || undefined;

  const backend = values.url
    ? createGatewayBackend(values.url, values['api-key'] ?? defaultGatewayKey())
    : await createInProcessBackend(values.config);
  try {
    const model = values.model ?? backend.defaultModel;
    if (!model)
      throw new UsageError('Which model? Pass -m MODEL (for example -m gpt-4o-mini or -m claude-sonnet-4-5).');
    const history: ChatMessage[] = values.system ? [{ role: 'system', content: values.system }] : [];
    const turn = { backend, model, maxTokens };
    if (prompt !== undefined) {
      await runTurn({ ...turn, messages: [...history, { role: 'user', content: prompt }] });
      return 0;
    }
    await converse({ ...turn, history });
    return 0;
  } finally {
    await backend.close();
  }
}

function createGatewayBackend(url: string, apiKey: string | undefined): ChatBackend {
  return {
    stream: (request, signal) => streamGatewayChat({ url, apiKey, request, signal }),
    close: async () => {},
  };
}

async function createInProcessBackend(configPath: string | undefined): Promise<ChatBackend> {
  const env = process.env;
  const resolved = await resolveGatewayConfig({ configPath, env });
  const router = createRouter(resolved.config, { env });
  if (resolved.simulator) {
    process.stderr.write(
      dim('No provider keys found: answering from the built-in simulator (sim-gpt, sim-claude, sim-gemini, auto).\n'),
    );
  }
  return {
    async *stream(request, signal) {
      // Ask for usage so the stats line carries the provider's token count, not an estimate.
      yield* router.streamChatCompletion(
        { ...request, stream: true, stream_options: { include_usage: true } },
        { signal },
      );
    },
    defaultModel: resolved.simulator ? 'sim-gpt' : undefined,
    close: async () => {
      await resolved.simulator?.close();
    },
  };
}

interface TurnOptions {
  backend: ChatBackend;
  model: string;
  maxTokens: number | undefined;
  messages: ChatMessage[];
  signal?: AbortSignal;
}

/** Streams one answer to stdout (reasoning dimmed on stderr), then the stats line on stderr; returns the answer text. */
async function runTurn(options: TurnOptions): Promise<{ text: string; stats: StreamStats }> {
  const spinner = createSpinner();
  const meter = createStreamMeter();
  const request: ChatCompletionRequest = {
    model: options.model,
    messages: options.messages,
    ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}),
  };
  let text = '';
  spinner.start();
  try {
    for await (const chunk of options.backend.stream(request, options.signal ?? new AbortController().signal)) {
      const delta = meter.observe(chunk);
      if (delta.text === '' && delta.reasoning === '') continue;
      spinner.stop();
      if (delta.reasoning) process.stderr.write(dim(delta.reasoning));
      if (delta.text) process.stdout.write(delta.text);
      text += delta.text;
    }
  } finally {
    spinner.stop();
    if (text !== '' && !text.endsWith('\n')) process.stdout.write('\n');
  }
  const stats = meter.stats();
  process.stderr.write(`${dim(`── ${formatStreamStats(stats)}`)}\n`);
  return { text, stats };
}

/** The interactive loop: each answer joins the history, so the model sees the whole conversation. */
async function converse(options: Omit<TurnOptions, 'messages'> & { history: ChatMessage[] }): Promise<void> {
  const history = [...options.history];
  const systemMessages = history.length;
  const lines = createInterface({
    input: process.stdin,
    output: process.stderr,
    terminal: process.stdin.isTTY,
    prompt: 'you › ',
  });
  let current: AbortController | undefined;
  lines.on('SIGINT', () => (current ? current.abort() : lines.close()));
  process.stderr.write(dim(`Chatting with ${options.model}. /reset clears the history, /exit ends.\n`));
  lines.prompt();
  try {
    // The async iterator buffers lines typed (or piped) while an answer streams; none is lost.
    for await (const line of lines) {
      const input = line.trim();
      if (input === '/exit' || input === '/quit') break;
      if (input === '/reset') {
        history.splice(systemMessages);
        process.stderr.write(dim('History cleared.\n'));
      } else if (input !== '') {
        history.push({ role: 'user', content: input });
        current = new AbortController();
        try {
          const { text } = await runTurn({ ...options, messages: history, signal: current.signal });
          history.push({ role: 'assistant', content: text });
        } catch (error) {
          history.pop();
          process.stderr.write(`${current.signal.aborted ? 'stopped' : describeError(error)}\n`);
        } finally {
          current = undefined;
        }
      }
      lines.prompt();
    }
  } finally {
    lines.close();
  }
}

function describeError(error: unknown): string {
  if (isCircuitBreakerError(error)) return `error (${error.code}): ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

function defaultGatewayKey(): string | undefined {
  return (
    process.env.CIRCUIT_BREAKER_API_KEY || process.env.CIRCUIT_BREAKER_API_KEYS?.split(',')[0]?.trim() || undefined
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
