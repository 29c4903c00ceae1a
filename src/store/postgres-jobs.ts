import { describeValue, NotFoundError, ValidationError } from '../core/errors.js';
import { JOB_STATES, type JobQuery, type JobRecord, type JobState, type JobStore, type JobUpdate } from './jobs.js';
import type { PostgresStore } from './postgres.js';
import type { StoredJson, StoredJsonObject } from './registry.js';

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

/** Columns an update may set, and how each binds. */
const UPDATABLE: Record<keyof JobUpdate, { column: string; placeholder: (n: number) => string }> = {
  state: { column: 'state', placeholder: (n) => `$${n}` },
  progress: { column: 'progress', placeholder: (n) => `$${n}` },
  message: { column: 'message', placeholder: (n) => `$${n}` },
  error: { column: 'error', placeholder: (n) => `$${n}` },
  result: { column: 'result', placeholder: (n) => `$${n}::json` },
  startedAt: { column: 'started_at', placeholder: TIMESTAMP },
  finishedAt: { column: 'finished_at', placeholder: TIMESTAMP },
};

interface JobRow {
  id: string;
  kind: string;
  state: string;
  progress: number;
  message: string | null;
  error: string | null;
  input: StoredJsonObject;
  result: StoredJson;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

function jobOf(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state as JobState,
    progress: row.progress,
    message: row.message,
    error: row.error,
    input: row.input,
    result: row.result ?? null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function bindValue(field: keyof JobUpdate, value: JobUpdate[keyof JobUpdate]): unknown {
  if (value === null || value === undefined) return null;
  if (field === 'result') return JSON.stringify(value);
  if (field === 'startedAt' || field === 'finishedAt') return Math.round(value as number);
  return value;
}

function checkUpdate(update: JobUpdate): void {
  if (update.state !== undefined && !JOB_STATES.includes(update.state)) {
    throw new ValidationError(`'state' must be one of ${JOB_STATES.join(', ')}, got ${describeValue(update.state)}`, [
      { path: 'state', message: `must be one of ${JOB_STATES.join(', ')}` },
    ]);
  }
  if (update.progress !== undefined && !(update.progress >= 0 && update.progress <= 1)) {
    throw new ValidationError(`'progress' must be a number in [0, 1], got ${describeValue(update.progress)}`, [
      { path: 'progress', message: 'must be a number in [0, 1]' },
    ]);
  }
}

/** Job records in the PostgreSQL store's database: a `jobs` table beside the readings. */
export class PostgresJobStore implements JobStore {
  private constructor(private readonly store: PostgresStore) {}

  /** Creates the `jobs` table when missing. */
  static async open(store: PostgresStore): Promise<PostgresJobStore> {
    await store.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('upkeep.schema.' || current_schema()))");
      await client.query(SCHEMA);
    });
    return new PostgresJobStore(store);
  }

  async createJob(job: JobRecord): Promise<void> {
    checkUpdate(job);
    await this.store.query(
      `INSERT INTO jobs VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8::json, ${TIMESTAMP(9)}, ${TIMESTAMP(10)},
        ${TIMESTAMP(11)})`,
      [
        job.id,
        job.kind,
        job.state,
        job.progress,
        job.message,
        job.error,
        JSON.stringify(job.input),
        job.result === null ? null : JSON.stringify(job.result),
        Math.round(job.createdAt),
        job.startedAt === null ? null : Math.round(job.startedAt),
        job.finishedAt === null ? null : Math.round(job.finishedAt),
      ],
    );
  }

  async updateJob(id: string, update: JobUpdate): Promise<JobRecord> {
    checkUpdate(update);
    const assignments: string[] = [];
    const values: unknown[] = [id];
    for (const field of Object.keys(UPDATABLE) as (keyof JobUpdate)[]) {
      if (!(field in update) || update[field] === undefined) continue;
      values.push(bindValue(field, update[field]));
      const { column, placeholder } = UPDATABLE[field];
      assignments.push(`${column} = ${placeholder(values.length)}`);
    }
    const result =
      assignments.length > 0
        ? await this.store.query<JobRow>(
            `UPDATE jobs SET ${assignments.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
            values,
          )
        : await this.store.query<JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]);
    const row = result.rows[0];
    if (!row) throw new NotFoundError(`unknown job ${describeValue(id)}`, [{ path: 'id', message: 'no such job' }]);
    return jobOf(row);
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const result = await this.store.query<JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]);
    const row = result.rows[0];
    return row ? jobOf(row) : undefined;
  }

  async listJobs(query: JobQuery = {}): Promise<JobRecord[]> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (query.kind !== undefined) {
      values.push(query.kind);
      conditions.push(`kind = $${values.length}`);
    }
    if (query.state !== undefined) {
      values.push(query.state);
      conditions.push(`state = $${values.length}`);
    }
    let limit = '';
    if (query.limit !== undefined) {
      if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
        throw new ValidationError(`'limit' must be a non-negative integer, got ${describeValue(query.limit)}`, [
          { path: 'limit', message: 'must be a non-negative integer' },
        ]);
      }
      limit = `LIMIT ${query.limit}`;
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
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
