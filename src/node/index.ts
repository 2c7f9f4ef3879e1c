/**
 * Node-only entry (`circuit-breaker-router/node`): config files and the gateway server. The main entry stays
 * web-standard so it runs in browsers and edge runtimes.
 */
export { loadConfigFile } from './load-config-file.js';
export { startGatewayServer } from './start-gateway-server.js';

import { createRouter, type Router, type RouterOptions } from '../core/router/create-router.js';
import { loadConfigFile } from './load-config-file.js';

/** `createRouter` from a YAML or JSON file with the same schema as the config object. */
export async function createRouterFromFile(path: string, options?: RouterOptions): Promise<Router> {
  return createRouter(await loadConfigFile(path), options);
}
