import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import {
  DOUBLE,
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBTableFunction,
  type DuckDBTableFunctionBindInfo,
  type DuckDBTableFunctionInfo,
  type DuckDBValue,
  type DuckDBVector,
  INTEGER,
  TIMESTAMP,
  VARCHAR,
} from '@duckdb/node-api';
import { describeValue, UpkeepError, ValidationError } from '../core/errors.js';
import type { Reading, ValueRows } from '../core/reading.js';
import { GroupCommit } from './group-commit.js';
import {
  appendReadingsOf,
  assetPageSql,
  attributesOf,
  checkColumns,
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
 * `readings` carries no unique index: an ART index over (asset, metric, ts) halved ingest throughput (measured
 * 235k vs 550k values/s in 4,000-value batches), so idempotency comes from the one serialised writer anti-joining
 * each batch against the stored rows of the batch's time range, which zone maps find without a full scan.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS assets (
  id VARCHAR PRIMARY KEY,
  attributes JSON NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS readings (
  asset VARCHAR NOT NULL,
  metric VARCHAR NOT NULL,
  ts TIMESTAMP NOT NULL,
  value DOUBLE NOT NULL
);`;

/** The table function through which the writer streams a staged batch into SQL without copying it to a table. */
const STAGED_FUNCTION = 'upkeep_staged_values';
const STAGED_COLUMNS = [
  ['seq', INTEGER],
  ['asset_idx', INTEGER],
  ['metric_idx', INTEGER],
  ['ts', DOUBLE],
  ['value', DOUBLE],
] as const;
const READINGS_TYPES = [VARCHAR, VARCHAR, TIMESTAMP, DOUBLE];
const TWO_TO_32 = 2 ** 32;
/** Largest |epoch ms| whose microseconds a double holds exactly (year 2255); later times take the SQL path. */
const MAX_EXACT_MS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);
/** Rows per DuckDB data chunk (DuckDB's standard vector size). */
const CHUNK_ROWS = 2048;

export interface DuckDBStoreOptions {
  /**
   * DuckDB worker threads (default 1). One thread keeps the many small ingest transactions cheapest: over HTTP the
   * server spent 1.9 CPU-s per million stored values with 1 thread against 2.3–2.7 with DuckDB's default of one per
   * core (bench/ingest.mjs, 2 cores); more threads only pay off for large scans.
   */
  threads?: number;
}

/** The one function used from the native binding under @duckdb/node-api: a bulk copy into a vector's data. */
interface VectorCopier {
  copy_data_to_vector(target: unknown, targetOffset: number, source: ArrayBuffer, offset: number, count: number): void;
}

/** The binding @duckdb/node-api itself loaded (the same module instance), or undefined when it cannot be found. */
function loadVectorCopier(): VectorCopier | undefined {
  try {
    const api = createRequire(import.meta.url).resolve('@duckdb/node-api');
    const bindings = createRequire(api)('@duckdb/node-bindings') as Partial<VectorCopier>;
    return typeof bindings.copy_data_to_vector === 'function' ? (bindings as VectorCopier) : undefined;
  } catch {
    return undefined;
  }
}

const vectorCopier = loadVectorCopier();
const textEncoder = new TextEncoder();
/** duckdb_string_t of the C API: a uint32 length, then up to 12 bytes inline (longer strings live elsewhere). */
const INLINE_STRING_BYTES = 12;
const MAX_CACHED_NAMES = 100_000;
const inlineNames = new Map<string, Uint32Array | null>();
/** Scratch for one chunk of one text column as inline duckdb_string_t values (4 words each). */
const nameWords = new Uint32Array(CHUNK_ROWS * 4);

/** A name as an inline duckdb_string_t (4 native-endian words), or null when its UTF-8 is over 12 bytes. */
function inlineName(name: string): Uint32Array | null {
  let pattern = inlineNames.get(name);
  if (pattern === undefined) {
    const words = new Uint32Array(4);
    const { read, written } = textEncoder.encodeInto(name, new Uint8Array(words.buffer, 4, INLINE_STRING_BYTES));
    if (read < name.length) {
      pattern = null;
    } else {
      words[0] = written;
      pattern = words;
    }
    if (inlineNames.size >= MAX_CACHED_NAMES) inlineNames.clear();
    inlineNames.set(name, pattern);
  }
  return pattern;
}

/**
 * Fills a VARCHAR vector with `names[indexes[start + row]]`. Names of up to 12 UTF-8 bytes (asset ids and metric
 * names usually are) are written as inline duckdb_string_t values and copied in one call; longer ones are assigned
 * one by one through the vector. O(length).
 */
function writeNames(
  vector: DuckDBVector,
  names: readonly string[],
  patterns: readonly (Uint32Array | null)[],
  indexes: Int32Array,
  start: number,
  length: number,
): void {
  const rawVector = (vector as unknown as { vector?: unknown }).vector;
  if (vectorCopier === undefined || rawVector === undefined) {
    for (let row = 0; row < length; row++) vector.setItem(row, names[indexes[start + row] as number] as string);
    vector.flush();
    return;
  }
  let longNames = false;
  for (let row = 0; row < length; row++) {
    const pattern = patterns[indexes[start + row] as number];
    const offset = 4 * row;
    if (pattern) {
      nameWords[offset] = pattern[0] as number;
      nameWords[offset + 1] = pattern[1] as number;
      nameWords[offset + 2] = pattern[2] as number;
      nameWords[offset + 3] = pattern[3] as number;
    } else {
      nameWords.fill(0, offset, offset + 4);
      longNames = true;
    }
  }
  vectorCopier.copy_data_to_vector(rawVector, 0, nameWords.buffer, 0, 16 * length);
  if (!longNames) return;
  for (let row = 0; row < length; row++) {
    const index = indexes[start + row] as number;
    if (!patterns[index]) vector.setItem(row, names[index] as string);
  }
  vector.flush();
}

/** Connections serving reads; each runs one query at a time. */
const READER_CONNECTIONS = 2;

/** Runs tasks one at a time, in call order. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

interface Reader {
  connection: DuckDBConnection;
  lock: Serial;
  /** Tasks waiting or running on this connection. */
  queued: number;
}

/** One batch dictionary-encoded into the numeric columns the staged-values table function emits. */
interface StagedBatch {
  length: number;
  assetIndex: Int32Array;
  metricIndex: Int32Array;
  ts: Float64Array;
  value: Float64Array;
  assets: string[];
  metrics: string[];
  minTs: number;
  maxTs: number;
  /** Earliest and latest time of each asset of the batch (by asset index). */
  assetMinTs: number[];
  assetMaxTs: number[];
  /** False when every (asset, metric) pair's times strictly increase along the batch: no in-batch duplicate. */
  mayRepeat: boolean;
  /** Every time is whole milliseconds (as the database stores them). */
  integral: boolean;
}

/** Largest asset × metric grid checked for repeats with a flat array. */
const MAX_PAIR_GRID = 1 << 22;

/**
 * Validates and dictionary-encodes one batch: O(n) with one hash lookup per asset and per metric name.
 * Names are checked once each, when first seen.
 */
function encodeBatch(rows: ValueRows): StagedBatch {
  checkColumns(rows);
  const { asset, metric, ts, value, length } = rows;
  const batch: StagedBatch = {
    length,
    assetIndex: new Int32Array(length),
    metricIndex: new Int32Array(length),
    ts: ts.length === length ? ts : ts.subarray(0, length),
    value: value.length === length ? value : value.subarray(0, length),
    assets: [],
    metrics: [],
    minTs: Number.POSITIVE_INFINITY,
    maxTs: Number.NEGATIVE_INFINITY,
    assetMinTs: [],
    assetMaxTs: [],
    mayRepeat: false,
    integral: true,
  };
  const assetIds = new Map<string, number>();
  const metricIds = new Map<string, number>();
  // Rows of one reading are adjacent and share the asset: remember the last one to skip most lookups.
  let previousAsset: string | undefined;
  let previousAssetIndex = -1;
  for (let row = 0; row < length; row++) {
    const assetId = asset[row] as string;
    let assetIndex = previousAssetIndex;
    if (assetId !== previousAsset) {
      let known = assetIds.get(assetId);
      if (known === undefined) {
        if (!isValidName(assetId)) throw invalidName('asset', row, assetId);
        known = batch.assets.length;
        assetIds.set(assetId, known);
        batch.assets.push(assetId);
        batch.assetMinTs.push(Number.POSITIVE_INFINITY);
        batch.assetMaxTs.push(Number.NEGATIVE_INFINITY);
      }
      assetIndex = known;
      previousAsset = assetId;
      previousAssetIndex = known;
    }
    const metricName = metric[row] as string;
    let metricIndex = metricIds.get(metricName);
    if (metricIndex === undefined) {
      if (!isValidName(metricName)) throw invalidName('metric', row, metricName);
      metricIndex = batch.metrics.length;
      metricIds.set(metricName, metricIndex);
      batch.metrics.push(metricName);
    }
    const time = ts[row] as number;
    if (!Number.isFinite(time)) {
      throw new ValidationError(`row ${row}: ts must be finite epoch milliseconds, got ${time}`, [
        { path: `rows[${row}].ts`, message: 'must be finite epoch milliseconds' },
      ]);
    }
    if (!Number.isFinite(value[row] as number)) throw invalidValue(row, metricName, value[row] as number);
    if (time < batch.minTs) batch.minTs = time;
    if (time > batch.maxTs) batch.maxTs = time;
    if (time < (batch.assetMinTs[assetIndex] as number)) batch.assetMinTs[assetIndex] = time;
    if (time > (batch.assetMaxTs[assetIndex] as number)) batch.assetMaxTs[assetIndex] = time;
    if (!Number.isInteger(time) || Math.abs(time) > MAX_EXACT_MS) {
      // Stored times are whole milliseconds: distinct fractional times may meet after rounding.
      batch.integral = false;
    }
    batch.assetIndex[row] = assetIndex;
    batch.metricIndex[row] = metricIndex;
  }
  batch.mayRepeat = !batch.integral || mayRepeatPair(batch);
  batch.minTs = Math.round(batch.minTs);
  batch.maxTs = Math.round(batch.maxTs);
  return batch;
}

/**
 * Whether some (asset, metric) pair's times fail to strictly increase along the batch, i.e. the batch may hold a
 * duplicate. O(n) with the last time per pair in a flat array (a map when the pair grid would be large).
 */
function mayRepeatPair(batch: StagedBatch): boolean {
  const { assetIndex, metricIndex, ts, length } = batch;
  const metricCount = batch.metrics.length;
  const pairs = batch.assets.length * metricCount;
  if (pairs <= MAX_PAIR_GRID) {
    const lastTs = new Float64Array(pairs).fill(Number.NEGATIVE_INFINITY);
    for (let row = 0; row < length; row++) {
      const pair = (assetIndex[row] as number) * metricCount + (metricIndex[row] as number);
      const time = ts[row] as number;
      if (time <= (lastTs[pair] as number)) return true;
      lastTs[pair] = time;
    }
    return false;
  }
  const lastTs = new Map<number, number>();
  for (let row = 0; row < length; row++) {
    const pair = (assetIndex[row] as number) * metricCount + (metricIndex[row] as number);
    const time = ts[row] as number;
    if (time <= (lastTs.get(pair) ?? Number.NEGATIVE_INFINITY)) return true;
    lastTs.set(pair, time);
  }
  return false;
}

/** The latest stored time of every asset (one scan, at open): appends after it need no duplicate check. */
async function loadLastTimes(connection: DuckDBConnection): Promise<Map<string, number>> {
  const reader = await connection.runAndReadAll('SELECT asset, epoch_ms(max(ts))::DOUBLE FROM readings GROUP BY asset');
  const [assets = [], times = []] = reader.getColumns();
  const lastTs = new Map<string, number>();
  for (let row = 0; row < assets.length; row++) lastTs.set(String(assets[row]), toNumber(times[row]));
  return lastTs;
}

/** A string as a SQL literal (standard SQL: quotes doubled, no backslash escapes). */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function sqlList(items: readonly string[]): string {
  return `([${items.map(sqlString).join(', ')}]::VARCHAR[])`;
}

/**
 * The statement storing one staged batch. When the batch may repeat an (asset, metric, ts) the first occurrence is
 * kept; when it may overlap stored values they are dropped by an anti-join restricted to the batch's time range.
 * A batch with neither (the usual live telemetry: each asset's times increase) is a plain append.
 */
function insertBatchSql(batchIndex: number, batch: StagedBatch, overlapsStored: boolean): string {
  const staged = batch.mayRepeat
    ? `(SELECT asset_idx, metric_idx, epoch_ms(ts::BIGINT) AS ts, arg_min(value, seq) AS value
        FROM ${STAGED_FUNCTION}(${batchIndex}) GROUP BY ALL)`
    : `(SELECT asset_idx, metric_idx, epoch_ms(ts::BIGINT) AS ts, value FROM ${STAGED_FUNCTION}(${batchIndex}))`;
  const named = `SELECT ${sqlList(batch.assets)}[d.asset_idx + 1] AS asset, ${sqlList(batch.metrics)}[d.metric_idx + 1] AS metric,
    d.ts, d.value FROM ${staged} d`;
  if (!overlapsStored) return `INSERT INTO readings ${named}`;
  return `INSERT INTO readings
SELECT n.asset, n.metric, n.ts, n.value FROM (${named}) n ANTI JOIN (
  SELECT asset, metric, ts FROM readings
  WHERE ts >= epoch_ms(${batch.minTs}::BIGINT) AND ts <= epoch_ms(${batch.maxTs}::BIGINT)
) r ON r.asset = n.asset AND r.metric = n.metric AND r.ts = n.ts`;
}

/** A DuckDB number (DOUBLE, INTEGER or BIGINT) as a JS number; NaN for anything else. */
export function toNumber(value: DuckDBValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return Number.NaN;
}

function toNullableNumber(value: DuckDBValue | undefined): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

function toStringList(value: DuckDBValue | undefined): string[] {
  if (value instanceof DuckDBListValue) return value.items.filter((item): item is string => typeof item === 'string');
  return [];
}

function parseAttributes(value: DuckDBValue | undefined): Record<string, string> {
  return typeof value === 'string' ? attributesOf(JSON.parse(value)) : {};
}

/** DuckDB text holds NUL characters, so attributes may carry them. */
const ASSET_RULES = { allowNul: true };

/**
 * Asset summaries: a page of assets, then one aggregate over the readings of just those assets.
 * `filter` is a SQL condition on `a.id`; `page` a LIMIT/OFFSET clause; `readingsFilter` picks the readings to sum.
 */
function assetSummarySql(filter: string, page: string, readingsFilter = 'asset IN (SELECT id FROM page)'): string {
  return `
WITH page AS (SELECT a.id, a.attributes FROM assets a ${filter} ORDER BY a.id ${page}),
stats AS (
  SELECT asset, list_sort(list(DISTINCT metric)) AS metrics, count(*) AS value_count, min(ts) AS first_ts,
         max(ts) AS last_ts
  FROM readings WHERE ${readingsFilter} GROUP BY asset
)
SELECT p.id, p.attributes::VARCHAR, coalesce(s.metrics, []::VARCHAR[]), coalesce(s.value_count, 0)::DOUBLE,
       epoch_ms(s.first_ts)::DOUBLE, epoch_ms(s.last_ts)::DOUBLE
FROM page p LEFT JOIN stats s ON s.asset = p.id ORDER BY p.id`;
}

/**
 * The embedded store: one DuckDB database file (or memory). One writer connection commits appends; appends that
 * arrive while a commit runs are committed together in the next transaction (group commit), each batch keeping
 * its own accepted/duplicate counts. A batch newer than everything stored for its assets, without repeats, goes
 * straight into `readings` through the appender; any other batch reaches SQL through a table function reading the
 * encoded columns in place and is deduplicated there. Reads use their own connections (READER_CONNECTIONS), so
 * queries never wait behind a commit. DuckDB writes and syncs its write-ahead log on commit, so a resolved append
 * survives a crash of the process.
 */
export class DuckDBStore implements Store {
  readonly kind = 'duckdb' as const;
  private readonly writeLock = new Serial();
  private readonly commits = new GroupCommit<StagedBatch>(
    (batch) => batch.length,
    (batches) => this.writeLock.run(() => this.writeGroup(batches)),
  );
  private closed = false;
  /** The batches of the transaction being written, read by the staged-values table function. */
  private staged: StagedBatch[] = [];
  /** 0, 1, 2, …: the `seq` column, shared by every batch. */
  private sequence = new Int32Array(0);

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly readers: Reader[],
    private readonly knownAssets: Set<string>,
    private readonly lastTsByAsset: Map<string, number>,
    private readonly readingsAppender: DuckDBAppender,
  ) {
    writer.registerTableFunction(this.stagedValuesFunction());
  }

  /** Opens (creating when missing) the database at `path`, or an in-memory one for ':memory:'. */
  static async open(path: string, options: DuckDBStoreOptions = {}): Promise<DuckDBStore> {
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
    const threads = options.threads ?? 1;
    if (!Number.isSafeInteger(threads) || threads < 1) {
      throw new ValidationError(`'threads' must be a whole number >= 1, got ${describeValue(threads)}`, [
        { path: 'threads', message: 'must be a whole number >= 1' },
      ]);
    }
    const config: Record<string, string> = { threads: String(threads) };
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (error) {
      // Typically another process holds the file's lock.
      const reason = error instanceof Error ? error.message : String(error);
      throw new UpkeepError(`cannot open the DuckDB database ${describeValue(path)}: ${reason}`);
    }
    const writer = await instance.connect();
    await writer.run(SCHEMA);
    const readers: Reader[] = [];
    for (let index = 0; index < READER_CONNECTIONS; index++) {
      readers.push({ connection: await instance.connect(), lock: new Serial(), queued: 0 });
    }
    const ids = (await writer.runAndReadAll('SELECT id FROM assets')).getColumns()[0] ?? [];
    const knownAssets = new Set(ids.filter((id): id is string => typeof id === 'string'));
    const lastTimes = await loadLastTimes(writer);
    const readingsAppender = await writer.createAppender('readings');
    return new DuckDBStore(instance, writer, readers, knownAssets, lastTimes, readingsAppender);
  }

  async appendReadings(readings: readonly Reading[]): Promise<AppendResult> {
    this.assertOpen();
    return appendReadingsOf(this, readings, ASSET_RULES);
  }

  async appendValues(rows: ValueRows): Promise<AppendResult> {
    this.assertOpen();
    const batch = encodeBatch(rows);
    if (batch.length === 0) return { accepted: 0, duplicates: 0 };
    return this.commits.submit(batch);
  }

  async upsertAssets(assets: readonly Asset[]): Promise<void> {
    this.assertOpen();
    validateAssets(assets, ASSET_RULES);
    if (assets.length === 0) return;
    await this.writeLock.run(async () => {
      await this.writer.run('BEGIN TRANSACTION');
      try {
        const statement = await this.writer.prepare(
          `INSERT INTO assets VALUES ($1, $2::JSON)
           ON CONFLICT (id) DO UPDATE SET attributes = json_merge_patch(assets.attributes, excluded.attributes)`,
        );
        try {
          for (const asset of assets) {
            statement.bind([asset.id, JSON.stringify(asset.attributes ?? {})]);
            await statement.run();
          }
        } finally {
          statement.destroySync();
        }
        await this.writer.run('COMMIT');
      } catch (error) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
      for (const asset of assets) this.knownAssets.add(asset.id);
    });
  }

  async listAssets(query: AssetListQuery = {}): Promise<AssetSummary[]> {
    this.assertOpen();
    const page = assetPageSql(query);
    const filter = query.search ? 'WHERE strpos(lower(a.id), lower($1)) > 0' : '';
    return this.readSummaries(assetSummarySql(filter, page), query.search ? [query.search] : []);
  }

  async getAsset(id: string): Promise<AssetSummary | undefined> {
    this.assertOpen();
    // A constant filter on readings (rather than a semi-join) lets the scan skip work per segment.
    const [summary] = await this.readSummaries(assetSummarySql('WHERE a.id = $1', '', 'asset = $1'), [id]);
    return summary;
  }

  async queryReadings(asset: string, query: ReadingQuery = {}): Promise<StoredValue[]> {
    this.assertOpen();
    const { conditions, values, limit } = readingFilter(
      asset,
      query,
      Math.round,
      (op, ms) => `ts ${op} epoch_ms(${ms}::BIGINT)`,
    );
    const sql = `SELECT epoch_ms(ts)::DOUBLE, metric, value FROM readings WHERE ${conditions.join(' AND ')}
      ORDER BY ts, metric ${limit}`;
    const [tsColumn = [], metricColumn = [], valueColumn = []] = await this.read(sql, values);
    const result: StoredValue[] = new Array(tsColumn.length);
    for (let row = 0; row < tsColumn.length; row++) {
      result[row] = {
        ts: toNumber(tsColumn[row]),
        metric: String(metricColumn[row]),
        value: toNumber(valueColumn[row]),
      };
    }
    return result;
  }

  async latestValues(asset: string): Promise<Record<string, LatestValue>> {
    this.assertOpen();
    const sql = `SELECT metric, epoch_ms(max(ts))::DOUBLE, arg_max(value, ts)
      FROM readings WHERE asset = $1 GROUP BY metric ORDER BY metric`;
    const [metricColumn = [], tsColumn = [], valueColumn = []] = await this.read(sql, [asset]);
    const latest: Record<string, LatestValue> = {};
    for (let row = 0; row < metricColumn.length; row++) {
      latest[String(metricColumn[row])] = { ts: toNumber(tsColumn[row]), value: toNumber(valueColumn[row]) };
    }
    return latest;
  }

  /**
   * Retention: deletes every value older than `before` (epoch ms) and returns how many. DuckDB has no partitions to
   * drop; the deleted rows' space is reused by later appends and given back by `CHECKPOINT`.
   */
  async deleteReadingsBefore(before: number): Promise<number> {
    this.assertOpen();
    if (!Number.isSafeInteger(before)) {
      throw new ValidationError(`retention: 'before' must be epoch milliseconds, got ${String(before)}`, [
        { path: 'before', message: 'whole number of epoch milliseconds' },
      ]);
    }
    return this.writeLock.run(async () => {
      const reader = await this.writer.runAndReadAll(`DELETE FROM readings WHERE ts < epoch_ms(${before}::BIGINT)`);
      const [counts = []] = reader.getColumns();
      return toNumber(counts[0] ?? 0);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.commits.settled();
    await this.writeLock.run(() => this.writer.run('CHECKPOINT'));
    await Promise.all(this.readers.map((reader) => reader.lock.run(async () => undefined)));
    this.readingsAppender.closeSync();
    for (const reader of this.readers) reader.connection.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
  }

  /**
   * Runs `task` on the writer connection, serialised with the commits of readings: how the other tables kept in
   * the same database (model registry, jobs) are written. The task must not leave a transaction open.
   */
  withWriter<T>(task: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.writeLock.run(() => task(this.writer));
  }

  /** Runs `task` on the least busy reader connection, serialised with its other queries (never behind a commit). */
  withReader<T>(task: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    this.assertOpen();
    let reader = this.readers[0] as Reader;
    for (const candidate of this.readers) if (candidate.queued < reader.queued) reader = candidate;
    const chosen = reader;
    chosen.queued++;
    return chosen.lock
      .run(() => task(chosen.connection))
      .finally(() => {
        chosen.queued--;
      });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the DuckDB store is closed');
  }

  private read(sql: string, values: DuckDBValue[]): Promise<DuckDBValue[][]> {
    return this.withReader(async (connection) => (await connection.runAndReadAll(sql, values)).getColumns());
  }

  private async readSummaries(sql: string, values: DuckDBValue[]): Promise<AssetSummary[]> {
    const [ids = [], attributes = [], metrics = [], counts = [], firsts = [], lasts = []] = await this.read(
      sql,
      values,
    );
    return ids.map((id, row) => ({
      id: String(id),
      attributes: parseAttributes(attributes[row]),
      metrics: toStringList(metrics[row]),
      readingCount: toNumber(counts[row]),
      firstTs: toNullableNumber(firsts[row]),
      lastTs: toNullableNumber(lasts[row]),
    }));
  }

  /** One transaction for a group of batches, one INSERT per batch so that each gets its own count. */
  private async writeGroup(batches: StagedBatch[]): Promise<AppendResult[]> {
    const newAssets = new Set<string>();
    let longest = 0;
    for (const batch of batches) {
      longest = Math.max(longest, batch.length);
      for (const id of batch.assets) if (!this.knownAssets.has(id)) newAssets.add(id);
    }
    if (this.sequence.length < longest) {
      this.sequence = new Int32Array(Math.max(longest, 2 * this.sequence.length));
      for (let index = 0; index < this.sequence.length; index++) this.sequence[index] = index;
    }
    this.staged = batches;
    const results: AppendResult[] = [];
    // Latest stored time per asset, counting this transaction's batches; committed into lastTsByAsset after COMMIT.
    const groupLastTs = new Map<string, number>();
    const lastTs = (id: string) =>
      Math.max(this.lastTsByAsset.get(id) ?? Number.NEGATIVE_INFINITY, groupLastTs.get(id) ?? Number.NEGATIVE_INFINITY);
    try {
      let prefix = 'BEGIN TRANSACTION;';
      if (newAssets.size > 0) {
        prefix += `INSERT INTO assets (id) SELECT unnest(${sqlList([...newAssets])}) ON CONFLICT DO NOTHING;`;
      }
      await this.writer.run(prefix);
      for (let index = 0; index < batches.length; index++) {
        const batch = batches[index] as StagedBatch;
        const overlapsStored =
          !batch.integral || batch.assets.some((id, k) => (batch.assetMinTs[k] as number) <= lastTs(id));
        if (overlapsStored || batch.mayRepeat) {
          const result = await this.writer.run(insertBatchSql(index, batch, overlapsStored));
          results.push({ accepted: result.rowsChanged, duplicates: batch.length - result.rowsChanged });
        } else {
          this.appendPlain(batch);
          results.push({ accepted: batch.length, duplicates: 0 });
        }
        batch.assets.forEach((id, k) => {
          groupLastTs.set(id, Math.max(lastTs(id), batch.assetMaxTs[k] as number));
        });
      }
      await this.writer.run('COMMIT');
    } catch (error) {
      this.readingsAppender.clear();
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      this.staged = [];
    }
    for (const id of newAssets) this.knownAssets.add(id);
    for (const [id, ts] of groupLastTs) this.lastTsByAsset.set(id, ts);
    return results;
  }

  /**
   * A batch that can neither repeat itself nor meet stored values goes straight into `readings` through the
   * appender, inside the open transaction: data chunks with the names as text, times as TIMESTAMP microseconds
   * (written as two 32-bit words, no BigInt) and values copied in one memcpy. O(n), on the JS thread.
   */
  private appendPlain(batch: StagedBatch): void {
    const { assets, metrics, assetIndex, metricIndex, ts, value } = batch;
    const assetPatterns = assets.map(inlineName);
    const metricPatterns = metrics.map(inlineName);
    for (let start = 0; start < batch.length; start += CHUNK_ROWS) {
      const length = Math.min(CHUNK_ROWS, batch.length - start);
      const chunk = DuckDBDataChunk.create(READINGS_TYPES, length);
      writeNames(chunk.getColumnVector(0), assets, assetPatterns, assetIndex, start, length);
      writeNames(chunk.getColumnVector(1), metrics, metricPatterns, metricIndex, start, length);
      const tsVector = chunk.getColumnVector(2) as unknown as { items: BigInt64Array; flush(): void };
      const valueVector = chunk.getColumnVector(3) as unknown as { items: Float64Array; flush(): void };
      const words = new Uint32Array(tsVector.items.buffer, tsVector.items.byteOffset, 2 * length);
      for (let row = 0; row < length; row++) {
        // Epoch microseconds stay below 2^53 until year 2255, so the split into 32-bit words is exact.
        const micros = (ts[start + row] as number) * 1000;
        const high = Math.floor(micros / TWO_TO_32);
        words[2 * row] = micros - high * TWO_TO_32;
        words[2 * row + 1] = high;
      }
      tsVector.flush();
      valueVector.items.set(value.subarray(start, start + length));
      valueVector.flush();
      this.readingsAppender.appendDataChunk(chunk);
    }
    this.readingsAppender.flushSync();
  }

  /** `upkeep_staged_values(i)`: the columns of staged batch i, a data chunk at a time, copied with one memcpy each. */
  private stagedValuesFunction(): DuckDBTableFunction {
    return DuckDBTableFunction.create({
      name: STAGED_FUNCTION,
      parameterTypes: [INTEGER],
      bindFunction: (info: DuckDBTableFunctionBindInfo) => {
        const index = info.getParameter(0);
        const batch = typeof index === 'number' ? this.staged[index] : undefined;
        if (!batch) {
          info.setError(`${STAGED_FUNCTION}: no staged batch ${String(index)}`);
          return;
        }
        for (const [name, type] of STAGED_COLUMNS) info.addResultColumn(name, type);
        info.setBindData({ batch });
        info.setCardinality(batch.length, true);
      },
      initFunction: (info) => info.setInitData({ next: 0 }),
      mainFunction: (info: DuckDBTableFunctionInfo, output: DuckDBDataChunk) => {
        const { batch } = info.bindData as { batch: StagedBatch };
        const state = info.initData as { next: number };
        const start = state.next;
        const length = Math.min(CHUNK_ROWS, batch.length - start);
        output.rowCount = length;
        if (length <= 0) return;
        const columns = [this.sequence, batch.assetIndex, batch.metricIndex, batch.ts, batch.value];
        for (let column = 0; column < columns.length; column++) {
          const vector = output.getColumnVector(column) as unknown as {
            items: Int32Array | Float64Array;
            flush(): void;
          };
          const source = columns[column] as Int32Array | Float64Array;
          vector.items.set(source.subarray(start, start + length));
          vector.flush();
        }
        state.next = start + length;
      },
    });
  }
}
