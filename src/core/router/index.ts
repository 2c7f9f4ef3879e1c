export * from './chat-completion-stream.js';
export * from './config-schema.js';
export * from './create-router.js';
export * from './resolve-model.js';
export * from './router-events.js';
export * from './validate-request.js';
