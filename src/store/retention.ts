import { ValidationError } from '../core/errors.js';
import { DuckDBStore } from './duckdb.js';
import { PostgresStore } from './postgres.js';
import type { Store } from './store.js';

/** What a retention run removed. */
export type RetentionResult =
  | { kind: 'postgres'; droppedPartitions: string[] }
  | { kind: 'duckdb'; deletedValues: number };

/**
 * Removes readings older than `before` (epoch ms): on PostgreSQL whole monthly partitions that end at or before it
 * (no row-by-row delete; the month holding `before` stays until it is entirely older), on DuckDB every older row.
 */
export async function applyRetention(store: Store, before: number): Promise<RetentionResult> {
  if (store instanceof PostgresStore) {
    return { kind: 'postgres', droppedPartitions: await store.dropPartitionsBefore(before) };
  }
  if (store instanceof DuckDBStore) return { kind: 'duckdb', deletedValues: await store.deleteReadingsBefore(before) };
  throw new ValidationError(`retention: not supported for a ${store.kind} store`);
}
