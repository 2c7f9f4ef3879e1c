export * from './create-sse-decoder.js';
export * from './encode-sse.js';
export * from './sse-event.js';
