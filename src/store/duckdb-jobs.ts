import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { type DuckDBStore, toNumber } from './duckdb.js';
import {
  checkUpdate,
  type JobDialect,
  jobAssignments,
  jobFilter,
  jobInsertValues,
  jobOf,
  unknownJob,
} from './job-records.js';
import type { JobQuery, JobRecord, JobStore, JobUpdate } from './jobs.js';
import type { StoredJson, StoredJsonObject } from './registry.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id VARCHAR PRIMARY KEY,
  kind VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  progress DOUBLE NOT NULL,
  message VARCHAR,
  error VARCHAR,
  input JSON NOT NULL,
  result JSON,
  created_at TIMESTAMP NOT NULL,
  started_at TIMESTAMP,
  finished_at TIMESTAMP
);`;

const COLUMNS = `id, kind, state, progress, message, error, input::VARCHAR, result::VARCHAR,
  epoch_ms(created_at)::DOUBLE, epoch_ms(started_at)::DOUBLE, epoch_ms(finished_at)::DOUBLE`;

/** DuckDB binds JSON text with a cast and epoch ms through epoch_ms. */
const DIALECT: JobDialect = { json: (n) => `$${n}::JSON`, time: (n) => `epoch_ms($${n}::BIGINT)` };

function nullableNumber(value: DuckDBValue | undefined): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

function nullableString(value: DuckDBValue | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

function jobAt(columns: DuckDBValue[][], row: number): JobRecord {
  const result = columns[7]?.[row];
  return jobOf({
    id: String(columns[0]?.[row]),
    kind: String(columns[1]?.[row]),
    state: String(columns[2]?.[row]),
    progress: toNumber(columns[3]?.[row]),
    message: nullableString(columns[4]?.[row]),
    error: nullableString(columns[5]?.[row]),
    input: JSON.parse(String(columns[6]?.[row])) as StoredJsonObject,
    result: typeof result === 'string' ? (JSON.parse(result) as StoredJson) : null,
    created_at: toNumber(columns[8]?.[row]),
    started_at: nullableNumber(columns[9]?.[row]),
    finished_at: nullableNumber(columns[10]?.[row]),
  });
}

function jobsOf(columns: DuckDBValue[][]): JobRecord[] {
  const count = columns[0]?.length ?? 0;
  const jobs: JobRecord[] = new Array(count);
  for (let row = 0; row < count; row++) jobs[row] = jobAt(columns, row);
  return jobs;
}

async function select(connection: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<DuckDBValue[][]> {
  return (await connection.runAndReadAll(sql, values)).getColumns();
}

/** Job records in the embedded store's database: a `jobs` table written through the store's writer connection. */
export class DuckDBJobStore implements JobStore {
  private constructor(private readonly store: DuckDBStore) {}

  /** Creates the `jobs` table when missing. */
  static async open(store: DuckDBStore): Promise<DuckDBJobStore> {
    await store.withWriter((connection) => connection.run(SCHEMA));
    return new DuckDBJobStore(store);
  }

  async createJob(job: JobRecord): Promise<void> {
    checkUpdate(job);
    await this.store.withWriter((connection) =>
      connection.run(
        `INSERT INTO jobs VALUES ($1, $2, $3, $4, $5, $6, $7::JSON, $8::JSON, epoch_ms($9::BIGINT),
          epoch_ms($10::BIGINT), epoch_ms($11::BIGINT))`,
        jobInsertValues(job),
      ),
    );
  }

  async updateJob(id: string, update: JobUpdate): Promise<JobRecord> {
    checkUpdate(update);
    const { assignments, values } = jobAssignments(id, update, DIALECT);
    const columns = await this.store.withWriter(async (connection) => {
      if (assignments.length > 0) {
        const changed = await connection.run(`UPDATE jobs SET ${assignments.join(', ')} WHERE id = $1`, values);
        if (changed.rowsChanged === 0) return [];
      }
      return select(connection, `SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]);
    });
    const [job] = jobsOf(columns);
    if (!job) throw unknownJob(id);
    return job;
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const columns = await this.store.withReader((connection) =>
      select(connection, `SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]),
    );
    return jobsOf(columns)[0];
  }

  async listJobs(query: JobQuery = {}): Promise<JobRecord[]> {
    const { where, values, limit } = jobFilter(query);
    const columns = await this.store.withReader((connection) =>
      select(connection, `SELECT ${COLUMNS} FROM jobs ${where} ORDER BY created_at DESC, id DESC ${limit}`, values),
    );
    return jobsOf(columns);
  }

  async failUnfinishedJobs(reason: string, at: number): Promise<number> {
    const result = await this.store.withWriter((connection) =>
      connection.run(
        `UPDATE jobs SET state = 'failed', error = $1, finished_at = epoch_ms($2::BIGINT)
         WHERE state IN ('queued', 'running')`,
        [reason, Math.round(at)],
      ),
    );
    return result.rowsChanged;
  }
}
