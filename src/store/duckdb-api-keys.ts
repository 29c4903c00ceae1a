import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { duplicateKey, keyInsertValues, recordOf } from './api-key-records.js';
import { type ApiKeyRecord, type ApiKeyStore, type ApiKeySummary, summaryOf, unknownKey } from './api-keys.js';
import type { DuckDBStore } from './duckdb.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  salt VARCHAR NOT NULL,
  hash VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  last_used_at TIMESTAMP,
  expires_at TIMESTAMP,
  revoked_at TIMESTAMP
);`;

const COLUMNS = `id, name, role, salt, hash, epoch_ms(created_at)::DOUBLE, epoch_ms(last_used_at)::DOUBLE,
  epoch_ms(expires_at)::DOUBLE, epoch_ms(revoked_at)::DOUBLE`;

function optionalTime(value: DuckDBValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** Times read back are whole epoch ms (epoch_ms of a TIMESTAMP), so the shared rounding leaves them as they are. */
function recordAt(columns: DuckDBValue[][], row: number): ApiKeyRecord {
  return recordOf({
    id: String(columns[0]?.[row]),
    name: String(columns[1]?.[row]),
    role: String(columns[2]?.[row]),
    salt: String(columns[3]?.[row]),
    hash: String(columns[4]?.[row]),
    created_at: optionalTime(columns[5]?.[row]) ?? 0,
    last_used_at: optionalTime(columns[6]?.[row]) ?? null,
    expires_at: optionalTime(columns[7]?.[row]) ?? null,
    revoked_at: optionalTime(columns[8]?.[row]) ?? null,
  });
}

async function select(connection: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<ApiKeyRecord[]> {
  const columns = (await connection.runAndReadAll(sql, values)).getColumns();
  const count = columns[0]?.length ?? 0;
  const records: ApiKeyRecord[] = new Array(count);
  for (let row = 0; row < count; row++) records[row] = recordAt(columns, row);
  return records;
}

/** API keys in the embedded store's database: an `api_keys` table beside the readings; every query is parameterised. */
export class DuckDBApiKeyStore implements ApiKeyStore {
  private constructor(private readonly store: DuckDBStore) {}

  /** Creates the `api_keys` table when missing. */
  static async open(store: DuckDBStore): Promise<DuckDBApiKeyStore> {
    await store.withWriter((connection) => connection.run(SCHEMA));
    return new DuckDBApiKeyStore(store);
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    await this.store.withWriter(async (connection) => {
      const existing = await select(connection, `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [record.id]);
      if (existing.length > 0) throw duplicateKey(record.id);
      await connection.run(
        `INSERT INTO api_keys VALUES ($1, $2, $3, $4, $5, epoch_ms($6::BIGINT), NULL,
          CASE WHEN $7::BIGINT IS NULL THEN NULL ELSE epoch_ms($7::BIGINT) END, NULL)`,
        keyInsertValues(record),
      );
    });
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const records = await this.store.withReader((connection) =>
      select(connection, `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]),
    );
    return records[0];
  }

  async list(): Promise<ApiKeySummary[]> {
    const records = await this.store.withReader((connection) =>
      select(connection, `SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`, []),
    );
    return records.map(summaryOf);
  }

  async revoke(id: string, at: number): Promise<ApiKeySummary> {
    return this.store.withWriter(async (connection) => {
      await connection.run(
        'UPDATE api_keys SET revoked_at = epoch_ms($2::BIGINT) WHERE id = $1 AND revoked_at IS NULL',
        [id, Math.round(at)],
      );
      const [record] = await select(connection, `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
      if (!record) throw unknownKey(id);
      return summaryOf(record);
    });
  }

  async touch(id: string, at: number): Promise<void> {
    await this.store.withWriter((connection) =>
      connection.run(
        `UPDATE api_keys SET last_used_at = epoch_ms($2::BIGINT)
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < epoch_ms($2::BIGINT))`,
        [id, Math.round(at)],
      ),
    );
  }

  async countUsable(now: number): Promise<number> {
    const columns = await this.store.withReader(async (connection) =>
      (
        await connection.runAndReadAll(
          `SELECT count(*)::INTEGER FROM api_keys
            WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > epoch_ms($1::BIGINT))`,
          [Math.round(now)],
        )
      ).getColumns(),
    );
    return Number(columns[0]?.[0] ?? 0);
  }
}
