import {
  ALERT_SEVERITIES,
  type AlertCondition,
  type AlertRule,
  type AlertSeverity,
  CONDITION_KINDS,
  type ConditionKind,
} from '../core/alert.js';
import { ValidationError } from '../core/errors.js';

export type { AlertCondition, AlertRule, AlertSeverity, ConditionKind };

/** The signal a condition reads in an observation: the metric name, `likelihood:<metric>`, `failure_probability` or `rul`. */
export function signalOf(condition: AlertCondition): string {
  switch (condition.kind) {
    case 'metric_above':
    case 'metric_below':
      return condition.metric ?? '';
    case 'anomaly_likelihood_above':
      return `likelihood:${condition.metric ?? ''}`;
    case 'failure_probability_above':
      return 'failure_probability';
    case 'rul_below':
      return 'rul';
  }
}

function isBelowKind(kind: ConditionKind): boolean {
  return kind === 'metric_below' || kind === 'rul_below';
}

/** Throws a ValidationError naming the field when a rule cannot be evaluated. */
export function validateRule(rule: AlertRule): AlertRule {
  const { condition } = rule;
  const fail = (path: string, message: string): never => {
    throw new ValidationError(`${path}: ${message}`, [{ path, message: `${path}: ${message}` }]);
  };
  if (!CONDITION_KINDS.includes(condition.kind)) fail('condition.kind', `unknown kind '${String(condition.kind)}'`);
  if (!ALERT_SEVERITIES.includes(rule.severity)) fail('severity', `unknown severity '${String(rule.severity)}'`);
  if (!Number.isFinite(condition.threshold)) {
    fail('condition.threshold', `must be a finite number, got ${condition.threshold}`);
  }
  if (!Number.isFinite(condition.clear)) fail('condition.clear', `must be a finite number, got ${condition.clear}`);
  const needsMetric = condition.kind.startsWith('metric_') || condition.kind === 'anomaly_likelihood_above';
  if (needsMetric && !condition.metric) fail('condition.metric', `is required for kind '${condition.kind}'`);
  if (condition.kind === 'anomaly_likelihood_above' || condition.kind === 'failure_probability_above') {
    if (condition.threshold < 0 || condition.threshold > 1) {
      fail('condition.threshold', `must lie in [0, 1] for kind '${condition.kind}', got ${condition.threshold}`);
    }
  }
  if (isBelowKind(condition.kind) ? condition.clear < condition.threshold : condition.clear > condition.threshold) {
    const side = isBelowKind(condition.kind) ? 'at or above' : 'at or below';
    fail('condition.clear', `must be ${side} the threshold ${condition.threshold}, got ${condition.clear}`);
  }
  if (!(Number.isFinite(rule.forMs) && rule.forMs >= 0)) fail('forMs', `must be ≥ 0 ms, got ${rule.forMs}`);
  if (!(Number.isFinite(rule.clearForMs) && rule.clearForMs >= 0)) {
    fail('clearForMs', `must be ≥ 0 ms, got ${rule.clearForMs}`);
  }
  return rule;
}

/**
 * Where one (asset, rule) pair stands. `idle`: condition off, no alert. `pending`: condition on since `since`,
 * waiting out `forMs`. `firing`: an alert is open. `clearing`: an alert is open, condition off since `since`.
 */
export interface RuleState {
  phase: 'idle' | 'pending' | 'firing' | 'clearing';
  since: number;
  /** Timestamp of the last observation taken; older or equal ones are ignored. */
  lastTs: number;
}

export const IDLE: RuleState = { phase: 'idle', since: Number.NEGATIVE_INFINITY, lastTs: Number.NEGATIVE_INFINITY };

/** What happened to an (asset, rule) pair: an alert should open, or the open one has been clear long enough. */
export interface AlertEvent {
  kind: 'open' | 'clear';
  ruleId: string;
  asset: string;
  severity: AlertSeverity;
  /** The observation's timestamp (epoch ms). */
  ts: number;
  /** The signal's value at that observation. */
  value: number;
  message: string;
}

function describe(rule: AlertRule, asset: string, value: number): string {
  const { condition } = rule;
  const relation = isBelowKind(condition.kind) ? 'below' : 'above';
  return `${asset}: ${signalOf(condition)} = ${value} ${relation} ${condition.threshold} (${rule.name})`;
}

/**
 * One observation through one rule's state machine; pure. The latch turns on when the value is strictly beyond
 * `threshold` and off when it is at or back past `clear`; it must stay on `forMs` to open an alert and off
 * `clearForMs` to clear it. A breach while clearing returns to firing without a new alert, so a flapping signal
 * opens one alert. Non-finite values and observations not newer than the last are ignored. O(1).
 */
export function stepRule(
  rule: AlertRule,
  asset: string,
  state: RuleState,
  ts: number,
  value: number,
): { state: RuleState; event?: AlertEvent } {
  if (!Number.isFinite(value) || !Number.isFinite(ts) || ts <= state.lastTs) return { state };
  const { condition } = rule;
  const below = isBelowKind(condition.kind);
  const breach = below ? value < condition.threshold : value > condition.threshold;
  const clear = below ? value >= condition.clear : value <= condition.clear;
  const event = (kind: AlertEvent['kind']): AlertEvent => ({
    kind,
    ruleId: rule.id,
    asset,
    severity: rule.severity,
    ts,
    value,
    message: kind === 'open' ? describe(rule, asset, value) : `${asset}: ${signalOf(condition)} back to ${value}`,
  });
  switch (state.phase) {
    case 'idle': {
      if (!breach) return { state: { ...state, lastTs: ts } };
      if (rule.forMs <= 0) return { state: { phase: 'firing', since: ts, lastTs: ts }, event: event('open') };
      return { state: { phase: 'pending', since: ts, lastTs: ts } };
    }
    case 'pending': {
      if (clear) return { state: { phase: 'idle', since: ts, lastTs: ts } };
      if (ts - state.since >= rule.forMs) {
        return { state: { phase: 'firing', since: ts, lastTs: ts }, event: event('open') };
      }
      return { state: { ...state, lastTs: ts } };
    }
    case 'firing': {
      if (!clear) return { state: { ...state, lastTs: ts } };
      if (rule.clearForMs <= 0) return { state: { phase: 'idle', since: ts, lastTs: ts }, event: event('clear') };
      return { state: { phase: 'clearing', since: ts, lastTs: ts } };
    }
    case 'clearing': {
      if (breach) return { state: { phase: 'firing', since: ts, lastTs: ts } };
      if (ts - state.since >= rule.clearForMs) {
        return { state: { phase: 'idle', since: ts, lastTs: ts }, event: event('clear') };
      }
      return { state: { ...state, lastTs: ts } };
    }
  }
}

/**
 * Every rule over every asset's observations, one state per (asset, rule): deduplication is by that key, so an
 * alert opens once per episode. Time comes only from the observations, so replays give the same events.
 */
export class AlertEvaluator {
  private readonly states = new Map<string, RuleState>();
  private rules: AlertRule[];

  constructor(rules: readonly AlertRule[] = []) {
    this.rules = rules.map(validateRule);
  }

  /** Replaces the rules; the states of rules kept (same id) carry over, the others are forgotten. */
  setRules(rules: readonly AlertRule[]): void {
    this.rules = rules.map(validateRule);
    const ids = new Set(this.rules.map((rule) => rule.id));
    for (const key of this.states.keys()) {
      if (!ids.has(key.slice(0, key.indexOf('\u0000')))) this.states.delete(key);
    }
  }

  /** Marks a pair as firing, e.g. for alerts still open in the store after a restart. */
  restoreFiring(ruleId: string, asset: string, since: number): void {
    this.states.set(`${ruleId}\u0000${asset}`, { phase: 'firing', since, lastTs: Number.NEGATIVE_INFINITY });
  }

  /** One asset's signals at `ts` (metric names, `likelihood:<metric>`, …) through every rule that applies. */
  observe(asset: string, ts: number, signals: Readonly<Record<string, number>>): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const rule of this.rules) {
      if (rule.asset !== undefined && rule.asset !== asset) continue;
      const value = signals[signalOf(rule.condition)];
      if (value === undefined) continue;
      const key = `${rule.id}\u0000${asset}`;
      const step = stepRule(rule, asset, this.states.get(key) ?? IDLE, ts, value);
      this.states.set(key, step.state);
      if (step.event) events.push(step.event);
    }
    return events;
  }

  /** The phase of one pair (idle when never seen). */
  phaseOf(ruleId: string, asset: string): RuleState['phase'] {
    return this.states.get(`${ruleId}\u0000${asset}`)?.phase ?? 'idle';
  }
}
