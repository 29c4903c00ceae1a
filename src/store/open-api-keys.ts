import { UnprocessableError } from '../core/errors.js';
import type { ApiKeyStore } from './api-keys.js';
import { DuckDBStore } from './duckdb.js';
import { DuckDBApiKeyStore } from './duckdb-api-keys.js';
import { PostgresStore } from './postgres.js';
import { PostgresApiKeyStore } from './postgres-api-keys.js';
import type { Store } from './store.js';

/** The API keys kept in the same database as `store` (their table created when missing). */
export async function openApiKeyStore(store: Store): Promise<ApiKeyStore> {
  if (store instanceof PostgresStore) return PostgresApiKeyStore.open(store);
  if (!(store instanceof DuckDBStore)) {
    throw new UnprocessableError(`API keys are not available on a ${store.kind} store yet`, [
      { path: 'db', message: `no API keys for ${store.kind}` },
    ]);
  }
  return DuckDBApiKeyStore.open(store);
}
