import type pg from 'pg';
import type { PostgresStore } from './postgres.js';
import {
  checkNewModelVersion,
  type ModelRegistry,
  type ModelVersion,
  type ModelVersionQuery,
  type ModelVersionSummary,
  type NewModelVersion,
  parseModelVersionId,
} from './registry.js';
import {
  type FullRow,
  type SummaryRow,
  savedSummary,
  summaryOf,
  unknownVersion,
  versionOf,
} from './registry-records.js';

/** Card and model are `json` (kept as the text saved, numbers and key order untouched), not `jsonb`. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS models (
  name text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  kind text NOT NULL,
  task text NOT NULL,
  metrics json NOT NULL,
  card json NOT NULL,
  model json NOT NULL,
  created_at timestamptz NOT NULL,
  active boolean NOT NULL,
  PRIMARY KEY (name, version)
);`;

const SUMMARY_COLUMNS =
  'name, version, kind, task, metrics, (extract(epoch from created_at) * 1000)::float8 AS created_at, active';
const FULL_COLUMNS = `${SUMMARY_COLUMNS}, card, model`;

/** Serialises the writers of one task name across processes until the transaction ends. */
function lockName(client: pg.PoolClient, name: string): Promise<unknown> {
  return client.query("SELECT pg_advisory_xact_lock(hashtext('upkeep.models.' || current_schema() || '.' || $1))", [
    name,
  ]);
}

/**
 * The model registry in the PostgreSQL store's database: a `models` table beside the readings. Saves and
 * promotions of one name take a transaction-scoped advisory lock on it, so that numbering and activation cannot
 * race, whichever process writes.
 */
export class PostgresModelRegistry implements ModelRegistry {
  private constructor(private readonly store: PostgresStore) {}

  /** Creates the `models` table when missing. */
  static async open(store: PostgresStore): Promise<PostgresModelRegistry> {
    await store.createTables(SCHEMA);
    return new PostgresModelRegistry(store);
  }

  async saveVersion(input: NewModelVersion): Promise<ModelVersionSummary> {
    checkNewModelVersion(input);
    const metrics = JSON.stringify(input.metrics);
    const createdAt = Math.round(input.createdAt);
    return this.store.transaction(async (client) => {
      await lockName(client, input.name);
      const current = await client.query<{ highest: number; any_active: boolean }>(
        'SELECT coalesce(max(version), 0)::int AS highest, coalesce(bool_or(active), false) AS any_active FROM models WHERE name = $1',
        [input.name],
      );
      const version = (current.rows[0]?.highest ?? 0) + 1;
      const active = input.activate ?? current.rows[0]?.any_active !== true;
      if (active) await client.query('UPDATE models SET active = false WHERE name = $1 AND active', [input.name]);
      await client.query(
        `INSERT INTO models VALUES ($1, $2, $3, $4, $5::json, $6::json, $7::json, to_timestamp($8::int8 / 1000.0), $9)`,
        [
          input.name,
          version,
          input.kind,
          input.task,
          metrics,
          JSON.stringify(input.card),
          JSON.stringify(input.model),
          createdAt,
          active,
        ],
      );
      return savedSummary(input, version, metrics, createdAt, active);
    });
  }

  async listVersions(query: ModelVersionQuery = {}): Promise<ModelVersionSummary[]> {
    const filter = query.name === undefined ? '' : 'WHERE name = $1';
    const result = await this.store.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM models ${filter} ORDER BY name, version`,
      query.name === undefined ? [] : [query.name],
    );
    return result.rows.map(summaryOf);
  }

  async getVersion(id: string): Promise<ModelVersion | undefined> {
    const parsed = parseModelVersionId(id);
    if (!parsed) return undefined;
    const result = await this.store.query<FullRow>(
      `SELECT ${FULL_COLUMNS} FROM models WHERE name = $1 AND version = $2`,
      [parsed.name, parsed.version],
    );
    const row = result.rows[0];
    return row ? versionOf(row) : undefined;
  }

  async promote(id: string): Promise<ModelVersionSummary> {
    const parsed = parseModelVersionId(id);
    if (!parsed) throw unknownVersion(id);
    return this.store.transaction(async (client) => {
      await lockName(client, parsed.name);
      const result = await client.query<SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM models WHERE name = $1 AND version = $2`,
        [parsed.name, parsed.version],
      );
      const row = result.rows[0];
      if (!row) throw unknownVersion(id);
      // One statement flips every version of the name: exactly one stays active.
      await client.query('UPDATE models SET active = (version = $2) WHERE name = $1 AND active <> (version = $2)', [
        parsed.name,
        parsed.version,
      ]);
      return { ...summaryOf(row), active: true };
    });
  }

  async getActive(name: string): Promise<ModelVersion | undefined> {
    const result = await this.store.query<FullRow>(`SELECT ${FULL_COLUMNS} FROM models WHERE name = $1 AND active`, [
      name,
    ]);
    const row = result.rows[0];
    return row ? versionOf(row) : undefined;
  }
}
