import { isUtf8 } from 'node:buffer';
import { createRoute, type OpenAPIHono, type RouteConfigToTypedResponse, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { describeValue, type ErrorDetail, PayloadTooLargeError, ValidationError } from '../../core/errors.js';
import { ASSET_ID_FIELDS, TIME_FIELDS } from '../../core/reading.js';
import { BatchModifiedZScore } from '../../models/anomaly/modified-z-score.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { bodyLimit, bufferedBody } from '../middleware/body-limit.js';
import { ErrorResponseSchema } from './readings.js';

const MALFORMED_JSON = 'Malformed JSON in request body';
const DEFAULT_THRESHOLD = 3.5;
/** Most per-reading problems listed in an error response. */
const MAX_ERROR_DETAILS = 100;

/** Fields that name the asset or the time: echoed, never scored. */
const NOT_METRICS = new Set<string>([...ASSET_ID_FIELDS, ...TIME_FIELDS]);

const AnalyseReadingSchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .openapi('AnalyseReading', {
    description:
      'A flat reading: an id field (sensor_id, asset_id, asset, machine_id or unit) and any numeric metrics; time ' +
      'fields (ts, timestamp, time, measurement_time) are echoed, not scored. The canonical form ' +
      '{asset, ts, metrics: {...}} is accepted too.',
    example: { sensor_id: 'pump-01', temperature: 71.2, vibration: 0.52 },
  });

const AnalyseRequestSchema = z.object({ readings: z.array(AnalyseReadingSchema).min(1) }).openapi('AnalyseRequest', {
  example: {
    readings: [
      { sensor_id: 'pump-01', temperature: 71.2, vibration: 0.52 },
      { sensor_id: 'pump-02', temperature: 70.8, vibration: 0.49 },
      { sensor_id: 'pump-03', temperature: 198.5, vibration: 4.1 },
    ],
  },
});

const AnalyseResultSchema = z
  .object({
    sensor_id: z.string().optional(),
    is_anomaly: z.boolean(),
    anomaly_scores: z
      .record(z.string(), z.number())
      .openapi({ description: 'Modified z-score per metric, 4 decimals' }),
    anomalous_metrics: z.array(z.string()).openapi({ description: 'Metrics whose score is above the threshold' }),
  })
  .catchall(z.unknown())
  .openapi('AnalyseResult', { description: "The reading's own fields, then its scores" });

const AnalyseResponseSchema = z
  .object({
    total_readings: z.number().int(),
    anomalies_detected: z.number().int().openapi({ description: 'Readings with at least one anomalous metric' }),
    results: z.array(AnalyseResultSchema),
  })
  .openapi('AnalyseResponse');

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

function analyseRoute(path: '/analyse' | '/v1/analyse') {
  return createRoute({
    method: 'post',
    path,
    summary: 'Score a batch of readings with the modified z-score',
    description:
      'Each metric is scored across the batch: M = 0.6745·|x − median| / MAD with MAD = median(|x − median|); when ' +
      'the MAD is 0, |x − mean| / σ (population σ), and 0 for a constant metric. A reading is anomalous when any ' +
      'of its metrics scores above the threshold. Readings may carry different metrics: each metric is scored over ' +
      'the readings that have it. Nothing is stored.',
    request: {
      query: z.object({
        threshold: z
          .string()
          .optional()
          .openapi({ description: 'Score above which a metric is anomalous (> 0)', example: '3.5' }),
        mode: z
          .enum(['batch', 'history'])
          .optional()
          .openapi({
            description:
              'batch (default): each metric against the batch. history: each reading against its own asset: the ' +
              'modified z-score of the value against the median and MAD of the last 1,000 stored values of that ' +
              'metric of that asset (mean and σ when the MAD is 0; a value differing from a constant history scores ' +
              "10⁶). A metric with fewer than 10 stored values scores 0 and is listed in the result's no_history.",
          }),
      }),
      body: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/AnalyseRequest' } } },
      },
    },
    responses: {
      200: { description: 'Scores per reading', content: { 'application/json': { schema: AnalyseResponseSchema } } },
      400: {
        description: 'Malformed JSON, bad threshold or invalid readings (index and field named)',
        content: errorContent,
      },
      413: { description: 'Body or batch over the configured limit', content: errorContent },
    },
  });
}

export function parseThreshold(text: string | undefined): number {
  if (text === undefined) return DEFAULT_THRESHOLD;
  const threshold = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(threshold) || threshold <= 0) {
    throw new ValidationError(`'threshold' must be a positive number, got ${describeValue(text)}`, [
      { path: 'threshold', message: 'must be a positive number' },
    ]);
  }
  return threshold;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ─── The batch in columns ────────────────────────────────────────────────────────────────────────────────────

/** The values of one metric across the batch, in reading order. */
export interface MetricColumn {
  name: string;
  /** Position in `Columns.list`. */
  index: number;
  values: Float64Array;
  count: number;
  scores: Float64Array;
  /** The last reading that gave a value (a repeated field within one reading is caught by it). */
  lastReading: number;
}

/** Metric columns allocated at the batch's size up front; later ones grow from small. */
const FULL_SIZE_COLUMNS = 8;

function grown<T extends Float64Array | Int32Array>(array: T, needed: number): T {
  const larger = new (array.constructor as new (length: number) => T)(Math.max(2 * array.length, needed, 16));
  larger.set(array);
  return larger;
}

/**
 * Each reading's metric values appended to its metric's column, and for each reading the (column, position) of
 * its metrics in the reading's own field order, so results are written without lookups. Arrays grow by doubling.
 */
export class Columns {
  readonly byName = new Map<string, MetricColumn>();
  readonly list: MetricColumn[] = [];
  /** Reading r's metrics are slots [slotStart[r], slotStart[r + 1]). */
  slotStart: Int32Array;
  slotColumn: Int32Array;
  slotPosition: Int32Array;
  slotCount = 0;
  readingCount = 0;
  private readonly expectedReadings: number;

  constructor(expectedReadings: number) {
    this.expectedReadings = Math.max(expectedReadings, 16);
    this.slotStart = new Int32Array(this.expectedReadings + 1);
    this.slotColumn = new Int32Array(this.expectedReadings * 3);
    this.slotPosition = new Int32Array(this.expectedReadings * 3);
  }

  column(name: string): MetricColumn {
    let column = this.byName.get(name);
    if (column === undefined) {
      column = {
        name,
        index: this.list.length,
        // The first few metrics get room for the whole batch; further ones (a batch of many distinct names) start
        // small, so memory stays proportional to the values actually given.
        values: new Float64Array(this.list.length < FULL_SIZE_COLUMNS ? this.expectedReadings : 16),
        count: 0,
        scores: new Float64Array(0),
        lastReading: -1,
      };
      this.byName.set(name, column);
      this.list.push(column);
    }
    return column;
  }

  beginReading(): void {
    if (this.readingCount + 2 > this.slotStart.length) this.slotStart = grown(this.slotStart, this.readingCount + 2);
    this.slotStart[this.readingCount] = this.slotCount;
  }

  endReading(): void {
    this.readingCount++;
    this.slotStart[this.readingCount] = this.slotCount;
  }

  add(column: MetricColumn, value: number): void {
    if (this.slotCount === this.slotColumn.length) {
      this.slotColumn = grown(this.slotColumn, this.slotCount + 1);
      this.slotPosition = grown(this.slotPosition, this.slotCount + 1);
    }
    if (column.count === column.values.length) column.values = grown(column.values, column.count + 1);
    this.slotColumn[this.slotCount] = column.index;
    this.slotPosition[this.slotCount] = column.count;
    this.slotCount++;
    column.values[column.count++] = value;
    column.lastReading = this.readingCount;
  }
}

// ─── General path: JSON.parse, then validation with every problem named ──────────────────────────────────────

function parseBody(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(MALFORMED_JSON, [{ path: 'body', message: `body: ${reason}` }]);
  }
}

function readingsOf(body: unknown, maxReadings: number): unknown[] {
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
function toColumns(readings: unknown[]): Columns {
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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_ZERO = 0x30;
const DIGIT_NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_T = 0x74;
const LOWER_U = 0x75;
const READINGS_KEY = Buffer.from('readings');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Where each element of the body's top-level "readings" array lies in the body: element i is the bytes
 * [spans[2i], spans[2i + 1]], braces included. Runs on a body JSON.parse has accepted, so it only tracks strings
 * and nesting: O(body bytes). Undefined when the body's own bytes cannot be echoed — not valid UTF-8, a top-level
 * key written with escapes, or a count that differs from the parsed array — and results are serialised instead.
 */
function readingSpans(body: Uint8Array, count: number): Int32Array | undefined {
  if (!isUtf8(body)) return undefined;
  const spans = new Int32Array(2 * count);
  let found = 0;
  let depth = 0;
  let expectKey = false;
  let afterReadingsKey = false;
  let inReadings = false;
  for (let index = 0; index < body.length; index++) {
    const byte = body[index];
    if (byte === QUOTE) {
      const start = index + 1;
      let escaped = false;
      index++;
      while (body[index] !== QUOTE) {
        if (body[index] === BACKSLASH) {
          escaped = true;
          index++;
        }
        index++;
      }
      if (depth === 1) {
        if (expectKey) {
          if (escaped) return undefined;
          expectKey = false;
          afterReadingsKey = index - start === READINGS_KEY.length && READINGS_KEY.compare(body, start, index) === 0;
        } else {
          afterReadingsKey = false;
        }
      }
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (depth === 1 && afterReadingsKey) {
        afterReadingsKey = false;
        if (byte === OPEN_BRACKET) {
          // JSON.parse keeps the last of repeated keys: so does this.
          inReadings = true;
          found = 0;
        }
      } else if (depth === 2 && inReadings) {
        if (found === count) return undefined;
        spans[2 * found] = index;
      }
      depth++;
      if (depth === 1) expectKey = true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 2 && inReadings) {
        spans[2 * found + 1] = index;
        found++;
      } else if (depth === 1) {
        inReadings = false;
      }
    } else if (depth === 1) {
      if (byte === COMMA) expectKey = true;
      else if (byte !== COLON && !isJsonWhitespace(byte)) afterReadingsKey = false;
    }
  }
  return found === count ? spans : undefined;
}

// ─── Fast path: flat readings straight from the bytes into columns ───────────────────────────────────────────

const FIELD_ID = 0;
const FIELD_TIME = 1;
const FIELD_METRIC = 2;
/** A field the result writes itself (is_anomaly, …): left to the general path. */
const FIELD_RESERVED = 3;

/** A reading field name met by the scanner, resolved once per distinct name. */
interface FieldName {
  bytes: Uint8Array;
  kind: number;
  column: MetricColumn | undefined;
}

/** Names tried by their bytes before decoding (a batch rarely has more distinct fields). */
const MAX_KNOWN_NAMES = 32;

/** 10⁰…10²² as doubles: every one exact, which makes the single multiplication or division below exact-rounded. */
const EXACT_POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, power) => Number(`1e${power}`));

/** What the fast path hands on: the batch in columns and where each reading lies in the body. */
interface ScannedBatch {
  columns: Columns;
  spans: Int32Array;
}

/**
 * Reads `{"readings": [flat reading, …]}` in one pass over the body bytes: metric values go straight into their
 * columns and each reading's byte span is kept for the echo — no object per reading, no string per value. It only
 * accepts what it fully understands and what the general path would accept as is: one top-level key, readings
 * whose values are all scalars, keys without escapes, a valid asset id, at least one metric, numbers or booleans
 * for metrics, no repeated metric. For anything else `scan()` returns undefined and the caller takes the general
 * path (JSON.parse + `toColumns`), which gives the same answer or names the problem. O(body bytes).
 *
 * Numbers: a mantissa below 2⁵³ with a decimal exponent within ±22 is converted by one exact-rounded multiplication
 * or division (Clinger, "How to read floating point numbers accurately", PLDI 1990,
 * https://doi.org/10.1145/93542.93557); other numbers go through `Number()`, so every value equals JSON.parse's.
 */
class FlatBatchScanner {
  private position = 0;
  private readonly names = new Map<string, FieldName>();
  /** The previous reading's fields in order: most readings of a batch repeat them, so a key is one compare. */
  private previousFields: FieldName[] = [];
  private previousCount = 0;
  private currentFields: FieldName[] = [];
  /** Names met so far, tried by their bytes before decoding a name that was not predicted. */
  private readonly known: FieldName[] = [];
  private numberValue = 0;
  private readonly body: Uint8Array;
  private readonly maxReadings: number;
  private readonly columns: Columns;

  constructor(body: Uint8Array, maxReadings: number) {
    this.body = body;
    this.maxReadings = maxReadings;
    // A flat reading takes at least ~20 bytes; columns grow if the guess is short.
    this.columns = new Columns(Math.min(maxReadings, Math.ceil(body.length / 64)));
  }

  scan(): ScannedBatch | undefined {
    const body = this.body;
    if (!isUtf8(body)) return undefined;
    if (!this.expect(OPEN_BRACE) || !this.expectKey(READINGS_KEY) || !this.expect(COLON)) return undefined;
    if (!this.expect(OPEN_BRACKET)) return undefined;
    const columns = this.columns;
    let spans = new Int32Array(2 * columns.slotStart.length);
    for (;;) {
      const index = columns.readingCount;
      if (index === this.maxReadings) return undefined;
      this.skipWhitespace();
      const start = this.position;
      if (!this.reading(columns)) return undefined;
      if (2 * index + 2 > spans.length) spans = grown(spans, 2 * index + 2);
      spans[2 * index] = start;
      spans[2 * index + 1] = this.position - 1;
      this.skipWhitespace();
      const next = body[this.position++];
      if (next === CLOSE_BRACKET) break;
      if (next !== COMMA) return undefined;
    }
    if (!this.expect(CLOSE_BRACE)) return undefined;
    this.skipWhitespace();
    if (this.position !== body.length) return undefined;
    return { columns, spans: spans.subarray(0, 2 * columns.readingCount) };
  }

  private skipWhitespace(): void {
    const body = this.body;
    while (this.position < body.length && isJsonWhitespace(body[this.position])) this.position++;
  }

  /** Whitespace, then `byte`. */
  private expect(byte: number): boolean {
    this.skipWhitespace();
    if (this.body[this.position] !== byte) return false;
    this.position++;
    return true;
  }

  /** Whitespace, then the key `"<name>"` spelled exactly. */
  private expectKey(name: Uint8Array): boolean {
    if (!this.expect(QUOTE) || !this.matches(name)) return false;
    this.position += name.length;
    return this.body[this.position++] === QUOTE;
  }

  private matches(bytes: Uint8Array): boolean {
    const body = this.body;
    const at = this.position;
    if (at + bytes.length > body.length) return false;
    for (let offset = 0; offset < bytes.length; offset++) if (body[at + offset] !== bytes[offset]) return false;
    return true;
  }

  /** One flat reading `{…}` into the columns; false to leave the batch to the general path. */
  private reading(columns: Columns): boolean {
    const body = this.body;
    if (body[this.position++] !== OPEN_BRACE) return false;
    const readingIndex = columns.readingCount;
    columns.beginReading();
    const fields = this.currentFields;
    let fieldCount = 0;
    let hasId = false;
    let metricCount = 0;
    for (;;) {
      this.skipWhitespace();
      if (body[this.position] !== QUOTE) return false;
      const field = this.fieldName(fieldCount);
      if (field === undefined || !this.expect(COLON)) return false;
      fields[fieldCount++] = field;
      this.skipWhitespace();
      const first = body[this.position];
      if (field.kind === FIELD_METRIC) {
        const column = field.column as MetricColumn;
        if (column.lastReading === readingIndex) return false;
        if (first === LOWER_T || first === LOWER_F) {
          const isTrue = first === LOWER_T;
          if (!this.literal(isTrue ? TRUE : FALSE)) return false;
          columns.add(column, isTrue ? 1 : 0);
        } else {
          if (!this.number()) return false;
          columns.add(column, this.numberValue);
        }
        metricCount++;
      } else if (field.kind === FIELD_ID) {
        // Valid ids only; null, empty or other values are left to the general path's rules.
        if (first === QUOTE) {
          if (body[this.position + 1] === QUOTE || !this.string()) return false;
        } else if (!this.number()) {
          return false;
        }
        hasId = true;
      } else if (field.kind === FIELD_TIME) {
        if (!this.scalar()) return false;
      } else {
        return false;
      }
      this.skipWhitespace();
      const next = body[this.position++];
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return false;
    }
    columns.endReading();
    const swap = this.previousFields;
    this.previousFields = fields;
    this.previousCount = fieldCount;
    this.currentFields = swap;
    return hasId && metricCount > 0;
  }

  /** The key at the cursor (a quote), resolved; undefined for keys with escapes or control characters. */
  private fieldName(ordinal: number): FieldName | undefined {
    const body = this.body;
    const start = this.position + 1;
    const predicted = ordinal < this.previousCount ? this.previousFields[ordinal] : undefined;
    if (predicted !== undefined && this.spells(predicted.bytes, start)) {
      this.position = start + predicted.bytes.length + 1;
      return predicted;
    }
    let end = start;
    while (end < body.length && body[end] !== QUOTE) {
      if (body[end] === BACKSLASH || body[end] < 0x20) return undefined;
      end++;
    }
    if (end >= body.length) return undefined;
    this.position = end + 1;
    // Readings with different field sets: a name met before, found by its bytes.
    for (const known of this.known)
      if (known.bytes.length === end - start && this.spells(known.bytes, start)) return known;
    const name = Buffer.from(body.buffer, body.byteOffset + start, end - start).toString('utf8');
    let field = this.names.get(name);
    if (field === undefined) {
      const kind = RESULT_FIELD_SET.has(name)
        ? FIELD_RESERVED
        : ASSET_ID_SET.has(name)
          ? FIELD_ID
          : TIME_SET.has(name)
            ? FIELD_TIME
            : FIELD_METRIC;
      field = {
        bytes: body.slice(start, end),
        kind,
        column: kind === FIELD_METRIC ? this.columns.column(name) : undefined,
      };
      this.names.set(name, field);
      if (this.known.length < MAX_KNOWN_NAMES) this.known.push(field);
    }
    return field;
  }

  /** Whether the body at `start` holds `bytes` then a closing quote. */
  private spells(bytes: Uint8Array, start: number): boolean {
    const body = this.body;
    const end = start + bytes.length;
    if (end >= body.length || body[end] !== QUOTE) return false;
    for (let offset = 0; offset < bytes.length; offset++) if (body[start + offset] !== bytes[offset]) return false;
    return true;
  }

  /** A JSON string at the cursor (its quote), validated and skipped. */
  private string(): boolean {
    const body = this.body;
    let at = this.position + 1;
    for (;;) {
      if (at >= body.length) return false;
      const byte = body[at];
      if (byte === QUOTE) break;
      if (byte < 0x20) return false;
      if (byte === BACKSLASH) {
        const escaped = body[at + 1];
        if (escaped === LOWER_U) {
          for (let digit = 2; digit < 6; digit++) if (!isHexDigit(body[at + digit])) return false;
          at += 6;
          continue;
        }
        if (!SIMPLE_ESCAPES.has(escaped)) return false;
        at += 2;
        continue;
      }
      at++;
    }
    this.position = at + 1;
    return true;
  }

  private literal(bytes: Uint8Array): boolean {
    if (!this.matches(bytes)) return false;
    this.position += bytes.length;
    return true;
  }

  /** Any scalar at the cursor (string, number, true, false, null), skipped; nested values are refused. */
  private scalar(): boolean {
    const first = this.body[this.position];
    if (first === QUOTE) return this.string();
    if (first === LOWER_T) return this.literal(TRUE);
    if (first === LOWER_F) return this.literal(FALSE);
    if (first === LOWER_N) return this.literal(NULL);
    return this.number();
  }

  /** A JSON number at the cursor into `numberValue`; false when it is not one or not finite. */
  private number(): boolean {
    const body = this.body;
    const start = this.position;
    let at = start;
    const negative = body[at] === MINUS;
    if (negative) at++;
    let mantissa = 0;
    let digits = 0;
    if (body[at] === DIGIT_ZERO) {
      at++;
    } else {
      while (body[at] >= DIGIT_ZERO && body[at] <= DIGIT_NINE) {
        mantissa = mantissa * 10 + (body[at] - DIGIT_ZERO);
        at++;
        digits++;
      }
      if (digits === 0) return false;
    }
    let exponent = 0;
    if (body[at] === DOT) {
      at++;
      const fractionStart = at;
      while (body[at] >= DIGIT_ZERO && body[at] <= DIGIT_NINE) {
        mantissa = mantissa * 10 + (body[at] - DIGIT_ZERO);
        at++;
      }
      if (at === fractionStart) return false;
      exponent = fractionStart - at;
    }
    let exact = true;
    if (body[at] === LOWER_E || body[at] === UPPER_E) {
      at++;
      const sign = body[at] === MINUS ? -1 : 1;
      if (body[at] === MINUS || body[at] === PLUS) at++;
      const exponentStart = at;
      let written = 0;
      while (body[at] >= DIGIT_ZERO && body[at] <= DIGIT_NINE) {
        written = written * 10 + (body[at] - DIGIT_ZERO);
        at++;
      }
      if (at === exponentStart) return false;
      if (at - exponentStart > 4) exact = false;
      exponent += sign * written;
    }
    this.position = at;
    let value: number;
    if (exact && mantissa <= Number.MAX_SAFE_INTEGER && exponent >= -22 && exponent <= 22) {
      value = exponent < 0 ? mantissa / EXACT_POWERS_OF_TEN[-exponent] : mantissa * EXACT_POWERS_OF_TEN[exponent];
      if (negative) value = -value;
    } else {
      value = Number(Buffer.from(body.buffer, body.byteOffset + start, at - start).toString('latin1'));
    }
    if (!Number.isFinite(value)) return false;
    this.numberValue = value;
    return true;
  }
}

/** The characters allowed after a backslash besides u: " \\ / b f n r t. */
const SIMPLE_ESCAPES = new Set([QUOTE, BACKSLASH, 0x2f, 0x62, LOWER_F, LOWER_N, 0x72, LOWER_T]);
const ASSET_ID_SET = new Set<string>(ASSET_ID_FIELDS);
const TIME_SET = new Set<string>(TIME_FIELDS);

function isHexDigit(byte: number): boolean {
  return (byte >= DIGIT_ZERO && byte <= DIGIT_NINE) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}

// ─── Writing the response ────────────────────────────────────────────────────────────────────────────────────

/** Fields each result adds to its reading. */
const RESULT_FIELDS = ['is_anomaly', 'anomaly_scores', 'anomalous_metrics'] as const;
const RESULT_FIELD_SET = new Set<string>(RESULT_FIELDS);

function carriesResultField(reading: Record<string, unknown>): boolean {
  return RESULT_FIELDS[0] in reading || RESULT_FIELDS[1] in reading || RESULT_FIELDS[2] in reading;
}

/**
 * `score`·10⁴ rounded to an integer exactly as Python's `round(score, 4)` rounds (the nearest 4-decimal number to
 * the exact binary value, ties to even), or -1 when only the exact path can tell (see `roundScore`).
 */
function scoreTenThousandths(score: number): number {
  const scaled = score * 10_000;
  if (!(scaled < 1e9)) return -1;
  const lower = Math.floor(scaled);
  const fraction = scaled - lower;
  if (Math.abs(fraction - 0.5) > 1e-6) return fraction < 0.5 ? lower : lower + 1;
  const thirtySeconds = score * 32;
  if (Number.isInteger(thirtySeconds) && thirtySeconds % 2 === 1) return lower % 2 === 0 ? lower : lower + 1;
  return -1;
}

/**
 * `score` rounded to 4 decimals exactly as Python's `round(score, 4)`, so results match the NumPy service they
 * replace digit for digit. The fast path multiplies by 10⁴ and rounds; values within 10⁻⁶ of a tie after scaling
 * (where that product's own rounding could decide) and large values take the exact path: `toFixed` works on the
 * exact binary value, and a true tie — an odd multiple of 1/32, the only doubles halfway between two 4-decimal
 * numbers — goes to the even neighbour.
 */
export function roundScore(score: number): number {
  const tenThousandths = scoreTenThousandths(score);
  return tenThousandths >= 0 ? tenThousandths / 10_000 : Number(score.toFixed(4));
}

/** A growable byte buffer for the response: constants, copied bytes and digits, no intermediate strings. */
class ByteWriter {
  private buffer: Buffer;
  private position = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }

  /** Makes room for `extra` more bytes; the writes below assume it was made. */
  reserve(extra: number): void {
    if (this.position + extra <= this.buffer.length) return;
    const larger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.position + extra));
    this.buffer.copy(larger, 0, 0, this.position);
    this.buffer = larger;
  }

  /** Bytes [start, end) of `source`: a plain loop for short runs, where Buffer#copy's call costs more than it saves. */
  copy(source: Uint8Array, start: number, end: number): void {
    if (end - start > 24) {
      this.buffer.set(source.subarray(start, end), this.position);
      this.position += end - start;
      return;
    }
    const buffer = this.buffer;
    let position = this.position;
    for (let index = start; index < end; index++) buffer[position++] = source[index];
    this.position = position;
  }

  /** A constant (one native copy: cheaper than a byte loop from about 8 bytes on). */
  constant(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.position);
    this.position += bytes.length;
  }

  byte(value: number): void {
    this.buffer[this.position++] = value;
  }

  /** Any text, UTF-8 encoded (makes its own room). */
  text(value: string): void {
    this.reserve(Buffer.byteLength(value));
    this.position += this.buffer.write(value, this.position);
  }

  /** A non-negative integer below 2³¹ in decimal. */
  private smallInteger(value: number): void {
    let divisor = 1;
    while (divisor * 10 <= value) divisor *= 10;
    const buffer = this.buffer;
    let position = this.position;
    for (; divisor >= 1; divisor = (divisor / 10) | 0) {
      const digit = (value / divisor) | 0;
      buffer[position++] = DIGIT_ZERO + digit;
      value -= digit * divisor;
    }
    this.position = position;
  }

  /** A score rounded to 4 decimals, trailing zeros dropped (`null` if it overflowed); needs 32 bytes of room. */
  score(score: number): void {
    const tenThousandths = scoreTenThousandths(score);
    if (tenThousandths < 0) {
      const fixed = Number.isFinite(score) ? score.toFixed(4) : 'null';
      this.text(fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed);
      return;
    }
    // Below 10⁹ (see scoreTenThousandths): int32 arithmetic throughout.
    const whole = (tenThousandths / 10_000) | 0;
    let fraction = tenThousandths - whole * 10_000;
    this.smallInteger(whole);
    if (fraction === 0) return;
    const buffer = this.buffer;
    let position = this.position;
    buffer[position++] = DOT;
    for (let divisor = 1000; fraction > 0; divisor = (divisor / 10) | 0) {
      const digit = (fraction / divisor) | 0;
      buffer[position++] = DIGIT_ZERO + digit;
      fraction -= digit * divisor;
    }
    this.position = position;
  }

  /** The bytes written (a view, no copy). */
  finish(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.buffer.buffer as ArrayBuffer, this.buffer.byteOffset, this.position);
  }
}

const ascii = (text: string) => Buffer.from(text, 'latin1');
const ANOMALOUS_METRICS = ascii('},"anomalous_metrics":[');
const RESULT_END = ascii(']}');
/** Room for one result besides its echoed reading and its metrics. */
const RESULT_OVERHEAD = 96;
/** Room for one metric of a result besides its name (written three times at most): score and separators. */
const METRIC_OVERHEAD = 40;

/** The constant pieces of the results, per metric column, so a result is a handful of copies and its digits. */
interface ResultPieces {
  /** `,"is_anomaly":true,"anomaly_scores":{"<metric>":` — a result's opening after its echo, by first metric. */
  openingAnomalous: Uint8Array[];
  /** The same with `false`. */
  openingNormal: Uint8Array[];
  /** `,"<metric>":` — any later score. */
  nextKey: Uint8Array[];
  /** `"<metric>"` — the first flagged metric. */
  name: Uint8Array[];
  /** `,"<metric>"` — later flagged metrics. */
  nextName: Uint8Array[];
  /** Length of the longest piece. */
  longest: number;
}

function resultPieces(columns: readonly MetricColumn[]): ResultPieces {
  const pieces: ResultPieces = {
    openingAnomalous: [],
    openingNormal: [],
    nextKey: [],
    name: [],
    nextName: [],
    longest: 0,
  };
  for (const column of columns) {
    const name = JSON.stringify(column.name);
    pieces.openingAnomalous.push(Buffer.from(`,"is_anomaly":true,"anomaly_scores":{${name}:`));
    pieces.openingNormal.push(Buffer.from(`,"is_anomaly":false,"anomaly_scores":{${name}:`));
    pieces.nextKey.push(Buffer.from(`,${name}:`));
    pieces.name.push(Buffer.from(name));
    pieces.nextName.push(Buffer.from(`,${name}`));
    pieces.longest = Math.max(pieces.longest, (pieces.openingNormal.at(-1) as Uint8Array).length);
  }
  return pieces;
}

/** The batch as columns, and where each reading lies in the body (undefined: echo by serialising `readings`). */
export interface Batch {
  columns: Columns;
  spans: Int32Array | undefined;
  readings: unknown[] | undefined;
}

/**
 * The body's readings in columns: by the fast scanner when it accepts the body (`readings` is then undefined), else
 * by JSON.parse and full validation (throws ValidationError / PayloadTooLargeError naming the problem).
 */
export function readBatch(body: Uint8Array, maxReadings: number): Batch {
  const scanned = new FlatBatchScanner(body, maxReadings).scan();
  if (scanned !== undefined) return { ...scanned, readings: undefined };
  const readings = readingsOf(parseBody(body), maxReadings);
  const columns = toColumns(readings);
  return { columns, spans: readingSpans(body, readings.length), readings };
}

/**
 * Scores every column and writes the response. Results echo each reading — its own bytes from the request body,
 * copied, so nothing is re-serialised — then add the scores, written digit by digit. O(body bytes + metric values).
 */
function analyse(body: Uint8Array, threshold: number, maxReadings: number): Uint8Array<ArrayBuffer> {
  const { columns, spans, readings } = readBatch(body, maxReadings);
  const detector = new BatchModifiedZScore({ threshold });
  let longest = 0;
  for (const column of columns.list) longest = Math.max(longest, column.count);
  const scratch = new Float64Array(longest);
  for (const column of columns.list) {
    column.scores = detector.scoreColumn(column.values, { length: column.count, scratch }).scores;
  }
  const pieces = resultPieces(columns.list);
  const { slotStart, slotColumn, slotPosition, readingCount } = columns;
  let anomalies = 0;
  const anomalous = new Uint8Array(readingCount);
  for (let reading = 0; reading < readingCount; reading++) {
    for (let slot = slotStart[reading]; slot < slotStart[reading + 1]; slot++) {
      if (columns.list[slotColumn[slot]].scores[slotPosition[slot]] > threshold) {
        anomalous[reading] = 1;
        anomalies++;
        break;
      }
    }
  }

  const out = new ByteWriter(2 * body.length + readingCount * RESULT_OVERHEAD);
  out.text(`{"total_readings":${readingCount},"anomalies_detected":${anomalies},"results":[`);
  for (let reading = 0; reading < readingCount; reading++) {
    const firstSlot = slotStart[reading];
    const endSlot = slotStart[reading + 1];
    // The reading without its closing brace: a reading always has fields (an id at least), so a comma follows.
    const parsed = readings?.[reading] as Record<string, unknown> | undefined;
    if (spans !== undefined && (parsed === undefined || !carriesResultField(parsed))) {
      out.reserve(spans[2 * reading + 1] - spans[2 * reading] + 1);
      if (reading > 0) out.byte(COMMA);
      out.copy(body, spans[2 * reading], spans[2 * reading + 1]);
    } else {
      const echo: Record<string, unknown> = { ...parsed };
      for (const field of RESULT_FIELDS) delete echo[field];
      out.text(`${reading > 0 ? ',' : ''}${JSON.stringify(echo).slice(0, -1)}`);
    }
    out.reserve(RESULT_OVERHEAD + (endSlot - firstSlot) * (3 * pieces.longest + METRIC_OVERHEAD));
    const opening = anomalous[reading] === 1 ? pieces.openingAnomalous : pieces.openingNormal;
    for (let slot = firstSlot; slot < endSlot; slot++) {
      const column = slotColumn[slot];
      out.constant(slot === firstSlot ? opening[column] : pieces.nextKey[column]);
      out.score(columns.list[column].scores[slotPosition[slot]]);
    }
    out.constant(ANOMALOUS_METRICS);
    if (anomalous[reading] === 1) {
      let flagged = 0;
      for (let slot = firstSlot; slot < endSlot; slot++) {
        const column = slotColumn[slot];
        if (columns.list[column].scores[slotPosition[slot]] > threshold) {
          out.constant(flagged++ === 0 ? pieces.name[column] : pieces.nextName[column]);
        }
      }
    }
    out.constant(RESULT_END);
  }
  out.text(']}');
  return out.finish();
}

/**
 * The body limit, cheaply when it can be: a body that declares a Content-Length within the limit cannot exceed it
 * (the HTTP parser stops at the declared length), so it is left to the server's direct read; any other body goes
 * through `bodyLimit`, which counts the bytes as they stream in (and refuses a declared length over the limit).
 */
function declaredBodyLimit(maxBytes: number): MiddlewareHandler {
  const streamed = bodyLimit(maxBytes);
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && /^\d{1,15}$/.test(declared) && Number(declared) <= maxBytes) return next();
    return streamed(c, next);
  };
}

/** `POST /analyse` and `POST /v1/analyse`: batch modified z-score scoring of the readings in the body; nothing stored. */
export function analyseRoutes(ctx: AppContext): OpenAPIHono {
  const router = newRouter();
  router.openAPIRegistry.register('AnalyseRequest', AnalyseRequestSchema);
  for (const path of ['/analyse', '/v1/analyse'] as const) {
    const route = analyseRoute(path);
    router.use(path, declaredBodyLimit(ctx.limits.maxBodyBytes));
    router.openapi(route, async (c) => {
      const threshold = parseThreshold(c.req.valid('query').threshold);
      const bytes = bufferedBody(c) ?? new Uint8Array(await c.req.arrayBuffer());
      // Where no HTTP parser held the body to its declared length (in-process requests), it is checked here.
      if (bytes.byteLength > ctx.limits.maxBodyBytes) {
        throw new PayloadTooLargeError(
          `request body of ${bytes.byteLength} bytes exceeds the limit of ${ctx.limits.maxBodyBytes} bytes`,
          [{ path: 'body', message: `at most ${ctx.limits.maxBodyBytes} bytes` }],
        );
      }
      const body = analyse(bytes, threshold, ctx.limits.maxReadings);
      // The AnalyseResponse JSON is written byte by byte (see `analyse`), not through c.json.
      const response = c.body(body, 200, { 'content-type': 'application/json; charset=UTF-8' });
      return response as unknown as RouteConfigToTypedResponse<typeof route>;
    });
  }
  return router;
}
