import type { DeadLetter, DeadLetterQuery, DeadLetterStore, NewDeadLetter } from './dead-letters.js';
import { DEFAULT_DEAD_LETTER_PAGE } from './dead-letters.js';
import type { PostgresStore } from './postgres.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS dead_letters (
  id bigserial PRIMARY KEY,
  received_at int8 NOT NULL,
  source text NOT NULL,
  topic text NOT NULL,
  reason text NOT NULL,
  payload bytea NOT NULL
);`;

interface LetterRow {
  id: number;
  received_at: number;
  source: string;
  topic: string;
  reason: string;
  payload: Buffer;
}

/** The dead-letter table in the PostgreSQL store's schema: one transaction per `add`, bound as arrays. */
export class PostgresDeadLetters implements DeadLetterStore {
  private constructor(private readonly store: PostgresStore) {}

  /** Creates the `dead_letters` table when missing. */
  static async open(store: PostgresStore): Promise<PostgresDeadLetters> {
    await store.createTables(SCHEMA);
    return new PostgresDeadLetters(store);
  }

  async add(letters: readonly NewDeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.store.transaction(async (client) => {
      for (const letter of letters) {
        await client.query(
          'INSERT INTO dead_letters (received_at, source, topic, reason, payload) VALUES ($1, $2, $3, $4, $5)',
          [Math.round(letter.receivedAt), letter.source, letter.topic, letter.reason, Buffer.from(letter.payload)],
        );
      }
    });
  }

  async list(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const limit = Math.max(0, Math.floor(query.limit ?? DEFAULT_DEAD_LETTER_PAGE));
    const result = await this.store.query<LetterRow>(
      `SELECT id::float8 AS id, received_at::float8 AS received_at, source, topic, reason, payload
       FROM dead_letters ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return result.rows.map((row) => ({
      id: row.id,
      receivedAt: row.received_at,
      source: row.source,
      topic: row.topic,
      reason: row.reason,
      payload: new Uint8Array(row.payload),
    }));
  }

  async count(): Promise<number> {
    const result = await this.store.query<{ count: number }>('SELECT count(*)::float8 AS count FROM dead_letters');
    return result.rows[0]?.count ?? 0;
  }
}
