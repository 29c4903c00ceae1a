import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
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
import { type DuckDBStore, toNumber } from './duckdb.js';
import { newestPage } from './newest-page.js';

const SCHEMA = `
CREATE SEQUENCE IF NOT EXISTS alert_rule_ids;
CREATE TABLE IF NOT EXISTS alert_rules (
  id BIGINT NOT NULL DEFAULT nextval('alert_rule_ids') PRIMARY KEY,
  name VARCHAR NOT NULL,
  asset VARCHAR,
  kind VARCHAR NOT NULL,
  metric VARCHAR,
  threshold DOUBLE NOT NULL,
  clear DOUBLE NOT NULL,
  severity VARCHAR NOT NULL,
  for_ms BIGINT NOT NULL,
  clear_for_ms BIGINT NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS alert_ids;
CREATE TABLE IF NOT EXISTS alerts (
  id BIGINT NOT NULL DEFAULT nextval('alert_ids') PRIMARY KEY,
  rule_id VARCHAR NOT NULL,
  asset VARCHAR NOT NULL,
  severity VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  message VARCHAR NOT NULL,
  value DOUBLE NOT NULL,
  opened_at BIGINT NOT NULL,
  ack_by VARCHAR,
  ack_at BIGINT,
  ack_comment VARCHAR,
  resolved_by VARCHAR,
  resolved_at BIGINT,
  resolved_comment VARCHAR,
  resolution VARCHAR
);`;

const ALERT_COLUMNS = `id, rule_id, asset, severity, state, message, value, opened_at, ack_by, ack_at, ack_comment,
  resolved_by, resolved_at, resolved_comment, resolution`;

async function selectAlerts(connection: DuckDBConnection, where: string, params: DuckDBValue[]): Promise<Alert[]> {
  const reader = await connection.runAndReadAll(`SELECT ${ALERT_COLUMNS} FROM alerts ${where}`, params);
  return (reader.getRowObjectsJS() as unknown as AlertRow[]).map(alertOf);
}

/**
 * The `alerts` and `alert_rules` tables in the embedded store's database. Writes go through the store's writer
 * connection, so opening an alert (look for the active one of the pair, insert when none) cannot race another.
 */
export class DuckDBAlerts implements AlertStore {
  private constructor(private readonly store: DuckDBStore) {}

  /** Creates the tables when missing. */
  static async open(store: DuckDBStore): Promise<DuckDBAlerts> {
    await store.withWriter((connection) => connection.run(SCHEMA));
    return new DuckDBAlerts(store);
  }

  async listRules(): Promise<AlertRule[]> {
    const rows = await this.store.withReader(async (connection) =>
      (
        await connection.runAndReadAll(
          'SELECT id, name, asset, kind, metric, threshold, clear, severity, for_ms, clear_for_ms FROM alert_rules ORDER BY id',
        )
      ).getRowObjectsJS(),
    );
    return (rows as unknown as RuleRow[]).map(ruleOf);
  }

  async addRule(rule: NewAlertRule): Promise<AlertRule> {
    const id = await this.store.withWriter(async (connection) => {
      const reader = await connection.runAndReadAll(
        `INSERT INTO alert_rules (name, asset, kind, metric, threshold, clear, severity, for_ms, clear_for_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        ruleValues(rule),
      );
      return toNumber(reader.getColumns()[0]?.[0]);
    });
    return { ...rule, id: String(id) };
  }

  async updateRule(rule: AlertRule): Promise<AlertRule> {
    const key = idNumber(rule.id, 'alert rule');
    const changed = await this.store.withWriter(async (connection) => {
      const reader = await connection.runAndReadAll(
        `UPDATE alert_rules SET name = $2, asset = $3, kind = $4, metric = $5, threshold = $6, clear = $7,
           severity = $8, for_ms = $9, clear_for_ms = $10 WHERE id = $1 RETURNING id`,
        [key, ...ruleValues(rule)],
      );
      return reader.getColumns()[0]?.length ?? 0;
    });
    if (changed === 0) throw new NotFoundError(`no alert rule with id '${rule.id}'`);
    return rule;
  }

  async deleteRule(id: string): Promise<void> {
    const key = idNumber(id, 'alert rule');
    const deleted = await this.store.withWriter(async (connection) => {
      const reader = await connection.runAndReadAll('DELETE FROM alert_rules WHERE id = $1 RETURNING id', [key]);
      return reader.getColumns()[0]?.length ?? 0;
    });
    if (deleted === 0) throw new NotFoundError(`no alert rule with id '${id}'`);
  }

  async open(alert: NewAlert): Promise<{ alert: Alert; created: boolean }> {
    return this.store.withWriter(async (connection) => {
      const [existing] = await selectAlerts(
        connection,
        "WHERE rule_id = $1 AND asset = $2 AND state <> 'resolved' ORDER BY id DESC LIMIT 1",
        [alert.ruleId, alert.asset],
      );
      if (existing) return { alert: existing, created: false };
      const reader = await connection.runAndReadAll(
        `INSERT INTO alerts (rule_id, asset, severity, state, message, value, opened_at)
         VALUES ($1, $2, $3, 'open', $4, $5, $6) RETURNING id`,
        [alert.ruleId, alert.asset, alert.severity, alert.message, alert.value, Math.round(alert.openedAt)],
      );
      const id = String(toNumber(reader.getColumns()[0]?.[0]));
      return { alert: { ...alert, id, state: 'open' as const }, created: true };
    });
  }

  async get(id: string): Promise<Alert> {
    const key = idNumber(id, 'alert');
    const [alert] = await this.store.withReader((connection) => selectAlerts(connection, 'WHERE id = $1', [key]));
    if (!alert) throw new NotFoundError(`no alert with id '${id}'`);
    return alert;
  }

  async active(ruleId: string, asset: string): Promise<Alert | undefined> {
    const [alert] = await this.store.withReader((connection) =>
      selectAlerts(connection, "WHERE rule_id = $1 AND asset = $2 AND state <> 'resolved' ORDER BY id DESC LIMIT 1", [
        ruleId,
        asset,
      ]),
    );
    return alert;
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
    return this.store.withReader((connection) => selectAlerts(connection, sql, params));
  }

  async update(alert: Alert): Promise<void> {
    const key = idNumber(alert.id, 'alert');
    const changed = await this.store.withWriter(async (connection) => {
      const reader = await connection.runAndReadAll(
        `UPDATE alerts SET state = $2, ack_by = $3, ack_at = $4, ack_comment = $5, resolved_by = $6, resolved_at = $7,
           resolved_comment = $8, resolution = $9 WHERE id = $1 RETURNING id`,
        [key, ...alertUpdateValues(alert)],
      );
      return reader.getColumns()[0]?.length ?? 0;
    });
    if (changed === 0) throw new NotFoundError(`no alert with id '${alert.id}'`);
  }
}
