import { NotFoundError } from '../core/errors.js';
import { idNumber } from './alerts-records.js';
import { newestPage } from './newest-page.js';
import type { PostgresStore } from './postgres.js';
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
CREATE TABLE IF NOT EXISTS webhooks (
  id bigserial PRIMARY KEY,
  url text NOT NULL,
  secret text NOT NULL,
  created_at int8 NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id bigserial PRIMARY KEY,
  webhook_id text NOT NULL,
  delivery_id text NOT NULL,
  event text NOT NULL,
  alert_id text NOT NULL,
  attempt int4 NOT NULL,
  attempted_at int8 NOT NULL,
  status_code int4,
  error text,
  ok boolean NOT NULL
);`;

const DELIVERY_SELECT = `SELECT id::float8 AS id, webhook_id, delivery_id, event, alert_id, attempt, attempted_at::float8 AS at,
  status_code, error, ok FROM webhook_deliveries`;

/** Webhooks and their delivery log in the PostgreSQL store's schema; every statement is parameterised. */
export class PostgresWebhooks implements WebhookStore {
  private constructor(private readonly store: PostgresStore) {}

  static async open(store: PostgresStore): Promise<PostgresWebhooks> {
    await store.createTables(SCHEMA);
    return new PostgresWebhooks(store);
  }

  async listWebhooks(): Promise<Webhook[]> {
    const result = await this.store.query<WebhookRow>(
      'SELECT id::text, url, secret, created_at::float8 AS created_at FROM webhooks ORDER BY id',
    );
    return result.rows.map(webhookOf);
  }

  async addWebhook(webhook: NewWebhook): Promise<Webhook> {
    const result = await this.store.query<{ id: string }>(
      'INSERT INTO webhooks (url, secret, created_at) VALUES ($1, $2, $3) RETURNING id::text',
      [webhook.url, webhook.secret, Math.round(webhook.createdAt)],
    );
    return { ...webhook, id: String(result.rows[0]?.id) };
  }

  async deleteWebhook(id: string): Promise<void> {
    const result = await this.store.query('DELETE FROM webhooks WHERE id = $1', [idNumber(id, 'webhook')]);
    if (result.rowCount === 0) throw new NotFoundError(`no webhook with id '${id}'`);
  }

  async recordDelivery(delivery: NewWebhookDelivery): Promise<WebhookDelivery> {
    const result = await this.store.query<{ id: number }>(
      `INSERT INTO webhook_deliveries (webhook_id, delivery_id, event, alert_id, attempt, attempted_at, status_code, error, ok)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::float8 AS id`,
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
    return { ...delivery, id: Number(result.rows[0]?.id) };
  }

  async listDeliveries(query: WebhookDeliveryQuery = {}): Promise<WebhookDelivery[]> {
    const { sql, params } = newestPage(
      [
        ['webhook_id', query.webhookId],
        ['alert_id', query.alertId],
      ],
      query.limit ?? DEFAULT_DELIVERY_PAGE,
    );
    const result = await this.store.query<DeliveryRow>(`${DELIVERY_SELECT} ${sql}`, params);
    return result.rows.map(deliveryOf);
  }
}
