export * from './memory-state-store.js';
export * from './state-store.js';
