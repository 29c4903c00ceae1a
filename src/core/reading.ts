import { z } from '@hono/zod-openapi';
import { describeValue, type ErrorDetail, PayloadTooLargeError, ValidationError } from './errors.js';
import { parseTimestamp } from './time.js';

/** Field names that identify the asset in the flat form, in order of preference. */
export const ASSET_ID_FIELDS = ['asset', 'sensor_id', 'asset_id', 'machine_id', 'unit'] as const;
/** Field names that carry the time in the flat form, in order of preference. */
export const TIME_FIELDS = ['ts', 'timestamp', 'time', 'measurement_time'] as const;

const assetIdFieldSet = new Set<string>(ASSET_ID_FIELDS);
const timeFieldSet = new Set<string>(TIME_FIELDS);

export const TimestampSchema = z
  .union([z.string(), z.number()])
  .openapi({ description: 'ISO-8601 (UTC when no offset) or epoch milliseconds', example: '2026-01-01T00:00:00Z' });

export const CanonicalReadingSchema = z
  .object({
    asset: z.string().min(1).openapi({ example: 'pump-01' }),
    ts: TimestampSchema.optional(),
    metrics: z.record(z.string(), z.number()).openapi({ example: { temperature: 71.2, vibration: 0.52 } }),
    attributes: z.record(z.string(), z.string()).optional(),
  })
  .openapi('CanonicalReading');

export const FlatReadingSchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .openapi('FlatReading', {
    description:
      'Every numeric field other than the id (sensor_id, asset_id, asset, machine_id, unit) and time (ts, timestamp, time, measurement_time) fields is a metric',
    example: { sensor_id: 'pump-01', temperature: 71.2, vibration: 0.52 },
  });

export const ReadingInputSchema = z.union([CanonicalReadingSchema, FlatReadingSchema]).openapi('ReadingInput');

/** A reading after validation: one asset, one instant, one or more finite metric values. */
export interface Reading {
  asset: string;
  /** Epoch milliseconds. */
  ts: number;
  metrics: Record<string, number>;
  attributes?: Record<string, string>;
}

export interface NormaliseOptions {
  /** Time given to readings that carry none (the server's receive time). */
  receivedAt: number;
  /** Largest accepted batch, in readings. */
  maxReadings?: number;
}

export const DEFAULT_MAX_READINGS = 100_000;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readAssetId(raw: Record<string, unknown>, index: number, errors: ErrorDetail[]): string | undefined {
  for (const field of ASSET_ID_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    errors.push({
      path: `readings[${index}].${field}`,
      message: `reading ${index}: '${field}' must be a non-empty string, got ${describeValue(value)}`,
    });
    return undefined;
  }
  errors.push({
    path: `readings[${index}]`,
    message: `reading ${index}: missing asset id (one of ${ASSET_ID_FIELDS.join(', ')})`,
  });
  return undefined;
}

function readTime(raw: Record<string, unknown>, index: number, receivedAt: number, errors: ErrorDetail[]) {
  for (const field of TIME_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    const ts = parseTimestamp(value);
    if (ts === undefined) {
      errors.push({
        path: `readings[${index}].${field}`,
        message: `reading ${index}: '${field}' must be an ISO-8601 time or epoch milliseconds, got ${describeValue(value)}`,
      });
    }
    return ts;
  }
  return receivedAt;
}

function metricValue(value: unknown, index: number, field: string, errors: ErrorDetail[]): number | undefined {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (typeof value === 'boolean') {
    return value ? 1 : 0;
  }
  errors.push({
    path: `readings[${index}].${field}`,
    message: `reading ${index}: metric '${field}' must be a finite number, got ${describeValue(value)}`,
  });
  return undefined;
}

function normaliseOne(raw: unknown, index: number, receivedAt: number, errors: ErrorDetail[]): Reading | undefined {
  if (!isPlainObject(raw)) {
    errors.push({
      path: `readings[${index}]`,
      message: `reading ${index}: must be an object, got ${describeValue(raw)}`,
    });
    return undefined;
  }
  const errorCount = errors.length;
  const asset = readAssetId(raw, index, errors);
  const ts = readTime(raw, index, receivedAt, errors);
  const metrics: Record<string, number> = {};
  let metricCount = 0;
  let attributes: Record<string, string> | undefined;
  if (isPlainObject(raw.metrics)) {
    for (const [field, value] of Object.entries(raw.metrics)) {
      const number = metricValue(value, index, field, errors);
      if (number !== undefined) {
        metrics[field] = number;
        metricCount++;
      }
    }
    if (isPlainObject(raw.attributes)) {
      attributes = {};
      for (const [key, value] of Object.entries(raw.attributes)) attributes[key] = String(value);
    }
  } else {
    for (const field in raw) {
      if (assetIdFieldSet.has(field) || timeFieldSet.has(field)) continue;
      const number = metricValue(raw[field], index, field, errors);
      if (number !== undefined) {
        metrics[field] = number;
        metricCount++;
      }
    }
  }
  if (errors.length > errorCount || asset === undefined || ts === undefined) return undefined;
  if (metricCount === 0) {
    errors.push({ path: `readings[${index}]`, message: `reading ${index}: has no metric (no numeric field)` });
    return undefined;
  }
  return attributes ? { asset, ts, metrics, attributes } : { asset, ts, metrics };
}

/**
 * Validates a batch of readings in the canonical or the flat form and returns them normalised.
 * Throws `ValidationError` listing every bad reading (index and field), or `PayloadTooLargeError` for an
 * oversized batch; a batch is accepted whole or not at all.
 */
export function normaliseReadings(input: unknown, options: NormaliseOptions): Reading[] {
  if (!Array.isArray(input)) {
    throw new ValidationError(`'readings' must be an array, got ${describeValue(input)}`, [
      { path: 'readings', message: 'must be an array' },
    ]);
  }
  const maxReadings = options.maxReadings ?? DEFAULT_MAX_READINGS;
  if (input.length > maxReadings) {
    throw new PayloadTooLargeError(`batch of ${input.length} readings exceeds the limit of ${maxReadings}`, [
      { path: 'readings', message: `at most ${maxReadings} readings per batch` },
    ]);
  }
  const errors: ErrorDetail[] = [];
  const readings: Reading[] = new Array(input.length);
  for (let index = 0; index < input.length; index++) {
    const reading = normaliseOne(input[index], index, options.receivedAt, errors);
    if (reading) readings[index] = reading;
  }
  if (errors.length > 0) {
    const first = errors[0] as ErrorDetail;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new ValidationError(`${first.message}${more}`, errors.slice(0, 100));
  }
  return readings;
}

/** Readings flattened to one row per metric value: the store's append format. */
export interface ValueRows {
  asset: string[];
  metric: string[];
  /** Epoch milliseconds. */
  ts: Float64Array;
  value: Float64Array;
  length: number;
}

export function toValueRows(readings: readonly Reading[]): ValueRows {
  let length = 0;
  for (const reading of readings) for (const _ in reading.metrics) length++;
  const rows: ValueRows = {
    asset: new Array(length),
    metric: new Array(length),
    ts: new Float64Array(length),
    value: new Float64Array(length),
    length,
  };
  let row = 0;
  for (const reading of readings) {
    for (const metric in reading.metrics) {
      rows.asset[row] = reading.asset;
      rows.metric[row] = metric;
      rows.ts[row] = reading.ts;
      rows.value[row] = reading.metrics[metric] as number;
      row++;
    }
  }
  return rows;
}

/** Readings grouped by asset, in first-seen order, each group in arrival order. */
export function groupByAsset(readings: readonly Reading[]): Map<string, Reading[]> {
  const groups = new Map<string, Reading[]>();
  for (const reading of readings) {
    const group = groups.get(reading.asset);
    if (group) group.push(reading);
    else groups.set(reading.asset, [reading]);
  }
  return groups;
}
