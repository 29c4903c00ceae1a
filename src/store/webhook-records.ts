/** Engine-neutral decoding of stored webhooks and delivery attempts, shared by the DuckDB and PostgreSQL stores. */
import type { Webhook, WebhookDelivery, WebhookEvent } from './webhooks.js';

export interface WebhookRow {
  id: string;
  url: string;
  secret: string;
  created_at: number;
}

export interface DeliveryRow {
  id: number;
  webhook_id: string;
  delivery_id: string;
  event: string;
  alert_id: string;
  attempt: number;
  at: number;
  status_code: number | null;
  error: string | null;
  ok: boolean;
}

export const WEBHOOK_COLUMNS = ['id', 'url', 'secret', 'created_at'] as const;
export const DELIVERY_COLUMNS = [
  'id',
  'webhook_id',
  'delivery_id',
  'event',
  'alert_id',
  'attempt',
  'at',
  'status_code',
  'error',
  'ok',
] as const;

export function webhookOf(row: WebhookRow): Webhook {
  return { id: String(row.id), url: row.url, secret: row.secret, createdAt: Number(row.created_at) };
}

export function deliveryOf(row: DeliveryRow): WebhookDelivery {
  const delivery: WebhookDelivery = {
    id: Number(row.id),
    webhookId: row.webhook_id,
    deliveryId: row.delivery_id,
    event: row.event as WebhookEvent,
    alertId: row.alert_id,
    attempt: Number(row.attempt),
    at: Number(row.at),
    ok: Boolean(row.ok),
  };
  if (row.status_code !== null) delivery.statusCode = Number(row.status_code);
  if (row.error !== null) delivery.error = row.error;
  return delivery;
}
