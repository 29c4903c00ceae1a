import { duplicateKey, type KeyRow, keyInsertValues, recordOf } from './api-key-records.js';
import { type ApiKeyRecord, type ApiKeyStore, type ApiKeySummary, summaryOf, unknownKey } from './api-keys.js';
import type { PostgresStore } from './postgres.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL,
  salt text NOT NULL,
  hash text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz
);`;

const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::float8 AS ${column}`;
const COLUMNS = `id, name, role, salt, hash, ${epochMs('created_at')}, ${epochMs('last_used_at')},
  ${epochMs('expires_at')}, ${epochMs('revoked_at')}`;

/** Epoch ms bound as a timestamptz (null stays null). */
const TIMESTAMP = (n: number) => `to_timestamp($${n}::int8 / 1000.0)`;

/** API keys in the PostgreSQL store's schema: an `api_keys` table; every statement is parameterised. */
export class PostgresApiKeyStore implements ApiKeyStore {
  private constructor(private readonly store: PostgresStore) {}

  /** Creates the `api_keys` table when missing. */
  static async open(store: PostgresStore): Promise<PostgresApiKeyStore> {
    await store.createTables(SCHEMA);
    return new PostgresApiKeyStore(store);
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    const result = await this.store.query(
      `INSERT INTO api_keys VALUES ($1, $2, $3, $4, $5, ${TIMESTAMP(6)}, NULL, ${TIMESTAMP(7)}, NULL)
        ON CONFLICT (id) DO NOTHING`,
      keyInsertValues(record),
    );
    if (result.rowCount === 0) throw duplicateKey(record.id);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const result = await this.store.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    const row = result.rows[0];
    return row && recordOf(row);
  }

  async list(): Promise<ApiKeySummary[]> {
    const result = await this.store.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`);
    return result.rows.map((row) => summaryOf(recordOf(row)));
  }

  async revoke(id: string, at: number): Promise<ApiKeySummary> {
    await this.store.query(`UPDATE api_keys SET revoked_at = ${TIMESTAMP(2)} WHERE id = $1 AND revoked_at IS NULL`, [
      id,
      Math.round(at),
    ]);
    const record = await this.get(id);
    if (!record) throw unknownKey(id);
    return summaryOf(record);
  }

  async touch(id: string, at: number): Promise<void> {
    await this.store.query(
      `UPDATE api_keys SET last_used_at = ${TIMESTAMP(2)}
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < ${TIMESTAMP(2)})`,
      [id, Math.round(at)],
    );
  }

  async countUsable(now: number): Promise<number> {
    const result = await this.store.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM api_keys
        WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${TIMESTAMP(1)})`,
      [Math.round(now)],
    );
    return result.rows[0]?.count ?? 0;
  }
}
