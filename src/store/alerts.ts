import type { Alert, AlertRule, AlertSeverity, AlertState } from '../core/alert.js';

/** A rule before the store has given it an id. */
export type NewAlertRule = Omit<AlertRule, 'id'>;

/** An alert as an evaluator opens it. */
export type NewAlert = Pick<Alert, 'ruleId' | 'asset' | 'severity' | 'message' | 'value' | 'openedAt'>;

export interface AlertQuery {
  state?: AlertState;
  asset?: string;
  severity?: AlertSeverity;
  /** Most rows returned, newest first. */
  limit?: number;
}

export const DEFAULT_ALERT_PAGE = 100;

/**
 * Alerts and the rules that open them, beside the readings. At most one alert per (rule, asset) is active (open
 * or acknowledged) at a time: `open` returns that one instead of adding a second.
 */
export interface AlertStore {
  listRules(): Promise<AlertRule[]>;
  addRule(rule: NewAlertRule): Promise<AlertRule>;
  /** Replaces a rule's definition, keeping its id (and its alerts). NotFoundError when there is no such rule. */
  updateRule(rule: AlertRule): Promise<AlertRule>;
  /** Throws a NotFoundError naming the id when there is no such rule. */
  deleteRule(id: string): Promise<void>;
  /** The active alert of the pair when there is one (`created: false`), else a new open alert. */
  open(alert: NewAlert): Promise<{ alert: Alert; created: boolean }>;
  /** Throws a NotFoundError naming the id when there is no such alert. */
  get(id: string): Promise<Alert>;
  /** The open or acknowledged alert of a (rule, asset) pair. */
  active(ruleId: string, asset: string): Promise<Alert | undefined>;
  /** Newest first. */
  list(query?: AlertQuery): Promise<Alert[]>;
  /** Writes an alert's state, acknowledgement and resolution (from the lifecycle functions). */
  update(alert: Alert): Promise<void>;
}
