import type { DetectorStateRecord, DetectorStateStore } from './detector-states.js';
import { type DuckDBStore, toNumber } from './duckdb.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS detector_states (
  asset VARCHAR NOT NULL,
  metric VARCHAR NOT NULL,
  detector VARCHAR NOT NULL,
  last_ts DOUBLE NOT NULL,
  score DOUBLE NOT NULL,
  saved_at DOUBLE NOT NULL,
  PRIMARY KEY (asset, metric)
);`;

/**
 * The detector-state table in the embedded store's database: writes through the store's writer connection (one
 * transaction per `save`, serialised with the commits of readings), reads through a reader connection.
 */
export class DuckDBDetectorStates implements DetectorStateStore {
  private constructor(private readonly store: DuckDBStore) {}

  /** Creates the `detector_states` table when missing. */
  static async open(store: DuckDBStore): Promise<DuckDBDetectorStates> {
    await store.withWriter((connection) => connection.run(SCHEMA));
    return new DuckDBDetectorStates(store);
  }

  async save(records: readonly DetectorStateRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.store.withWriter(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        for (const record of records) {
          await connection.run(
            `INSERT OR REPLACE INTO detector_states (asset, metric, detector, last_ts, score, saved_at)
             VALUES ($1, $2, $3, $4, $5, $6)`,
            [record.asset, record.metric, record.detector, record.lastTs, record.score, record.savedAt],
          );
        }
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async load(limit = Number.MAX_SAFE_INTEGER): Promise<DetectorStateRecord[]> {
    const columns = await this.store.withReader(async (connection) =>
      (
        await connection.runAndReadAll(
          `SELECT asset, metric, detector, last_ts, score, saved_at FROM detector_states
           ORDER BY saved_at DESC, asset, metric LIMIT $1`,
          [Math.max(0, Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER))],
        )
      ).getColumns(),
    );
    const count = columns[0]?.length ?? 0;
    const records: DetectorStateRecord[] = new Array(count);
    for (let row = 0; row < count; row++) {
      records[row] = {
        asset: String(columns[0]?.[row]),
        metric: String(columns[1]?.[row]),
        detector: String(columns[2]?.[row]),
        lastTs: toNumber(columns[3]?.[row]),
        score: toNumber(columns[4]?.[row]),
        savedAt: toNumber(columns[5]?.[row]),
      };
    }
    return records;
  }

  async clear(): Promise<void> {
    await this.store.withWriter((connection) => connection.run('DELETE FROM detector_states'));
  }
}
