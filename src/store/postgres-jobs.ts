import {
  checkUpdate,
  type JobDialect,
  type JobRow,
  jobAssignments,
  jobFilter,
  jobInsertValues,
  jobOf,
  unknownJob,
} from './job-records.js';
import type { JobQuery, JobRecord, JobStore, JobUpdate } from './jobs.js';
import type { PostgresStore } from './postgres.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id text COLLATE "C" PRIMARY KEY,
  kind text NOT NULL,
  state text NOT NULL,
  progress float8 NOT NULL,
  message text,
  error text,
  input json NOT NULL,
  result json,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at DESC, id DESC);`;

const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::float8 AS ${column}`;
const COLUMNS = `id, kind, state, progress, message, error, input, result,
  ${epochMs('created_at')}, ${epochMs('started_at')}, ${epochMs('finished_at')}`;

/** Epoch ms bound as a timestamptz (null stays null). */
const TIMESTAMP = (n: number) => `to_timestamp($${n}::int8 / 1000.0)`;

/** PostgreSQL binds JSON text with a cast and epoch ms as a timestamptz. */
const DIALECT: JobDialect = { json: (n) => `$${n}::json`, time: TIMESTAMP };

/** Job records in the PostgreSQL store's database: a `jobs` table beside the readings. */
export class PostgresJobStore implements JobStore {
  private constructor(private readonly store: PostgresStore) {}

  /** Creates the `jobs` table when missing. */
  static async open(store: PostgresStore): Promise<PostgresJobStore> {
    await store.createTables(SCHEMA);
    return new PostgresJobStore(store);
  }

  async createJob(job: JobRecord): Promise<void> {
    checkUpdate(job);
    await this.store.query(
      `INSERT INTO jobs VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8::json, ${TIMESTAMP(9)}, ${TIMESTAMP(10)},
        ${TIMESTAMP(11)})`,
      jobInsertValues(job),
    );
  }

  async updateJob(id: string, update: JobUpdate): Promise<JobRecord> {
    checkUpdate(update);
    const { assignments, values } = jobAssignments(id, update, DIALECT);
    const result =
      assignments.length > 0
        ? await this.store.query<JobRow>(
            `UPDATE jobs SET ${assignments.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
            values,
          )
        : await this.store.query<JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]);
    const row = result.rows[0];
    if (!row) throw unknownJob(id);
    return jobOf(row);
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const result = await this.store.query<JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]);
    const row = result.rows[0];
    return row ? jobOf(row) : undefined;
  }

  async listJobs(query: JobQuery = {}): Promise<JobRecord[]> {
    const { where, values, limit } = jobFilter(query);
    const result = await this.store.query<JobRow>(
      `SELECT ${COLUMNS} FROM jobs ${where} ORDER BY jobs.created_at DESC, id DESC ${limit}`,
      values,
    );
    return result.rows.map(jobOf);
  }

  async failUnfinishedJobs(reason: string, at: number): Promise<number> {
    const result = await this.store.query(
      `UPDATE jobs SET state = 'failed', error = $1, finished_at = ${TIMESTAMP(2)}
       WHERE state IN ('queued', 'running')`,
      [reason, Math.round(at)],
    );
    return result.rowCount ?? 0;
  }
}
