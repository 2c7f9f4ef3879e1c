import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

/**
 * The four prom-client classes the gateway uses, required from their own files: prom-client's index also loads
 * the default process metrics (and through them `@opentelemetry/api`), the pushgateway, summaries and the cluster
 * aggregator, ~11 MB of idle RSS the gateway never uses. Same module instances as the index's, same types.
 */
const require = createRequire(import.meta.url);

export const Registry: typeof PromClient.Registry = require('prom-client/lib/registry');
export const Counter: typeof PromClient.Counter = require('prom-client/lib/counter');
export const Gauge: typeof PromClient.Gauge = require('prom-client/lib/gauge');
export const Histogram: typeof PromClient.Histogram = require('prom-client/lib/histogram');
export type Registry = PromClient.Registry;
export type Counter<T extends string = string> = PromClient.Counter<T>;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
export type Histogram<T extends string = string> = PromClient.Histogram<T>;
