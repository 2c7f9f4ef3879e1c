import type { ProviderAdapter } from '../provider.js';

/** PLACEHOLDER: replaced by the real adapter. */
export const anthropicAdapter: ProviderAdapter = {
  type: 'anthropic',
  defaultBaseUrl: '',
  convertRequest() {
    throw new Error('not implemented');
  },
  createStreamParser() {
    throw new Error('not implemented');
  },
  convertResponse() {
    throw new Error('not implemented');
  },
  mapError() {
    throw new Error('not implemented');
  },
};
