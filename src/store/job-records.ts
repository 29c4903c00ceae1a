/**
 * Engine-neutral pieces of the job stores: validation of job fields and queries, the values an insert binds, the
 * assignments of an update and the decoding of a stored row. The DuckDB and PostgreSQL job stores both call these;
 * each supplies only its SQL dialect (how an epoch-ms or JSON parameter binds).
 */
import { describeValue, NotFoundError, ValidationError } from '../core/errors.js';
import { JOB_STATES, type JobQuery, type JobRecord, type JobState, type JobUpdate } from './jobs.js';
import type { StoredJson, StoredJsonObject } from './registry.js';

/** A stored job as the engines read it back: JSON decoded, times as epoch ms. */
export interface JobRow {
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

export function jobOf(row: JobRow): JobRecord {
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

export function checkUpdate(update: JobUpdate): void {
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

export function unknownJob(id: string): NotFoundError {
  return new NotFoundError(`unknown job ${describeValue(id)}`, [{ path: 'id', message: 'no such job' }]);
}

/** A value a job statement binds. */
export type JobParam = string | number | boolean | null;

/** The eleven values `INSERT INTO jobs VALUES ($1 … $11)` binds, in column order: JSON as text, times whole ms. */
export function jobInsertValues(job: JobRecord): JobParam[] {
  return [
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
  ];
}

/** How an engine writes the parameter `$n` of a JSON column and of an epoch-ms time column. */
export interface JobDialect {
  json: (n: number) => string;
  time: (n: number) => string;
}

const UPDATABLE: Record<keyof JobUpdate, { column: string; bind: 'plain' | 'json' | 'time' }> = {
  state: { column: 'state', bind: 'plain' },
  progress: { column: 'progress', bind: 'plain' },
  message: { column: 'message', bind: 'plain' },
  error: { column: 'error', bind: 'plain' },
  result: { column: 'result', bind: 'json' },
  startedAt: { column: 'started_at', bind: 'time' },
  finishedAt: { column: 'finished_at', bind: 'time' },
};

function bindValue(field: keyof JobUpdate, value: JobUpdate[keyof JobUpdate]): JobParam {
  if (value === null || value === undefined) return null;
  if (field === 'result') return JSON.stringify(value);
  if (field === 'startedAt' || field === 'finishedAt') return Math.round(value as number);
  return value as JobParam;
}

/**
 * The `SET` assignments of an update and the values they bind, `$1` being the job id. An update without fields
 * gives no assignments.
 */
export function jobAssignments(
  id: string,
  update: JobUpdate,
  dialect: JobDialect,
): { assignments: string[]; values: JobParam[] } {
  const assignments: string[] = [];
  const values: JobParam[] = [id];
  for (const field of Object.keys(UPDATABLE) as (keyof JobUpdate)[]) {
    if (!(field in update) || update[field] === undefined) continue;
    values.push(bindValue(field, update[field]));
    const { column, bind } = UPDATABLE[field];
    const n = values.length;
    assignments.push(`${column} = ${bind === 'json' ? dialect.json(n) : bind === 'time' ? dialect.time(n) : `$${n}`}`);
  }
  return { assignments, values };
}

/** The WHERE clause, its values and the LIMIT clause of a job listing, the query validated. */
export function jobFilter(query: JobQuery): { where: string; values: string[]; limit: string } {
  const conditions: string[] = [];
  const values: string[] = [];
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
  return { where, values, limit };
}
