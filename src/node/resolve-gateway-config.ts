import { configFromEnvironment } from '../core/router/config-from-environment.js';
import type { RouterConfigInput } from '../core/router/config-schema.js';
import type { Environment } from '../core/router/interpolate-env.js';
import { loadConfigFile } from './load-config-file.js';
import { type RunningSimulator, type StartSimulatorBackendOptions, startSimulatorBackend } from './simulator-config.js';

export interface ResolveGatewayConfigOptions {
  /** A YAML/JSON config file; `CIRCUIT_BREAKER_CONFIG` when unset. */
  configPath?: string;
  env: Environment;
  /** Simulator settings for no-key mode; `false` to fail instead of starting one. */
  simulator?: StartSimulatorBackendOptions | false;
}

export interface ResolvedGatewayConfig {
  /** The whole config (router sections plus `server` and any other section), `${VAR}` still uninterpolated. */
  config: RouterConfigInput;
  /** Where the providers came from. */
  source: 'file' | 'environment' | 'simulator';
  configPath?: string;
  /** Set in no-key mode: the in-process simulator the providers point at. Close it after the gateway. */
  simulator?: RunningSimulator;
}

/**
 * Where the providers come from, in order: the config file's `providers`; the environment's provider keys
 * (`OPENAI_API_KEY`, …); else no-key mode, the built-in simulator. The file's other sections (`server`, `retry`, …)
 * apply in every case, so a file with only a `server` section plus exported keys works.
 */
export async function resolveGatewayConfig(options: ResolveGatewayConfigOptions): Promise<ResolvedGatewayConfig> {
  const configPath = options.configPath ?? (options.env.CIRCUIT_BREAKER_CONFIG || undefined);
  const file = configPath ? await loadConfigFile(configPath) : {};
  if (hasProviders(file)) return { config: file, source: 'file', configPath };

  const fromEnvironment = configFromEnvironment(options.env);
  if (hasProviders(fromEnvironment)) {
    return {
      config: { ...file, providers: fromEnvironment.providers, models: file.models ?? {} },
      source: 'environment',
      configPath,
    };
  }
  if (options.simulator === false)
    return { config: { ...file, providers: {}, models: file.models ?? {} }, source: 'environment', configPath };

  const { simulator, config } = await startSimulatorBackend(options.simulator ?? {});
  // The file's own models name providers that do not exist here; the simulator's models replace them.
  return {
    config: { ...file, providers: config.providers, models: config.models },
    source: 'simulator',
    configPath,
    simulator,
  };
}

function hasProviders(config: RouterConfigInput): boolean {
  return Object.keys(config.providers ?? {}).length > 0;
}
