import { blobValue, type DuckDBValue } from '@duckdb/node-api';
import type { DeadLetter, DeadLetterQuery, DeadLetterStore, NewDeadLetter } from './dead-letters.js';
import { DEFAULT_DEAD_LETTER_PAGE } from './dead-letters.js';
import { type DuckDBStore, toNumber } from './duckdb.js';

const SCHEMA = `
CREATE SEQUENCE IF NOT EXISTS dead_letter_ids;
CREATE TABLE IF NOT EXISTS dead_letters (
  id BIGINT NOT NULL DEFAULT nextval('dead_letter_ids'),
  received_at TIMESTAMP NOT NULL,
  source VARCHAR NOT NULL,
  topic VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  payload BLOB NOT NULL
);`;

function toBytes(value: DuckDBValue | undefined): Uint8Array {
  if (value !== null && typeof value === 'object' && 'bytes' in value && value.bytes instanceof Uint8Array) {
    return value.bytes;
  }
  return new Uint8Array(0);
}

/**
 * The dead-letter table in the embedded store's database. Inserts go through the store's writer connection (one
 * transaction per call, serialised with the commits of readings); reads through a reader connection.
 */
export class DuckDBDeadLetters implements DeadLetterStore {
  private constructor(private readonly store: DuckDBStore) {}

  /** Creates the `dead_letters` table when missing. */
  static async open(store: DuckDBStore): Promise<DuckDBDeadLetters> {
    await store.withWriter((connection) => connection.run(SCHEMA));
    return new DuckDBDeadLetters(store);
  }

  async add(letters: readonly NewDeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.store.withWriter(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        for (const letter of letters) {
          await connection.run(
            'INSERT INTO dead_letters (received_at, source, topic, reason, payload) VALUES (epoch_ms($1::BIGINT), $2, $3, $4, $5)',
            [Math.round(letter.receivedAt), letter.source, letter.topic, letter.reason, blobValue(letter.payload)],
          );
        }
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async list(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const limit = Math.max(0, Math.floor(query.limit ?? DEFAULT_DEAD_LETTER_PAGE));
    const columns = await this.store.withReader(async (connection) =>
      (
        await connection.runAndReadAll(
          `SELECT id, epoch_ms(received_at)::DOUBLE, source, topic, reason, payload
           FROM dead_letters ORDER BY id DESC LIMIT $1`,
          [limit],
        )
      ).getColumns(),
    );
    const count = columns[0]?.length ?? 0;
    const letters: DeadLetter[] = new Array(count);
    for (let row = 0; row < count; row++) {
      letters[row] = {
        id: toNumber(columns[0]?.[row]),
        receivedAt: toNumber(columns[1]?.[row]),
        source: String(columns[2]?.[row]),
        topic: String(columns[3]?.[row]),
        reason: String(columns[4]?.[row]),
        payload: toBytes(columns[5]?.[row]),
      };
    }
    return letters;
  }

  async count(): Promise<number> {
    const columns = await this.store.withReader(async (connection) =>
      (await connection.runAndReadAll('SELECT count(*)::DOUBLE FROM dead_letters')).getColumns(),
    );
    return toNumber(columns[0]?.[0]);
  }
}
