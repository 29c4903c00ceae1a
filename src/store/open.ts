import { ValidationError } from '../core/errors.js';
import { DuckDBStore, type DuckDBStoreOptions } from './duckdb.js';
import { PostgresStore, type PostgresStoreOptions } from './postgres.js';
import type { Store } from './store.js';

export type OpenStoreOptions = DuckDBStoreOptions & PostgresStoreOptions;

/**
 * Opens the store named by `url`: ':memory:' or a file path (its folder is created) for the embedded DuckDB store,
 * `postgres://…` for PostgreSQL.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (typeof url !== 'string' || url.trim().length === 0) {
    throw new ValidationError(`'db' must be a file path, ':memory:' or a postgres:// URL, got ${JSON.stringify(url)}`, [
      { path: 'db', message: "must be a file path, ':memory:' or a postgres:// URL" },
    ]);
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return PostgresStore.open(url, options);
  return DuckDBStore.open(url, options);
}
