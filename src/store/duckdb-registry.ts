import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { type DuckDBStore, toNumber } from './duckdb.js';
import {
  checkNewModelVersion,
  type ModelRegistry,
  type ModelVersion,
  type ModelVersionQuery,
  type ModelVersionSummary,
  type NewModelVersion,
  parseModelVersionId,
  type StoredJsonObject,
} from './registry.js';
import { type SummaryRow, savedSummary, summaryOf, unknownVersion, versionOf } from './registry-records.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS models (
  name VARCHAR NOT NULL,
  version INTEGER NOT NULL,
  kind VARCHAR NOT NULL,
  task VARCHAR NOT NULL,
  metrics JSON NOT NULL,
  card JSON NOT NULL,
  model JSON NOT NULL,
  created_at TIMESTAMP NOT NULL,
  active BOOLEAN NOT NULL,
  PRIMARY KEY (name, version)
);`;

const SUMMARY_COLUMNS = 'name, version, kind, task, metrics::VARCHAR, epoch_ms(created_at)::DOUBLE, active';
const FULL_COLUMNS = `${SUMMARY_COLUMNS}, card::VARCHAR, model::VARCHAR`;

function parseObject(value: DuckDBValue | undefined): StoredJsonObject {
  return typeof value === 'string' ? (JSON.parse(value) as StoredJsonObject) : {};
}

function summaryRowAt(columns: DuckDBValue[][], row: number): SummaryRow {
  return {
    name: String(columns[0]?.[row]),
    version: toNumber(columns[1]?.[row]),
    kind: String(columns[2]?.[row]),
    task: String(columns[3]?.[row]),
    metrics: parseObject(columns[4]?.[row]) as Record<string, number>,
    created_at: toNumber(columns[5]?.[row]),
    active: columns[6]?.[row] === true,
  };
}

function summaryAt(columns: DuckDBValue[][], row: number): ModelVersionSummary {
  return summaryOf(summaryRowAt(columns, row));
}

function versionAt(columns: DuckDBValue[][], row: number): ModelVersion {
  return versionOf({
    ...summaryRowAt(columns, row),
    card: parseObject(columns[7]?.[row]),
    model: parseObject(columns[8]?.[row]),
  });
}

async function select(connection: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<DuckDBValue[][]> {
  return (await connection.runAndReadAll(sql, values)).getColumns();
}

/** Runs `task` inside one transaction on `connection`, rolled back when it throws. */
async function inTransaction<T>(connection: DuckDBConnection, task: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await task();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The model registry in the embedded store's database: a `models` table beside the readings. Writes go through the
 * store's writer connection, one at a time, each in one transaction (numbering and activation cannot race); reads
 * go through its reader connection.
 */
export class DuckDBModelRegistry implements ModelRegistry {
  private constructor(private readonly store: DuckDBStore) {}

  /** Creates the `models` table when missing. */
  static async open(store: DuckDBStore): Promise<DuckDBModelRegistry> {
    await store.withWriter((connection) => connection.run(SCHEMA));
    return new DuckDBModelRegistry(store);
  }

  async saveVersion(input: NewModelVersion): Promise<ModelVersionSummary> {
    checkNewModelVersion(input);
    const metrics = JSON.stringify(input.metrics);
    const card = JSON.stringify(input.card);
    const model = JSON.stringify(input.model);
    const createdAt = Math.round(input.createdAt);
    return this.store.withWriter((connection) =>
      inTransaction(connection, async () => {
        const [highest = [], anyActive = []] = await select(
          connection,
          'SELECT coalesce(max(version), 0)::INTEGER, coalesce(bool_or(active), false) FROM models WHERE name = $1',
          [input.name],
        );
        const version = toNumber(highest[0]) + 1;
        const active = input.activate ?? anyActive[0] !== true;
        if (active) await connection.run('UPDATE models SET active = false WHERE name = $1 AND active', [input.name]);
        await connection.run(
          `INSERT INTO models VALUES ($1, $2, $3, $4, $5::JSON, $6::JSON, $7::JSON, epoch_ms($8::BIGINT), $9)`,
          [input.name, version, input.kind, input.task, metrics, card, model, createdAt, active],
        );
        return savedSummary(input, version, metrics, createdAt, active);
      }),
    );
  }

  async listVersions(query: ModelVersionQuery = {}): Promise<ModelVersionSummary[]> {
    const filter = query.name === undefined ? '' : 'WHERE name = $1';
    const columns = await this.store.withReader((connection) =>
      select(
        connection,
        `SELECT ${SUMMARY_COLUMNS} FROM models ${filter} ORDER BY name, version`,
        query.name === undefined ? [] : [query.name],
      ),
    );
    const count = columns[0]?.length ?? 0;
    const summaries: ModelVersionSummary[] = new Array(count);
    for (let row = 0; row < count; row++) summaries[row] = summaryAt(columns, row);
    return summaries;
  }

  async getVersion(id: string): Promise<ModelVersion | undefined> {
    const parsed = parseModelVersionId(id);
    if (!parsed) return undefined;
    const columns = await this.store.withReader((connection) =>
      select(connection, `SELECT ${FULL_COLUMNS} FROM models WHERE name = $1 AND version = $2`, [
        parsed.name,
        parsed.version,
      ]),
    );
    return (columns[0]?.length ?? 0) > 0 ? versionAt(columns, 0) : undefined;
  }

  async promote(id: string): Promise<ModelVersionSummary> {
    const parsed = parseModelVersionId(id);
    if (!parsed) throw unknownVersion(id);
    return this.store.withWriter((connection) =>
      inTransaction(connection, async () => {
        const columns = await select(
          connection,
          `SELECT ${SUMMARY_COLUMNS} FROM models WHERE name = $1 AND version = $2`,
          [parsed.name, parsed.version],
        );
        if ((columns[0]?.length ?? 0) === 0) throw unknownVersion(id);
        // One statement flips every version of the name: exactly one stays active.
        await connection.run('UPDATE models SET active = (version = $2) WHERE name = $1 AND active <> (version = $2)', [
          parsed.name,
          parsed.version,
        ]);
        return { ...summaryAt(columns, 0), active: true };
      }),
    );
  }

  async getActive(name: string): Promise<ModelVersion | undefined> {
    const columns = await this.store.withReader((connection) =>
      select(connection, `SELECT ${FULL_COLUMNS} FROM models WHERE name = $1 AND active`, [name]),
    );
    return (columns[0]?.length ?? 0) > 0 ? versionAt(columns, 0) : undefined;
  }
}
