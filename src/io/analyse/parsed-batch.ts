// General path: JSON.parse, then validation with every problem named.

import { describeValue, type ErrorDetail, PayloadTooLargeError, ValidationError } from '../../core/errors.js';
import { ASSET_ID_FIELDS } from '../../core/reading.js';
import { Columns } from './columns.js';
import { NOT_METRICS } from './fields.js';

const MALFORMED_JSON = 'Malformed JSON in request body';
/** Most per-reading problems listed in an error response. */
const MAX_ERROR_DETAILS = 100;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body as JSON; ValidationError naming JSON.parse's reason when it is not JSON. */
export function parseBody(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(MALFORMED_JSON, [{ path: 'body', message: `body: ${reason}` }]);
  }
}

/** The body's `readings`: a non-empty array of at most `maxReadings` (ValidationError / PayloadTooLargeError). */
export function readingsOf(body: unknown, maxReadings: number): unknown[] {
  if (!isPlainObject(body)) {
    throw new ValidationError(`body must be an object {"readings": [...]}, got ${describeValue(body)}`, [
      { path: 'body', message: 'must be an object with a readings array' },
    ]);
  }
  const readings = body.readings;
  if (readings === undefined) {
    throw new ValidationError(`'readings' is required: a non-empty array of readings`, [
      { path: 'readings', message: 'required' },
    ]);
  }
  if (!Array.isArray(readings) || readings.length === 0) {
    throw new ValidationError(`'readings' must be a non-empty array, got ${describeValue(readings)}`, [
      { path: 'readings', message: 'must be a non-empty array' },
    ]);
  }
  if (readings.length > maxReadings) {
    throw new PayloadTooLargeError(`batch of ${readings.length} readings exceeds the limit of ${maxReadings}`, [
      { path: 'readings', message: `at most ${maxReadings} readings per batch` },
    ]);
  }
  return readings;
}

function assetIdProblem(raw: Record<string, unknown>, index: number): ErrorDetail | undefined {
  for (const field of ASSET_ID_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    if ((typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value))) {
      return undefined;
    }
    return {
      path: `readings[${index}].${field}`,
      message: `reading ${index}: '${field}' must be a non-empty string, got ${describeValue(value)}`,
    };
  }
  return {
    path: `readings[${index}]`,
    message: `reading ${index}: missing asset id (one of ${ASSET_ID_FIELDS.join(', ')})`,
  };
}

/** A metric's number (booleans count as 0/1, as at ingestion), or undefined when the value is not one. */
function metricNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

function metricProblem(index: number, field: string, value: unknown): ErrorDetail {
  return {
    path: `readings[${index}].${field}`,
    message: `reading ${index}: metric '${field}' must be a finite number, got ${describeValue(value)}`,
  };
}

/** Validates every parsed reading (all problems collected, as `normaliseReadings` does) into columns. */
export function toColumns(readings: unknown[]): Columns {
  const columns = new Columns(readings.length);
  const errors: ErrorDetail[] = [];
  for (let index = 0; index < readings.length; index++) {
    columns.beginReading();
    const raw = readings[index];
    if (!isPlainObject(raw)) {
      errors.push({
        path: `readings[${index}]`,
        message: `reading ${index}: must be an object, got ${describeValue(raw)}`,
      });
      columns.endReading();
      continue;
    }
    const idProblem = assetIdProblem(raw, index);
    if (idProblem) errors.push(idProblem);
    const errorCount = errors.length;
    const nested = raw.metrics;
    const metrics = isPlainObject(nested) ? nested : raw;
    const skipNames = metrics === raw;
    const firstSlot = columns.slotCount;
    for (const field in metrics) {
      if (skipNames && NOT_METRICS.has(field)) continue;
      const value = metrics[field];
      const number = metricNumber(value);
      if (number === undefined) errors.push(metricProblem(index, field, value));
      else columns.add(columns.column(field), number);
    }
    if (errors.length === errorCount && !idProblem && columns.slotCount === firstSlot) {
      errors.push({ path: `readings[${index}]`, message: `reading ${index}: has no metric (no numeric field)` });
    }
    columns.endReading();
  }
  if (errors.length > 0) {
    const first = errors[0] as ErrorDetail;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new ValidationError(`${first.message}${more}`, errors.slice(0, MAX_ERROR_DETAILS));
  }
  return columns;
}
