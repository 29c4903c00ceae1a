import type { DuckDBValue } from '@duckdb/node-api';
import { NotFoundError } from '../core/errors.js';
import { idNumber } from './alerts-records.js';
import type { DuckDBStore } from './duckdb.js';
import { newestPage } from './newest-page.js';
import { type DeliveryRow, deliveryOf, type WebhookRow, webhookOf } from './webhook-records.js';
import {
  DEFAULT_DELIVERY_PAGE,
  type NewWebhook,
  type NewWebhookDelivery,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryQuery,
  type WebhookStore,
} from './webhooks.js';

const SCHEMA = `
CREATE SEQUENCE IF NOT EXISTS webhook_ids;
CREATE TABLE IF NOT EXISTS webhooks (
  id BIGINT NOT NULL DEFAULT nextval('webhook_ids') PRIMARY KEY,
  url VARCHAR NOT NULL,
  secret VARCHAR NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS webhook_delivery_ids;
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id BIGINT NOT NULL DEFAULT nextval('webhook_delivery_ids') PRIMARY KEY,
  webhook_id VARCHAR NOT NULL,
  delivery_id VARCHAR NOT NULL,
  event VARCHAR NOT NULL,
  alert_id VARCHAR NOT NULL,
  attempt INTEGER NOT NULL,
  attempted_at BIGINT NOT NULL,
  status_code INTEGER,
  error VARCHAR,
  ok BOOLEAN NOT NULL
);`;

const DELIVERY_SELECT = `SELECT id::DOUBLE AS id, webhook_id, delivery_id, event, alert_id, attempt, attempted_at::DOUBLE AS at,
  status_code, error, ok FROM webhook_deliveries`;

/** Webhooks and their delivery log in the embedded store's database; writes through its writer connection. */
export class DuckDBWebhooks implements WebhookStore {
  private constructor(private readonly store: DuckDBStore) {}

  static async open(store: DuckDBStore): Promise<DuckDBWebhooks> {
    await store.withWriter((connection) => connection.run(SCHEMA));
    return new DuckDBWebhooks(store);
  }

  private async rows<R>(sql: string, params: DuckDBValue[] = []): Promise<R[]> {
    return this.store.withReader(
      async (connection) => (await connection.runAndReadAll(sql, params)).getRowObjectsJS() as unknown as R[],
    );
  }

  async listWebhooks(): Promise<Webhook[]> {
    const rows = await this.rows<WebhookRow>(
      'SELECT id::VARCHAR AS id, url, secret, created_at::DOUBLE AS created_at FROM webhooks ORDER BY id',
    );
    return rows.map(webhookOf);
  }

  async addWebhook(webhook: NewWebhook): Promise<Webhook> {
    const id = await this.store.withWriter(async (connection) => {
      const reader = await connection.runAndReadAll(
        'INSERT INTO webhooks (url, secret, created_at) VALUES ($1, $2, $3) RETURNING id::VARCHAR',
        [webhook.url, webhook.secret, Math.round(webhook.createdAt)],
      );
      return String(reader.getColumns()[0]?.[0]);
    });
    return { ...webhook, id };
  }

  async deleteWebhook(id: string): Promise<void> {
    const key = idNumber(id, 'webhook');
    const deleted = await this.store.withWriter(async (connection) => {
      const reader = await connection.runAndReadAll('DELETE FROM webhooks WHERE id = $1 RETURNING id', [key]);
      return reader.getColumns()[0]?.length ?? 0;
    });
    if (deleted === 0) throw new NotFoundError(`no webhook with id '${id}'`);
  }

  async recordDelivery(delivery: NewWebhookDelivery): Promise<WebhookDelivery> {
    const id = await this.store.withWriter(async (connection) => {
      const reader = await connection.runAndReadAll(
        `INSERT INTO webhook_deliveries (webhook_id, delivery_id, event, alert_id, attempt, attempted_at, status_code, error, ok)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::DOUBLE`,
        [
          delivery.webhookId,
          delivery.deliveryId,
          delivery.event,
          delivery.alertId,
          delivery.attempt,
          Math.round(delivery.at),
          delivery.statusCode ?? null,
          delivery.error ?? null,
          delivery.ok,
        ],
      );
      return Number(reader.getColumns()[0]?.[0]);
    });
    return { ...delivery, id };
  }

  async listDeliveries(query: WebhookDeliveryQuery = {}): Promise<WebhookDelivery[]> {
    const { sql, params } = newestPage(
      [
        ['webhook_id', query.webhookId],
        ['alert_id', query.alertId],
      ],
      query.limit ?? DEFAULT_DELIVERY_PAGE,
    );
    const rows = await this.rows<DeliveryRow>(`${DELIVERY_SELECT} ${sql}`, params);
    return rows.map(deliveryOf);
  }
}
