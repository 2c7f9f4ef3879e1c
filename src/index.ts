/** Circuit Breaker: the library entry point. Everything here is web-standard and runs in Node, browsers and edge runtimes. */
export * from './core/index.js';
