/** When an alert changes: the events a webhook is told about. */
export const WEBHOOK_EVENTS = ['alert.opened', 'alert.acknowledged', 'alert.resolved'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Where alert changes are posted, and the secret their signature is made with. */
export interface Webhook {
  id: string;
  url: string;
  /** The HMAC-SHA256 key. Kept to sign with; never logged, never listed by the API. */
  secret: string;
  /** Epoch ms. */
  createdAt: number;
}

export type NewWebhook = Omit<Webhook, 'id'>;

/** One attempt at posting one event to one webhook. */
export interface NewWebhookDelivery {
  webhookId: string;
  /** The payload's `id`: the same for every attempt at one event. */
  deliveryId: string;
  event: WebhookEvent;
  alertId: string;
  /** 1 for the first try. */
  attempt: number;
  /** Epoch ms the attempt started. */
  at: number;
  /** The receiver's HTTP status; absent when no answer came (refused, timed out). */
  statusCode?: number;
  /** Why the attempt failed; absent when it succeeded. */
  error?: string;
  /** A 2xx answer. */
  ok: boolean;
}

export interface WebhookDelivery extends NewWebhookDelivery {
  /** Increasing in insertion order. */
  id: number;
}

export interface WebhookDeliveryQuery {
  webhookId?: string;
  alertId?: string;
  /** Most rows returned, newest first. */
  limit?: number;
}

export const DEFAULT_DELIVERY_PAGE = 100;

/** Webhook targets and the log of every delivery attempt, beside the alerts. */
export interface WebhookStore {
  /** Oldest first. */
  listWebhooks(): Promise<Webhook[]>;
  addWebhook(webhook: NewWebhook): Promise<Webhook>;
  /** Throws a NotFoundError naming the id when there is no such webhook. Its delivery log is kept. */
  deleteWebhook(id: string): Promise<void>;
  recordDelivery(delivery: NewWebhookDelivery): Promise<WebhookDelivery>;
  /** Newest first. */
  listDeliveries(query?: WebhookDeliveryQuery): Promise<WebhookDelivery[]>;
}
