export * from './circuit-breaker-error.js';
export * from './redact-secrets.js';
export * from './request-errors.js';
export * from './resilience-errors.js';
export * from './upstream-errors.js';
