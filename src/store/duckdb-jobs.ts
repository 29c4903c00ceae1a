import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { describeValue, NotFoundError, ValidationError } from '../core/errors.js';
import type { DuckDBStore } from './duckdb.js';
import { JOB_STATES, type JobQuery, type JobRecord, type JobState, type JobStore, type JobUpdate } from './jobs.js';
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

/** Columns an update may set, and how each binds. */
const UPDATABLE: Record<keyof JobUpdate, { column: string; placeholder: (n: number) => string }> = {
  state: { column: 'state', placeholder: (n) => `$${n}` },
  progress: { column: 'progress', placeholder: (n) => `$${n}` },
  message: { column: 'message', placeholder: (n) => `$${n}` },
  error: { column: 'error', placeholder: (n) => `$${n}` },
  result: { column: 'result', placeholder: (n) => `$${n}::JSON` },
  startedAt: { column: 'started_at', placeholder: (n) => `epoch_ms($${n}::BIGINT)` },
  finishedAt: { column: 'finished_at', placeholder: (n) => `epoch_ms($${n}::BIGINT)` },
};

function toNumber(value: DuckDBValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return Number.NaN;
}

function nullableNumber(value: DuckDBValue | undefined): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

function nullableString(value: DuckDBValue | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

function jobAt(columns: DuckDBValue[][], row: number): JobRecord {
  const result = columns[7]?.[row];
  return {
    id: String(columns[0]?.[row]),
    kind: String(columns[1]?.[row]),
    state: String(columns[2]?.[row]) as JobState,
    progress: toNumber(columns[3]?.[row]),
    message: nullableString(columns[4]?.[row]),
    error: nullableString(columns[5]?.[row]),
    input: JSON.parse(String(columns[6]?.[row])) as StoredJsonObject,
    result: typeof result === 'string' ? (JSON.parse(result) as StoredJson) : null,
    createdAt: toNumber(columns[8]?.[row]),
    startedAt: nullableNumber(columns[9]?.[row]),
    finishedAt: nullableNumber(columns[10]?.[row]),
  };
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

function bindValue(field: keyof JobUpdate, value: JobUpdate[keyof JobUpdate]): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (field === 'result') return JSON.stringify(value);
  if (field === 'startedAt' || field === 'finishedAt') return Math.round(value as number);
  return value as DuckDBValue;
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
      ),
    );
  }

  async updateJob(id: string, update: JobUpdate): Promise<JobRecord> {
    checkUpdate(update);
    const assignments: string[] = [];
    const values: DuckDBValue[] = [id];
    for (const field of Object.keys(UPDATABLE) as (keyof JobUpdate)[]) {
      if (!(field in update) || update[field] === undefined) continue;
      values.push(bindValue(field, update[field]));
      const { column, placeholder } = UPDATABLE[field];
      assignments.push(`${column} = ${placeholder(values.length)}`);
    }
    const columns = await this.store.withWriter(async (connection) => {
      if (assignments.length > 0) {
        const changed = await connection.run(`UPDATE jobs SET ${assignments.join(', ')} WHERE id = $1`, values);
        if (changed.rowsChanged === 0) return [];
      }
      return select(connection, `SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]);
    });
    const [job] = jobsOf(columns);
    if (!job) throw new NotFoundError(`unknown job ${describeValue(id)}`, [{ path: 'id', message: 'no such job' }]);
    return job;
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const columns = await this.store.withReader((connection) =>
      select(connection, `SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]),
    );
    return jobsOf(columns)[0];
  }

  async listJobs(query: JobQuery = {}): Promise<JobRecord[]> {
    const conditions: string[] = [];
    const values: DuckDBValue[] = [];
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
