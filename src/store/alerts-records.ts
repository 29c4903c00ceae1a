/**
 * Engine-neutral pieces of the alert stores: how a stored alert or rule row becomes a domain object. The DuckDB and
 * PostgreSQL alert stores both read rows into these shapes.
 */
import type { Alert, AlertAction, AlertRule, AlertSeverity, AlertState, ConditionKind } from '../core/alert.js';
import { NotFoundError } from '../core/errors.js';

/** A stored alert: times as epoch ms, null when unset. */
export interface AlertRow {
  id: string;
  rule_id: string;
  asset: string;
  severity: string;
  state: string;
  message: string;
  value: number;
  opened_at: number;
  ack_by: string | null;
  ack_at: number | null;
  ack_comment: string | null;
  resolved_by: string | null;
  resolved_at: number | null;
  resolved_comment: string | null;
  resolution: string | null;
}

export interface RuleRow {
  id: string;
  name: string;
  asset: string | null;
  kind: string;
  metric: string | null;
  threshold: number;
  clear: number;
  severity: string;
  for_ms: number;
  clear_for_ms: number;
}

function action(by: string | null, at: number | null, comment: string | null): AlertAction | undefined {
  if (by === null) return undefined;
  return { by, at: Number(at), comment: comment ?? '' };
}

export function alertOf(row: AlertRow): Alert {
  const alert: Alert = {
    id: String(row.id),
    ruleId: row.rule_id,
    asset: row.asset,
    severity: row.severity as AlertSeverity,
    state: row.state as AlertState,
    message: row.message,
    value: Number(row.value),
    openedAt: Number(row.opened_at),
  };
  const acknowledged = action(row.ack_by, row.ack_at, row.ack_comment);
  if (acknowledged) alert.acknowledged = acknowledged;
  const resolved = action(row.resolved_by, row.resolved_at, row.resolved_comment);
  if (resolved) alert.resolved = resolved;
  if (row.resolution === 'manual' || row.resolution === 'auto') alert.resolution = row.resolution;
  return alert;
}

export function ruleOf(row: RuleRow): AlertRule {
  const rule: AlertRule = {
    id: String(row.id),
    name: row.name,
    condition: { kind: row.kind as ConditionKind, threshold: Number(row.threshold), clear: Number(row.clear) },
    severity: row.severity as AlertSeverity,
    forMs: Number(row.for_ms),
    clearForMs: Number(row.clear_for_ms),
  };
  if (row.asset !== null) rule.asset = row.asset;
  if (row.metric !== null) rule.condition.metric = row.metric;
  return rule;
}

/** Ids are decimal integers; anything else names no row. */
export function idNumber(id: string, what: string): number {
  if (!/^\d{1,15}$/.test(id)) throw new NotFoundError(`no ${what} with id '${id}'`);
  return Number(id);
}

/** The values an alert update binds after its id: state, acknowledgement, resolution. */
export function alertUpdateValues(alert: Alert): (string | number | null)[] {
  return [
    alert.state,
    alert.acknowledged?.by ?? null,
    alert.acknowledged ? Math.round(alert.acknowledged.at) : null,
    alert.acknowledged?.comment ?? null,
    alert.resolved?.by ?? null,
    alert.resolved ? Math.round(alert.resolved.at) : null,
    alert.resolved?.comment ?? null,
    alert.resolution ?? null,
  ];
}

/** The nine values a rule insert or update binds: name, asset, kind, metric, threshold, clear, severity, durations. */
export function ruleValues(rule: Omit<AlertRule, 'id'>): (string | number | null)[] {
  return [
    rule.name,
    rule.asset ?? null,
    rule.condition.kind,
    rule.condition.metric ?? null,
    rule.condition.threshold,
    rule.condition.clear,
    rule.severity,
    Math.round(rule.forMs),
    Math.round(rule.clearForMs),
  ];
}
