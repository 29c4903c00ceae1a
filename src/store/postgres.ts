import { userInfo } from 'node:os';
import pg from 'pg';
import { describeValue, UpkeepError, ValidationError } from '../core/errors.js';
import type { Reading, ValueRows } from '../core/reading.js';
import { GroupCommit } from './group-commit.js';
import {
  appendReadingsOf,
  assetPageSql,
  attributesOf,
  checkColumns,
  checkTime,
  invalidName,
  invalidValue,
  isValidName,
  readingFilter,
  validateAssets,
} from './rows.js';
import type {
  AppendResult,
  Asset,
  AssetListQuery,
  AssetSummary,
  LatestValue,
  ReadingQuery,
  Store,
  StoredValue,
} from './store.js';

/**
 * `readings` is range-partitioned by month on `ts` (partitions created on demand, dropped whole for retention).
 * The primary key (asset, metric, ts) makes appends idempotent and serves per-metric range queries and the latest
 * values; the index on (asset, ts) serves an asset's values in time order (a range of all its metrics); text columns
 * use the "C" collation so that ids and metric names sort by code point, as the Store contract orders them.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS assets (
  id text COLLATE "C" PRIMARY KEY,
  attributes jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS readings (
  asset text COLLATE "C" NOT NULL,
  metric text COLLATE "C" NOT NULL,
  ts timestamptz NOT NULL,
  value float8 NOT NULL,
  PRIMARY KEY (asset, metric, ts)
) PARTITION BY RANGE (ts);
CREATE INDEX IF NOT EXISTS readings_asset_ts ON readings (asset, ts);`;

/** Serialises schema creation across processes: concurrent CREATE TABLE IF NOT EXISTS of one table can collide. */
const SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtext('upkeep.schema.' || current_schema()))";

/** Epoch ms of a timestamptz, exact (extract returns numeric). */
const EPOCH_MS = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

/**
 * The values of one batch (bound as arrays) reduced to the first occurrence of each (asset, metric, ts) and sorted
 * by key, so that concurrent writers lock rows in one order; values already stored are skipped.
 */
const INSERT_READINGS = `INSERT INTO readings (asset, metric, ts, value)
SELECT DISTINCT ON (asset, metric, ts) asset, metric, ts, value FROM (
  SELECT u.asset, u.metric, to_timestamp(u.ms / 1000.0) AS ts, u.value, u.seq
  FROM unnest($1::text[], $2::text[], $3::int8[], $4::float8[]) WITH ORDINALITY AS u(asset, metric, ms, value, seq)
) staged ORDER BY asset, metric, ts, seq
ON CONFLICT DO NOTHING`;
/**
 * The same for a batch without a repeated (asset, metric, ts): no reduction, rows inserted in batch order (a
 * redelivered batch comes in the same order, so it cannot deadlock with its first delivery; other overlaps are
 * retried).
 */
const INSERT_READINGS_PLAIN = `INSERT INTO readings (asset, metric, ts, value)
SELECT u.asset, u.metric, to_timestamp(u.ms / 1000.0), u.value
FROM unnest($1::text[], $2::text[], $3::int8[], $4::float8[]) AS u(asset, metric, ms, value)
ON CONFLICT DO NOTHING`;
/** Rows per INSERT statement; a larger batch is split into several statements of one transaction. */
const ROWS_PER_STATEMENT = 50_000;
/** Times the store takes: from 4712 BC (PostgreSQL's timestamptz starts in November 4713 BC) to JS Date's end. */
const MIN_TS = Date.UTC(-4711, 0, 1);
const MAX_TS = 8_640_000_000_000_000;
/** Attempts at a statement that failed transiently (see isTransient) or met a partition dropped elsewhere. */
const MAX_ATTEMPTS = 4;
/** Pause before attempt n (n ≥ 2): 50 ms, 100 ms, 200 ms. */
const RETRY_DELAY_MS = 50;
const RETRYABLE_CODES = new Set(['40P01', '40001']);

/**
 * Whether `error` may pass on a new attempt: a deadlock or serialisation failure, or a lost connection (a
 * terminated backend, a server restart, a network cut). Appends are idempotent, so repeating one that did commit
 * only turns its values into duplicates.
 */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    return (
      RETRYABLE_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03'
    );
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|Client has encountered a connection error/i.test(message);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** "no partition of relation found for row": a partition this process created was dropped elsewhere. */
const NO_PARTITION_CODE = '23514';

export interface PostgresStoreOptions {
  /**
   * Schema holding the tables (created when missing). Default: the `schema` query parameter of the URL, else the
   * connection's default search path (usually `public`).
   */
  schema?: string;
  /** Most connections the pool opens (default 8). */
  maxConnections?: number;
}

interface EncodedBatch {
  asset: string[];
  metric: string[];
  /** Whole epoch milliseconds. */
  ts: number[];
  value: number[];
  /** Distinct asset ids, sorted. */
  assets: string[];
  /** Start (epoch ms) of every UTC month the batch touches. */
  months: number[];
  /** False when every (asset, metric) pair's times strictly increase along the batch: no repeat within it. */
  mayRepeat: boolean;
}

/** Rounds to whole milliseconds, halves away from zero (as the embedded store does). */
function wholeMs(time: number): number {
  return time < 0 ? -Math.round(-time) : Math.round(time);
}

/** Epoch ms of the first instant of the UTC month holding `time`. */
function monthStart(time: number): number {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** Epoch ms of the next month's start; +Infinity past the last month JS dates reach (September 275760). */
function nextMonthStart(start: number): number {
  const date = new Date(start);
  const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return Number.isNaN(next) || next > MAX_TS ? Number.POSITIVE_INFINITY : next;
}

/** Validates one batch into the column arrays the INSERT binds. O(n), one Date per month change. */
function encodeBatch(rows: ValueRows): EncodedBatch {
  checkColumns(rows);
  const { length } = rows;
  const batch: EncodedBatch = {
    asset: new Array(length),
    metric: new Array(length),
    ts: new Array(length),
    value: new Array(length),
    assets: [],
    months: [],
    mayRepeat: false,
  };
  const lastTs = new Map<string, number>();
  const seenAssets = new Set<string>();
  const seenMetrics = new Set<string>();
  const months = new Set<number>();
  let monthFrom = Number.POSITIVE_INFINITY;
  let monthTo = Number.NEGATIVE_INFINITY;
  for (let row = 0; row < length; row++) {
    const asset = rows.asset[row] as string;
    if (!seenAssets.has(asset)) {
      if (!isValidName(asset)) throw invalidName('asset', row, asset);
      seenAssets.add(asset);
    }
    const metric = rows.metric[row] as string;
    if (!seenMetrics.has(metric)) {
      if (!isValidName(metric)) throw invalidName('metric', row, metric);
      seenMetrics.add(metric);
    }
    const time = rows.ts[row] as number;
    if (!Number.isFinite(time) || time < MIN_TS || time > MAX_TS) {
      throw new ValidationError(`row ${row}: ts must be finite epoch milliseconds from 4712 BC, got ${time}`, [
        { path: `rows[${row}].ts`, message: 'must be finite epoch milliseconds from 4712 BC' },
      ]);
    }
    const value = rows.value[row] as number;
    if (!Number.isFinite(value)) throw invalidValue(row, metric, value);
    const ms = wholeMs(time);
    if (ms < monthFrom || ms >= monthTo) {
      monthFrom = monthStart(ms);
      monthTo = nextMonthStart(monthFrom);
      months.add(monthFrom);
    }
    if (!batch.mayRepeat) {
      const pair = `${asset}\u0000${metric}`;
      if (ms <= (lastTs.get(pair) ?? Number.NEGATIVE_INFINITY)) batch.mayRepeat = true;
      else lastTs.set(pair, ms);
    }
    batch.asset[row] = asset;
    batch.metric[row] = metric;
    batch.ts[row] = ms;
    batch.value[row] = value;
  }
  batch.assets = [...seenAssets].sort();
  batch.months = [...months].sort((a, b) => a - b);
  return batch;
}

/** A time bound as stored: whole milliseconds within the range timestamptz and JS dates share. */
function storedTime(value: number): number {
  return Math.min(MAX_TS, Math.max(MIN_TS, wholeMs(value)));
}

/** PostgreSQL text cannot hold NUL. */
const ASSET_RULES = { allowNul: false };

/** A SQL identifier, double-quoted. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Partition of the month starting at `start`: `readings_p202601` (`readings_pm00440301` before year 0). */
function partitionName(start: number): string {
  const date = new Date(start);
  const year = date.getUTCFullYear();
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `readings_p${year < 0 ? 'm' : ''}${String(Math.abs(year)).padStart(4, '0')}${month}`;
}

/** The upper bound of the partition of the month starting at `start`, as SQL. */
function upperBound(start: number): string {
  const end = nextMonthStart(start);
  return end === Number.POSITIVE_INFINITY ? 'MAXVALUE' : `to_timestamp(${end / 1000})`;
}

/** The month start a partition name stands for; undefined for a table not named by `partitionName`. */
function partitionMonth(name: string): number | undefined {
  const match = /^readings_p(m?)(\d{4,6})(\d{2})$/.exec(name);
  if (!match) return undefined;
  const year = Number(match[2]) * (match[1] ? -1 : 1);
  return Date.UTC(year, Number(match[3]) - 1, 1);
}

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** The user name libpq would pick when the URL names none: PGUSER, else the operating system's user. */
function defaultUser(): string | undefined {
  if (process.env.PGUSER) return process.env.PGUSER;
  if (process.env.USER) return undefined;
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/**
 * The URL without the `schema` parameter (pg passes unknown parameters to the server), and that parameter. A URL
 * naming no user gets the operating system's user, as libpq would pick.
 */
function splitSchema(url: string): { connectionString: string; schema: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`'db' must be a valid postgres:// URL, got ${describeValue(redact(url))}`, [
      { path: 'db', message: 'must be a valid postgres:// URL' },
    ]);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (!parsed.username) parsed.username = encodeURIComponent(defaultUser() ?? '');
  return { connectionString: parsed.toString(), schema };
}

/**
 * Asset summaries: a page of assets, each joined to one aggregate over its readings (the primary key's index
 * finds them). `filter` is a condition on `a.id`, `page` a LIMIT/OFFSET clause.
 */
function assetSummarySql(filter: string, page: string): string {
  return `
WITH page AS (SELECT a.id, a.attributes FROM assets a ${filter} ORDER BY a.id ${page})
SELECT p.id, p.attributes, coalesce(s.metrics, '{}'::text[]) AS metrics, s.value_count::float8 AS value_count,
       ${EPOCH_MS('s.first_ts')} AS first_ts, ${EPOCH_MS('s.last_ts')} AS last_ts
FROM page p CROSS JOIN LATERAL (
  SELECT array_agg(DISTINCT r.metric ORDER BY r.metric) AS metrics, count(*) AS value_count,
         min(r.ts) AS first_ts, max(r.ts) AS last_ts
  FROM readings r WHERE r.asset = p.id
) s ORDER BY p.id`;
}

/**
 * The store for several processes on one PostgreSQL database: any number of API servers and workers append and
 * read concurrently. Within a process appends are committed in call order, those that arrive while a commit runs
 * together in the next transaction (group commit): new asset ids, then each batch through one multi-row
 * `INSERT … SELECT … FROM unnest(arrays) ON CONFLICT DO NOTHING`, whose count of inserted rows is the batch's
 * accepted count. Commits are synchronous, so a resolved append survives a crash.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private closed = false;
  /** Month starts whose partition this process knows to exist. */
  private readonly partitions = new Set<number>();
  private readonly knownAssets = new Set<string>();
  private readonly commits = new GroupCommit<EncodedBatch>(
    (batch) => batch.asset.length,
    (batches) => this.writeGroup(batches),
  );

  private constructor(
    /** The connection pool, shared with the registry and job store of the same database. */
    readonly pool: pg.Pool,
    /** The schema holding the tables. */
    readonly schema: string,
  ) {}

  /** Connects to `url` (`postgres://user@host:port/database[?schema=name]`) and creates the tables when missing. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const { connectionString, schema: urlSchema } = splitSchema(url);
    const schema = options.schema ?? urlSchema;
    if (schema !== undefined && (schema.length === 0 || schema.length > 63 || schema.includes('\u0000'))) {
      throw new ValidationError(`'schema' must be 1-63 characters, got ${describeValue(schema)}`, [
        { path: 'schema', message: 'must be 1-63 characters' },
      ]);
    }
    const max = options.maxConnections ?? 8;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new ValidationError(`'maxConnections' must be a whole number >= 1, got ${describeValue(max)}`, [
        { path: 'maxConnections', message: 'must be a whole number >= 1' },
      ]);
    }
    const pool = new pg.Pool({
      connectionString,
      max,
      // Every connection resolves names in the store's schema.
      ...(schema !== undefined ? { options: `-c search_path=${quoteIdentifier(schema).replaceAll(' ', '\\ ')}` } : {}),
    });
    // An idle connection the server drops (restart, terminated backend) is discarded, not a process crash.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
        await client.query('BEGIN');
        await client.query(SCHEMA_LOCK);
        await client.query(SCHEMA);
        await client.query('COMMIT');
        const current = await client.query<{ schema: string }>('SELECT current_schema() AS schema');
        return new PostgresStore(pool, current.rows[0]?.schema ?? 'public');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      if (error instanceof UpkeepError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new UpkeepError(`cannot open the PostgreSQL database ${describeValue(redact(url))}: ${reason}`);
    }
  }

  async appendReadings(readings: readonly Reading[]): Promise<AppendResult> {
    this.assertOpen();
    return appendReadingsOf(this, readings, ASSET_RULES);
  }

  async appendValues(rows: ValueRows): Promise<AppendResult> {
    this.assertOpen();
    const batch = encodeBatch(rows);
    if (batch.asset.length === 0) return { accepted: 0, duplicates: 0 };
    return this.commits.submit(batch);
  }

  async upsertAssets(assets: readonly Asset[]): Promise<void> {
    this.assertOpen();
    validateAssets(assets, ASSET_RULES);
    if (assets.length === 0) return;
    // One row per id (later entries merged over earlier ones): ON CONFLICT DO UPDATE touches a row once.
    const merged = new Map<string, Record<string, string>>();
    for (const asset of assets) merged.set(asset.id, { ...merged.get(asset.id), ...(asset.attributes ?? {}) });
    const ids = [...merged.keys()].sort();
    await this.retrying(() =>
      this.pool.query(
        `INSERT INTO assets (id, attributes) SELECT * FROM unnest($1::text[], $2::jsonb[])
         ON CONFLICT (id) DO UPDATE SET attributes = assets.attributes || excluded.attributes`,
        [ids, ids.map((id) => JSON.stringify(merged.get(id)))],
      ),
    );
    for (const id of ids) this.knownAssets.add(id);
  }

  async listAssets(query: AssetListQuery = {}): Promise<AssetSummary[]> {
    this.assertOpen();
    const page = assetPageSql(query);
    const filter = query.search ? 'WHERE strpos(lower(a.id COLLATE "default"), lower($1)) > 0' : '';
    return this.readSummaries(assetSummarySql(filter, page), query.search ? [query.search] : []);
  }

  async getAsset(id: string): Promise<AssetSummary | undefined> {
    this.assertOpen();
    const [summary] = await this.readSummaries(assetSummarySql('WHERE a.id = $1', ''), [id]);
    return summary;
  }

  async queryReadings(asset: string, query: ReadingQuery = {}): Promise<StoredValue[]> {
    this.assertOpen();
    const { conditions, values, limit } = readingFilter(asset, query, storedTime, (op, ms, bound) => {
      bound.push(ms);
      return `ts ${op} to_timestamp($${bound.length}::int8 / 1000.0)`;
    });
    const result = await this.query<{ ts: number; metric: string; value: number }>(
      `SELECT ${EPOCH_MS('ts')} AS ts, metric, value FROM readings WHERE ${conditions.join(' AND ')}
        ORDER BY readings.ts, metric ${limit}`,
      values,
    );
    return result.rows.map((row) => ({ ts: toNumber(row.ts), metric: row.metric, value: toNumber(row.value) }));
  }

  async latestValues(asset: string): Promise<Record<string, LatestValue>> {
    this.assertOpen();
    // A loose index scan: the asset's metrics one index probe each, then each metric's newest value (its last
    // primary-key entry), so the cost grows with the metrics and partitions, not with the stored values.
    const result = await this.query<{ metric: string; ts: number; value: number }>(
      `WITH RECURSIVE metrics AS (
         (SELECT metric FROM readings WHERE asset = $1 ORDER BY metric LIMIT 1)
         UNION ALL
         SELECT (SELECT r.metric FROM readings r WHERE r.asset = $1 AND r.metric > m.metric ORDER BY r.metric LIMIT 1)
         FROM metrics m WHERE m.metric IS NOT NULL
       )
       SELECT m.metric, ${EPOCH_MS('l.ts')} AS ts, l.value FROM metrics m CROSS JOIN LATERAL (
         SELECT r.ts, r.value FROM readings r WHERE r.asset = $1 AND r.metric = m.metric ORDER BY r.ts DESC LIMIT 1
       ) l WHERE m.metric IS NOT NULL ORDER BY m.metric`,
      [asset],
    );
    const latest: Record<string, LatestValue> = {};
    for (const row of result.rows) latest[row.metric] = { ts: toNumber(row.ts), value: toNumber(row.value) };
    return latest;
  }

  /**
   * Retention: drops every monthly partition that ends at or before `before` (epoch ms), i.e. whole months of
   * values older than it; values of the month holding `before` stay. Returns the names of the dropped partitions.
   */
  async dropPartitionsBefore(before: number): Promise<string[]> {
    this.assertOpen();
    const limit = checkTime('before', before, storedTime) as number;
    const result = await this.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'readings'::regclass ORDER BY c.relname`,
    );
    const dropped: string[] = [];
    for (const { name } of result.rows) {
      const start = partitionMonth(name);
      if (start === undefined || nextMonthStart(start) > limit) continue;
      await this.pool.query(`DROP TABLE IF EXISTS ${quoteIdentifier(name)}`);
      this.partitions.delete(start);
      dropped.push(name);
    }
    return dropped;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.commits.settled();
    await this.pool.end();
  }

  /**
   * Runs `task` in one transaction on one pooled connection, rolled back when it throws: how the registry and the
   * job store write.
   */
  async transaction<T>(task: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    const client = await this.pool.connect();
    // A connection lost while checked out surfaces as the failure of its next query, not as an unhandled event.
    const ignore = () => undefined;
    client.on('error', ignore);
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await task(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.off('error', ignore);
      client.release(broken);
    }
  }

  /** Runs `ddl` (the tables of the registry, job or key store) in one transaction, under the schema lock. */
  async createTables(ddl: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(SCHEMA_LOCK);
      await client.query(ddl);
    });
  }

  /**
   * Runs one statement on any pooled connection, again after a transient failure: only for statements that may run
   * twice (reads, idempotent writes).
   */
  query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    return this.retrying(() => this.pool.query<R>(text, values));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the PostgreSQL store is closed');
  }

  /**
   * One transaction for a group of batches, one INSERT per batch (or per ROWS_PER_STATEMENT rows of it) in call
   * order, so that each batch gets its own count and an earlier append wins over a later one. Retried whole after a
   * deadlock with another process, or after another process dropped a partition this one had seen.
   */
  private async writeGroup(batches: EncodedBatch[]): Promise<AppendResult[]> {
    const newAssets = new Set<string>();
    const months = new Set<number>();
    for (const batch of batches) {
      for (const id of batch.assets) if (!this.knownAssets.has(id)) newAssets.add(id);
      for (const month of batch.months) months.add(month);
    }
    const assetIds = [...newAssets].sort();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.ensurePartitions([...months]);
        const results = await this.transaction(async (client) => {
          if (assetIds.length > 0) {
            await client.query('INSERT INTO assets (id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [assetIds]);
          }
          const counts: AppendResult[] = [];
          for (const batch of batches) {
            let accepted = 0;
            for (let start = 0; start < batch.asset.length; start += ROWS_PER_STATEMENT) {
              const end = Math.min(batch.asset.length, start + ROWS_PER_STATEMENT);
              const result = await client.query(batch.mayRepeat ? INSERT_READINGS : INSERT_READINGS_PLAIN, [
                batch.asset.slice(start, end),
                batch.metric.slice(start, end),
                batch.ts.slice(start, end),
                batch.value.slice(start, end),
              ]);
              accepted += result.rowCount ?? 0;
            }
            counts.push({ accepted, duplicates: batch.asset.length - accepted });
          }
          return counts;
        });
        for (const id of assetIds) this.knownAssets.add(id);
        return results;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt >= MAX_ATTEMPTS) throw error;
        if (code === NO_PARTITION_CODE) this.partitions.clear();
        else if (!isTransient(error)) throw error;
        else await sleep(RETRY_DELAY_MS * 2 ** (attempt - 1));
      }
    }
  }

  /** Creates the monthly partitions of `months` this process has not seen yet. */
  private async ensurePartitions(months: readonly number[]): Promise<void> {
    const missing = months.filter((start) => !this.partitions.has(start));
    if (missing.length === 0) return;
    await this.transaction(async (client) => {
      // Serialised across processes: concurrent CREATE TABLE IF NOT EXISTS of one partition can collide.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('upkeep.partitions.' || current_schema()))");
      for (const start of missing) {
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(partitionName(start))} PARTITION OF readings
           FOR VALUES FROM (to_timestamp(${start / 1000})) TO (${upperBound(start)})`,
        );
      }
    });
    for (const start of missing) this.partitions.add(start);
  }

  /** Runs `task` again after a transient failure (deadlock, serialisation failure, lost connection). */
  private async retrying<T>(task: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await task();
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isTransient(error)) throw error;
        await sleep(RETRY_DELAY_MS * 2 ** (attempt - 1));
      }
    }
  }

  private async readSummaries(sql: string, values: unknown[]): Promise<AssetSummary[]> {
    const result = await this.query<{
      id: string;
      attributes: unknown;
      metrics: string[];
      value_count: number;
      first_ts: number | null;
      last_ts: number | null;
    }>(sql, values);
    return result.rows.map((row) => ({
      id: row.id,
      attributes: attributesOf(row.attributes),
      metrics: row.metrics,
      readingCount: toNumber(row.value_count),
      firstTs: row.first_ts === null ? null : toNumber(row.first_ts),
      lastTs: row.last_ts === null ? null : toNumber(row.last_ts),
    }));
  }
}
