import { UnprocessableError } from '../core/errors.js';
import type { AlertStore } from './alerts.js';
import type { DeadLetterStore } from './dead-letters.js';
import { DuckDBStore } from './duckdb.js';
import { DuckDBAlerts } from './duckdb-alerts.js';
import { DuckDBDeadLetters } from './duckdb-dead-letters.js';
import { DuckDBWebhooks } from './duckdb-webhooks.js';
import { PostgresStore } from './postgres.js';
import { PostgresAlerts } from './postgres-alerts.js';
import { PostgresDeadLetters } from './postgres-dead-letters.js';
import { PostgresWebhooks } from './postgres-webhooks.js';
import type { Store } from './store.js';
import type { WebhookStore } from './webhooks.js';

/** The operational tables kept beside the readings: alerts and rules, dead letters, webhooks and their deliveries. */
export interface AlertStores {
  alerts: AlertStore;
  deadLetters: DeadLetterStore;
  webhooks: WebhookStore;
}

/** Opens the alert, dead-letter and webhook tables in the same database as `store` (created when missing). */
export async function openAlertStores(store: Store): Promise<AlertStores> {
  if (store instanceof PostgresStore) {
    return {
      alerts: await PostgresAlerts.open(store),
      deadLetters: await PostgresDeadLetters.open(store),
      webhooks: await PostgresWebhooks.open(store),
    };
  }
  if (store instanceof DuckDBStore) {
    return {
      alerts: await DuckDBAlerts.open(store),
      deadLetters: await DuckDBDeadLetters.open(store),
      webhooks: await DuckDBWebhooks.open(store),
    };
  }
  throw new UnprocessableError(`alerts are not available on a ${store.kind} store`, [
    { path: 'db', message: `no alert tables for ${store.kind}` },
  ]);
}
