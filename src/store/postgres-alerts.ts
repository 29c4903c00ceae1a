import type { Alert, AlertRule } from '../core/alert.js';
import { NotFoundError } from '../core/errors.js';
import type { AlertQuery, AlertStore, NewAlert, NewAlertRule } from './alerts.js';
import { DEFAULT_ALERT_PAGE } from './alerts.js';
import {
  type AlertRow,
  alertOf,
  alertUpdateValues,
  idNumber,
  type RuleRow,
  ruleOf,
  ruleValues,
} from './alerts-records.js';
import { newestPage } from './newest-page.js';
import type { PostgresStore } from './postgres.js';

/**
 * The partial unique index keeps at most one active (open or acknowledged) alert per (rule, asset), so that two
 * servers opening the same alert at once cannot both insert: the second insert does nothing and reads the first.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS alert_rules (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  asset text,
  kind text NOT NULL,
  metric text,
  threshold float8 NOT NULL,
  clear float8 NOT NULL,
  severity text NOT NULL,
  for_ms int8 NOT NULL,
  clear_for_ms int8 NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
  id bigserial PRIMARY KEY,
  rule_id text NOT NULL,
  asset text NOT NULL,
  severity text NOT NULL,
  state text NOT NULL,
  message text NOT NULL,
  value float8 NOT NULL,
  opened_at int8 NOT NULL,
  ack_by text,
  ack_at int8,
  ack_comment text,
  resolved_by text,
  resolved_at int8,
  resolved_comment text,
  resolution text
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_active ON alerts (rule_id, asset) WHERE state <> 'resolved';
CREATE INDEX IF NOT EXISTS alerts_state ON alerts (state, id);`;

const ALERT_COLUMNS = `id::text, rule_id, asset, severity, state, message, value, opened_at::float8 AS opened_at,
  ack_by, ack_at::float8 AS ack_at, ack_comment, resolved_by, resolved_at::float8 AS resolved_at, resolved_comment,
  resolution`;
const RULE_COLUMNS = `id::text, name, asset, kind, metric, threshold, clear, severity, for_ms::float8 AS for_ms,
  clear_for_ms::float8 AS clear_for_ms`;
const ACTIVE = "rule_id = $1 AND asset = $2 AND state <> 'resolved'";

/** Alerts and alert rules in the PostgreSQL store's schema; every statement is parameterised. */
export class PostgresAlerts implements AlertStore {
  private constructor(private readonly store: PostgresStore) {}

  /** Creates the tables when missing. */
  static async open(store: PostgresStore): Promise<PostgresAlerts> {
    await store.createTables(SCHEMA);
    return new PostgresAlerts(store);
  }

  async listRules(): Promise<AlertRule[]> {
    const result = await this.store.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM alert_rules ORDER BY id`);
    return result.rows.map(ruleOf);
  }

  async addRule(rule: NewAlertRule): Promise<AlertRule> {
    const result = await this.store.query<{ id: string }>(
      `INSERT INTO alert_rules (name, asset, kind, metric, threshold, clear, severity, for_ms, clear_for_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::text`,
      ruleValues(rule),
    );
    return { ...rule, id: String(result.rows[0]?.id) };
  }

  async updateRule(rule: AlertRule): Promise<AlertRule> {
    const result = await this.store.query(
      `UPDATE alert_rules SET name = $2, asset = $3, kind = $4, metric = $5, threshold = $6, clear = $7, severity = $8,
         for_ms = $9, clear_for_ms = $10 WHERE id = $1`,
      [idNumber(rule.id, 'alert rule'), ...ruleValues(rule)],
    );
    if (result.rowCount === 0) throw new NotFoundError(`no alert rule with id '${rule.id}'`);
    return rule;
  }

  async deleteRule(id: string): Promise<void> {
    const result = await this.store.query('DELETE FROM alert_rules WHERE id = $1', [idNumber(id, 'alert rule')]);
    if (result.rowCount === 0) throw new NotFoundError(`no alert rule with id '${id}'`);
  }

  async open(alert: NewAlert): Promise<{ alert: Alert; created: boolean }> {
    const inserted = await this.store.query<AlertRow>(
      `INSERT INTO alerts (rule_id, asset, severity, state, message, value, opened_at)
       VALUES ($1, $2, $3, 'open', $4, $5, $6)
       ON CONFLICT (rule_id, asset) WHERE state <> 'resolved' DO NOTHING
       RETURNING ${ALERT_COLUMNS}`,
      [alert.ruleId, alert.asset, alert.severity, alert.message, alert.value, Math.round(alert.openedAt)],
    );
    const created = inserted.rows[0];
    if (created) return { alert: alertOf(created), created: true };
    const existing = await this.active(alert.ruleId, alert.asset);
    if (existing) return { alert: existing, created: false };
    // Resolved between the insert and the read: try once more.
    return this.open(alert);
  }

  async get(id: string): Promise<Alert> {
    const result = await this.store.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [
      idNumber(id, 'alert'),
    ]);
    const row = result.rows[0];
    if (!row) throw new NotFoundError(`no alert with id '${id}'`);
    return alertOf(row);
  }

  async active(ruleId: string, asset: string): Promise<Alert | undefined> {
    const result = await this.store.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE ${ACTIVE} ORDER BY id DESC LIMIT 1`,
      [ruleId, asset],
    );
    const row = result.rows[0];
    return row && alertOf(row);
  }

  async list(query: AlertQuery = {}): Promise<Alert[]> {
    const { sql, params } = newestPage(
      [
        ['state', query.state],
        ['asset', query.asset],
        ['severity', query.severity],
      ],
      query.limit ?? DEFAULT_ALERT_PAGE,
    );
    const result = await this.store.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts ${sql}`, params);
    return result.rows.map(alertOf);
  }

  async update(alert: Alert): Promise<void> {
    const result = await this.store.query(
      `UPDATE alerts SET state = $2, ack_by = $3, ack_at = $4, ack_comment = $5, resolved_by = $6, resolved_at = $7,
         resolved_comment = $8, resolution = $9 WHERE id = $1`,
      [idNumber(alert.id, 'alert'), ...alertUpdateValues(alert)],
    );
    if (result.rowCount === 0) throw new NotFoundError(`no alert with id '${alert.id}'`);
  }
}
