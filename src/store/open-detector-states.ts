import type { DetectorStateStore } from './detector-states.js';
import { DuckDBStore } from './duckdb.js';
import { DuckDBDetectorStates } from './duckdb-detector-states.js';
import { PostgresStore } from './postgres.js';
import { PostgresDetectorStates } from './postgres-detector-states.js';
import type { Store } from './store.js';

/** Opens the detector-state table in the same database as `store` (created when missing); undefined for others. */
export async function openDetectorStates(store: Store): Promise<DetectorStateStore | undefined> {
  if (store instanceof PostgresStore) return PostgresDetectorStates.open(store);
  if (store instanceof DuckDBStore) return DuckDBDetectorStates.open(store);
  return undefined;
}
