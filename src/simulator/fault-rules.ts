import { parseFault, type RequestOptions, SimulatorOptionError } from './parse-request-options.js';
import type { Fault } from './simulator-types.js';

/**
 * A fault switched on at runtime (outage tests): `handle.setFault(rule)` or `POST /_simulator/fault`.
 * `match` is `*` or a substring of the model name; `remaining` limits how many requests it hits (then it clears
 * itself); `rate` applies it to that share of matching requests.
 */
export interface FaultRule {
  match: string;
  /** A fault spec as in the options: `status:503`, `drop_after:3`, … */
  fault: string;
  remaining?: number;
  rate?: number;
}

/** Validates a rule from JSON (the control endpoint) or code; throws `SimulatorOptionError` when invalid. */
export function parseFaultRule(value: unknown): FaultRule {
  const rule = value as Partial<FaultRule> | null;
  if (rule === null || typeof rule !== 'object') throw new SimulatorOptionError('A fault rule must be an object');
  if (typeof rule.fault !== 'string') throw new SimulatorOptionError('A fault rule needs "fault": e.g. "status:503"');
  parseFault(rule.fault);
  const match = rule.match ?? '*';
  if (typeof match !== 'string' || match === '')
    throw new SimulatorOptionError('"match" must be "*" or a model substring');
  if (rule.remaining !== undefined && (!Number.isInteger(rule.remaining) || rule.remaining < 1)) {
    throw new SimulatorOptionError('"remaining" must be a positive integer');
  }
  if (rule.rate !== undefined && (typeof rule.rate !== 'number' || rule.rate < 0 || rule.rate > 1)) {
    throw new SimulatorOptionError('"rate" must be between 0 and 1');
  }
  return { match, fault: rule.fault, remaining: rule.remaining, rate: rule.rate };
}

/** Holds the runtime rule and picks the fault for each request: the runtime rule first, then the request's own. */
export function createFaultSelector(random: () => number = Math.random) {
  let rule: FaultRule | undefined;
  return {
    get rule(): FaultRule | undefined {
      return rule === undefined ? undefined : { ...rule };
    },
    set(next: FaultRule | undefined): void {
      rule = next === undefined ? undefined : parseFaultRule(next);
    },
    select(model: string, options: RequestOptions): Fault | undefined {
      if (rule !== undefined && (rule.match === '*' || model.includes(rule.match))) {
        if (rule.rate === undefined || random() < rule.rate) {
          const fault = parseFault(rule.fault);
          if (rule.remaining !== undefined && --rule.remaining <= 0) rule = undefined;
          return fault;
        }
      }
      if (options.fault === undefined) return undefined;
      return options.faultRate === undefined || random() < options.faultRate ? options.fault : undefined;
    },
  };
}
