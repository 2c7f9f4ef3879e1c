export * from './errors/index.js';
export type * from './providers/provider.js';
export * from './router/index.js';
export * from './sse/index.js';
export * from './types/index.js';
