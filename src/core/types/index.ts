export * from './chat-chunk.js';
export * from './chat-request.js';
export * from './stream-part.js';
