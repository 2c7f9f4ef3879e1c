import type { RouterConfigInput } from '../core/router/config-schema.js';
import type { SimulatorHandle } from '../simulator/start-simulator.js';

/** The running in-process simulator behind no-key mode. */
export type RunningSimulator = SimulatorHandle;

/** The models no-key mode configures, in the order the banner lists them. */
export const simulatorModels = ['sim-gpt', 'sim-claude', 'sim-gemini', 'auto'] as const;

/** Bare names that also work in no-key mode: they route to the first provider of their protocol, a simulator one. */
export const simulatorBareModelExamples = ['gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash'] as const;

/**
 * The router config that points one provider of each protocol at a simulator listening on `url`: OpenAI's base URL
 * includes `/v1`, Anthropic's and Gemini's are the origin, as the real APIs and their SDKs have them. The key is a
 * placeholder: the router wants one for these protocols and the simulator accepts any.
 */
export function createSimulatorRouterConfig(url: string): RouterConfigInput {
  const origin = url.replace(/\/+$/, '');
  return {
    providers: {
      'sim-openai': { type: 'openai', base_url: `${origin}/v1`, api_key: 'sim' },
      'sim-anthropic': { type: 'anthropic', base_url: origin, api_key: 'sim' },
      'sim-google': { type: 'google', base_url: origin, api_key: 'sim' },
    },
    models: {
      'sim-gpt': {
        description: 'Simulated OpenAI model (built-in simulator)',
        deployments: [{ provider: 'sim-openai', model: 'sim-gpt' }],
      },
      'sim-claude': {
        description: 'Simulated Anthropic model (built-in simulator)',
        deployments: [{ provider: 'sim-anthropic', model: 'sim-claude' }],
      },
      'sim-gemini': {
        description: 'Simulated Gemini model (built-in simulator)',
        deployments: [{ provider: 'sim-google', model: 'sim-gemini' }],
      },
      auto: {
        description: 'All three simulated providers, in priority order (fails over between them)',
        strategy: 'priority',
        deployments: [
          { provider: 'sim-openai', model: 'sim-gpt' },
          { provider: 'sim-anthropic', model: 'sim-claude' },
          { provider: 'sim-google', model: 'sim-gemini' },
        ],
      },
    },
  };
}

export interface StartSimulatorBackendOptions {
  /** Time to first token of simulated answers. */
  ttftMs?: number;
  tokensPerSecond?: number;
  /** Answer length in tokens. */
  tokens?: number;
}

/**
 * No-key mode paces answers like a fast hosted model, so that streaming is visible in a terminal and a first-time
 * user sees what time to first token means. Per request, a model suffix (`+ttft=0+tps=0`) overrides these.
 */
export const simulatorBackendDefaults: Required<StartSimulatorBackendOptions> = {
  ttftMs: 250,
  tokensPerSecond: 60,
  tokens: 60,
};

/**
 * No-key mode: starts the built-in simulator on a random loopback port, in this process, and returns it with the
 * router config that uses it. Close the simulator after the gateway (it is the gateway's upstream).
 */
export async function startSimulatorBackend(
  options: StartSimulatorBackendOptions = {},
): Promise<{ simulator: RunningSimulator; config: RouterConfigInput }> {
  // Imported here, not at the top: a gateway with real providers never loads the simulator (17 modules).
  const { startSimulator } = await import('../simulator/start-simulator.js');
  const simulator = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    ...simulatorBackendDefaults,
    ...options,
  });
  return { simulator, config: createSimulatorRouterConfig(simulator.url) };
}

/**
 * The stderr banner of no-key mode: that answers are simulated, which models to try, a curl command that works as
 * printed, and how to switch to real providers.
 */
export function formatSimulatorBanner(options: { gatewayUrl: string; apiKey?: string }): string {
  const url = options.gatewayUrl.replace(/\/+$/, '');
  const authorization = options.apiKey ? ` \\\n    -H 'authorization: Bearer ${options.apiKey}'` : '';
  const body = JSON.stringify({ model: 'sim-gpt', stream: true, messages: [{ role: 'user', content: 'Hello!' }] });
  return [
    '',
    '  No provider API keys found: the gateway is running on the built-in provider SIMULATOR.',
    '  Answers are generated locally (no network, no cost), streamed token by token like the real APIs.',
    '',
    `  Models to try: ${simulatorModels.join(', ')}`,
    `  Bare names work too: ${simulatorBareModelExamples.join(', ')}`,
    '  Shape a simulated answer with a model suffix, e.g. sim-openai/sim-gpt+ttft=800+tps=20 or +fault=drop_after:5',
    '',
    '  Try it:',
    `    curl -N ${url}/v1/chat/completions \\`,
    `    -H 'content-type: application/json'${authorization} \\`,
    `    -d '${body}'`,
    '',
    '  To use real providers, export one or more keys and restart:',
    '    export OPENAI_API_KEY=…  ANTHROPIC_API_KEY=…  GOOGLE_API_KEY=…',
    '  or pass a config file: circuit-breaker serve --config circuit-breaker.yaml',
    '',
  ].join('\n');
}
