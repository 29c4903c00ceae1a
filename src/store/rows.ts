/**
 * Engine-neutral pieces of the telemetry stores: validation of appended rows, assets and query options, the merge
 * of attributes carried by readings and the decoding of stored attributes. The DuckDB and PostgreSQL stores both
 * call these, so that they accept, reject and report the same inputs the same way.
 */
import { describeValue, ValidationError } from '../core/errors.js';
import { type Reading, toValueRows, type ValueRows } from '../core/reading.js';
import type { AppendResult, Asset, AssetListQuery, ReadingQuery, Store } from './store.js';

/** An asset id or metric name the stores take: a non-empty string without NUL. */
export function isValidName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && !name.includes('\u0000');
}

export function invalidName(kind: 'asset' | 'metric', row: number, name: unknown): ValidationError {
  return new ValidationError(`row ${row}: ${kind} must be a non-empty string without NUL, got ${describeValue(name)}`, [
    { path: `rows[${row}].${kind}`, message: 'must be a non-empty string without NUL characters' },
  ]);
}

export function invalidValue(row: number, metric: string, value: number): ValidationError {
  return new ValidationError(`row ${row}: metric '${metric}' must be a finite number, got ${value}`, [
    { path: `rows[${row}].value`, message: 'must be a finite number' },
  ]);
}

/** Throws unless every column of `rows` holds at least `rows.length` entries. O(1). */
export function checkColumns(rows: ValueRows): void {
  const { asset, metric, ts, value, length } = rows;
  if (asset.length < length || metric.length < length || ts.length < length || value.length < length) {
    throw new ValidationError(`value rows: a column is shorter than length ${length}`, [
      { path: 'rows', message: `every column must hold ${length} entries` },
    ]);
  }
}

export function checkCount(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`'${name}' must be a non-negative integer, got ${describeValue(value)}`, [
      { path: name, message: 'must be a non-negative integer' },
    ]);
  }
  return value;
}

/** A finite time bound, as the engine stores it (`toStored` rounds, and clamps to the engine's range). */
export function checkTime(
  name: string,
  value: number | undefined,
  toStored: (ms: number) => number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value)) {
    throw new ValidationError(`'${name}' must be finite epoch milliseconds, got ${describeValue(value)}`, [
      { path: name, message: 'must be finite epoch milliseconds' },
    ]);
  }
  return toStored(value);
}

export interface AssetRules {
  /** Whether attribute keys and values may hold NUL characters (PostgreSQL text cannot). */
  allowNul: boolean;
}

export function validateAssets(assets: readonly Asset[], rules: AssetRules): void {
  assets.forEach((asset, index) => {
    if (!isValidName(asset.id)) {
      throw new ValidationError(`asset ${index}: id must be a non-empty string, got ${describeValue(asset.id)}`, [
        { path: `assets[${index}].id`, message: 'must be a non-empty string' },
      ]);
    }
    const without = rules.allowNul ? '' : ' without NUL';
    for (const [key, value] of Object.entries(asset.attributes ?? {})) {
      if (typeof value !== 'string' || (!rules.allowNul && (key.includes('\u0000') || value.includes('\u0000')))) {
        throw new ValidationError(
          `asset ${index}: attribute '${key}' must be a string${without}, got ${describeValue(value)}`,
          [
            {
              path: `assets[${index}].attributes.${key}`,
              message: rules.allowNul ? 'must be a string' : 'must be a string without NUL characters',
            },
          ],
        );
      }
    }
  });
}

/** The attributes carried by readings, merged per asset (later readings win). O(n). */
export function describedAssets(readings: readonly Reading[]): Asset[] {
  const described = new Map<string, Record<string, string>>();
  for (const reading of readings) {
    if (reading.attributes !== undefined) {
      described.set(reading.asset, { ...described.get(reading.asset), ...reading.attributes });
    }
  }
  return [...described].map(([id, attributes]) => ({ id, attributes }));
}

/**
 * `Store.appendReadings` in terms of the store's own appendValues and upsertAssets: the attributes the readings
 * carry are validated first and stored after the values.
 */
export async function appendReadingsOf(
  store: Pick<Store, 'appendValues' | 'upsertAssets'>,
  readings: readonly Reading[],
  rules: AssetRules,
): Promise<AppendResult> {
  const assets = describedAssets(readings);
  validateAssets(assets, rules);
  const result = await store.appendValues(toValueRows(readings));
  if (assets.length > 0) await store.upsertAssets(assets);
  return result;
}

/** The LIMIT/OFFSET clause of an asset listing, its options validated. */
export function assetPageSql(query: AssetListQuery): string {
  const limit = checkCount('limit', query.limit);
  const offset = checkCount('offset', query.offset);
  return `${limit !== undefined ? `LIMIT ${limit}` : ''} ${offset ? `OFFSET ${offset}` : ''}`;
}

export interface ReadingFilter {
  /** SQL conditions joined by AND; `asset = $1` first. */
  conditions: string[];
  /** Bound values, `$1` the asset. */
  values: (string | number)[];
  /** The LIMIT clause, or ''. */
  limit: string;
}

/**
 * The WHERE conditions, bound values and LIMIT of a reading query, its options validated. `timeBound` writes the
 * condition of one time bound (`op` against stored epoch ms `ms`), binding it into `values` when it wants.
 */
export function readingFilter(
  asset: string,
  query: ReadingQuery,
  toStored: (ms: number) => number,
  timeBound: (op: '>=' | '<', ms: number, values: (string | number)[]) => string,
): ReadingFilter {
  const limit = checkCount('limit', query.limit);
  const from = checkTime('from', query.from, toStored);
  const to = checkTime('to', query.to, toStored);
  const conditions = ['asset = $1'];
  const values: (string | number)[] = [asset];
  if (query.metric !== undefined) {
    values.push(query.metric);
    conditions.push(`metric = $${values.length}`);
  }
  if (from !== undefined) conditions.push(timeBound('>=', from, values));
  if (to !== undefined) conditions.push(timeBound('<', to, values));
  return { conditions, values, limit: limit !== undefined ? `LIMIT ${limit}` : '' };
}

/** Stored attributes (a decoded JSON object) as strings; anything but an object is no attributes. */
export function attributesOf(value: unknown): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) attributes[key] = String(item);
  }
  return attributes;
}
