import { UnprocessableError } from '../core/errors.js';
import { DuckDBStore } from './duckdb.js';
import { DuckDBJobStore } from './duckdb-jobs.js';
import { DuckDBModelRegistry } from './duckdb-registry.js';
import type { JobStore } from './jobs.js';
import { PostgresStore } from './postgres.js';
import { PostgresJobStore } from './postgres-jobs.js';
import { PostgresModelRegistry } from './postgres-registry.js';
import type { ModelRegistry } from './registry.js';
import type { Store } from './store.js';

/** The model registry and the job records kept in the same database as `store` (their tables created when missing). */
export async function openRegistry(store: Store): Promise<{ registry: ModelRegistry; jobs: JobStore }> {
  if (store instanceof PostgresStore) {
    return { registry: await PostgresModelRegistry.open(store), jobs: await PostgresJobStore.open(store) };
  }
  if (!(store instanceof DuckDBStore)) {
    throw new UnprocessableError(`the model registry is not available on a ${store.kind} store yet`, [
      { path: 'db', message: `no model registry for ${store.kind}` },
    ]);
  }
  return { registry: await DuckDBModelRegistry.open(store), jobs: await DuckDBJobStore.open(store) };
}
