import type { DetectorStateRecord, DetectorStateStore } from './detector-states.js';
import type { PostgresStore } from './postgres.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS detector_states (
  asset text NOT NULL,
  metric text NOT NULL,
  detector text NOT NULL,
  last_ts float8 NOT NULL,
  score float8 NOT NULL,
  saved_at float8 NOT NULL,
  PRIMARY KEY (asset, metric)
);`;

interface StateRow {
  asset: string;
  metric: string;
  detector: string;
  last_ts: number;
  score: number;
  saved_at: number;
}

/** The detector-state table in the PostgreSQL store's schema: one transaction per `save`, upserting by key. */
export class PostgresDetectorStates implements DetectorStateStore {
  private constructor(private readonly store: PostgresStore) {}

  /** Creates the `detector_states` table when missing. */
  static async open(store: PostgresStore): Promise<PostgresDetectorStates> {
    await store.createTables(SCHEMA);
    return new PostgresDetectorStates(store);
  }

  async save(records: readonly DetectorStateRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.store.transaction(async (client) => {
      for (const record of records) {
        await client.query(
          `INSERT INTO detector_states (asset, metric, detector, last_ts, score, saved_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (asset, metric) DO UPDATE SET detector = EXCLUDED.detector, last_ts = EXCLUDED.last_ts,
             score = EXCLUDED.score, saved_at = EXCLUDED.saved_at`,
          [record.asset, record.metric, record.detector, record.lastTs, record.score, record.savedAt],
        );
      }
    });
  }

  async load(limit = Number.MAX_SAFE_INTEGER): Promise<DetectorStateRecord[]> {
    const result = await this.store.query<StateRow>(
      `SELECT asset, metric, detector, last_ts, score, saved_at FROM detector_states
       ORDER BY saved_at DESC, asset, metric LIMIT $1`,
      [Math.max(0, Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER))],
    );
    return result.rows.map((row) => ({
      asset: row.asset,
      metric: row.metric,
      detector: row.detector,
      lastTs: row.last_ts,
      score: row.score,
      savedAt: row.saved_at,
    }));
  }

  async clear(): Promise<void> {
    await this.store.query('DELETE FROM detector_states');
  }
}
