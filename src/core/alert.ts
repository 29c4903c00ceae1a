/** Alert rules and alerts: the domain types shared by scoring (evaluation, lifecycle), the store and the API. */

import { formatTimestamp } from './time.js';

export const ALERT_SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const CONDITION_KINDS = [
  'anomaly_likelihood_above',
  'metric_above',
  'metric_below',
  'failure_probability_above',
  'rul_below',
] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

/**
 * When a rule fires. `threshold` opens (strictly beyond it), `clear` closes (at or back past it): for the `_above`
 * kinds `clear ≤ threshold`, for the `_below` kinds `clear ≥ threshold`. Between the two the latch keeps its state
 * (hysteresis), so a signal hovering at the threshold does not flap.
 * `metric` names the metric for the metric and anomaly-likelihood kinds; failure probability and RUL come from a
 * model and need none.
 */
export interface AlertCondition {
  kind: ConditionKind;
  metric?: string;
  threshold: number;
  clear: number;
}

/** A rule as stored and served. */
export interface AlertRule {
  id: string;
  name: string;
  /** Only this asset; every asset when absent. */
  asset?: string;
  condition: AlertCondition;
  severity: AlertSeverity;
  /** The condition must hold this long (ms) before an alert opens. 0 opens at the first breach. */
  forMs: number;
  /** The condition must have been clear this long (ms) before an open alert resolves on its own. */
  clearForMs: number;
}

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Who did something to an alert, when, and why. */
export interface AlertAction {
  by: string;
  /** Epoch ms. */
  at: number;
  comment: string;
}

export interface Alert {
  id: string;
  ruleId: string;
  asset: string;
  severity: AlertSeverity;
  state: AlertState;
  message: string;
  /** The signal's value when the alert opened. */
  value: number;
  /** Epoch ms the alert opened. */
  openedAt: number;
  acknowledged?: AlertAction;
  resolved?: AlertAction;
  /** `manual` when someone resolved it, `auto` when its condition had been clear long enough. */
  resolution?: 'manual' | 'auto';
}

function actionJson(action: AlertAction | undefined) {
  return action ? { by: action.by, at: formatTimestamp(action.at), comment: action.comment } : null;
}

/** An alert in its JSON form, the same in the API (`GET /v1/alerts/{id}`), webhook payloads and `--json` output. */
export function alertJson(alert: Alert) {
  return {
    id: alert.id,
    rule_id: alert.ruleId,
    asset: alert.asset,
    severity: alert.severity,
    state: alert.state,
    message: alert.message,
    value: alert.value,
    opened_at: formatTimestamp(alert.openedAt),
    acknowledged: actionJson(alert.acknowledged),
    resolved: actionJson(alert.resolved),
    resolution: alert.resolution ?? null,
  };
}
