import { createRoute, type OpenAPIHono, type RouteConfigToTypedResponse, z } from '@hono/zod-openapi';
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
/** Fields each result adds to the echoed reading. */
const RESULT_FIELDS = new Set(['is_anomaly', 'anomaly_scores', 'anomalous_metrics']);

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

function parseThreshold(text: string | undefined): number {
  if (text === undefined) return DEFAULT_THRESHOLD;
  const threshold = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(threshold) || threshold <= 0) {
    throw new ValidationError(`'threshold' must be a positive number, got ${describeValue(text)}`, [
      { path: 'threshold', message: 'must be a positive number' },
    ]);
  }
  return threshold;
}

function parseBody(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(MALFORMED_JSON, [{ path: 'body', message: `body: ${reason}` }]);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/** The values of one metric across the batch, in reading order. */
interface MetricColumn {
  name: string;
  /** Position in `Columns.list`. */
  index: number;
  /** The name as a JSON string literal, quotes included. */
  json: string;
  values: Float64Array;
  count: number;
  scores: Float64Array;
}

/**
 * The batch in columns: each reading's metric values appended to its metric's column, and for each reading the
 * (column, position) of its metrics in the reading's own field order, so results can be written without lookups.
 */
class Columns {
  readonly byName = new Map<string, MetricColumn>();
  readonly list: MetricColumn[] = [];
  /** Reading r's metrics are slots [slotStart[r], slotStart[r + 1]). */
  readonly slotStart: Int32Array;
  slotColumn: Int32Array;
  slotPosition: Int32Array;
  slotCount = 0;
  private readonly readingCount: number;

  constructor(readingCount: number) {
    this.readingCount = readingCount;
    this.slotStart = new Int32Array(readingCount + 1);
    this.slotColumn = new Int32Array(readingCount * 3);
    this.slotPosition = new Int32Array(readingCount * 3);
  }

  add(name: string, value: number): void {
    let column = this.byName.get(name);
    if (column === undefined) {
      column = {
        name,
        index: this.list.length,
        json: JSON.stringify(name),
        values: new Float64Array(this.readingCount),
        count: 0,
        scores: new Float64Array(0),
      };
      this.byName.set(name, column);
      this.list.push(column);
    }
    if (this.slotCount === this.slotColumn.length) this.grow();
    this.slotColumn[this.slotCount] = column.index;
    this.slotPosition[this.slotCount] = column.count;
    this.slotCount++;
    column.values[column.count++] = value;
  }

  private grow(): void {
    const column = new Int32Array(this.slotColumn.length * 2);
    column.set(this.slotColumn);
    this.slotColumn = column;
    const position = new Int32Array(this.slotPosition.length * 2);
    position.set(this.slotPosition);
    this.slotPosition = position;
  }
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

/** Validates every reading (all problems collected) and puts the metric values in columns. */
function toColumns(readings: unknown[]): Columns {
  const columns = new Columns(readings.length);
  const errors: ErrorDetail[] = [];
  for (let index = 0; index < readings.length; index++) {
    columns.slotStart[index] = columns.slotCount;
    const raw = readings[index];
    if (!isPlainObject(raw)) {
      errors.push({
        path: `readings[${index}]`,
        message: `reading ${index}: must be an object, got ${describeValue(raw)}`,
      });
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
      else columns.add(field, number);
    }
    if (errors.length === errorCount && !idProblem && columns.slotCount === firstSlot) {
      errors.push({ path: `readings[${index}]`, message: `reading ${index}: has no metric (no numeric field)` });
    }
  }
  columns.slotStart[readings.length] = columns.slotCount;
  if (errors.length > 0) {
    const first = errors[0] as ErrorDetail;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new ValidationError(`${first.message}${more}`, errors.slice(0, MAX_ERROR_DETAILS));
  }
  return columns;
}

/**
 * `score` rounded to 4 decimals exactly as Python's `round(score, 4)` (the nearest decimal to the exact binary
 * value, ties to even), so results match the NumPy service they replace digit for digit. The fast path multiplies
 * by 10⁴ and rounds; only values within 10⁻⁶ of a tie after scaling, where that product's own rounding could decide,
 * take the exact path: `toFixed` works on the exact binary value, and a true tie — an odd multiple of 1/32, the only
 * doubles halfway between two 4-decimal numbers — goes to the even neighbour.
 */
export function roundScore(score: number): number {
  const scaled = score * 10_000;
  if (scaled < 1e9) {
    const lower = Math.floor(scaled);
    const fraction = scaled - lower;
    if (Math.abs(fraction - 0.5) > 1e-6) return (fraction < 0.5 ? lower : lower + 1) / 10_000;
    const thirtySeconds = score * 32;
    if (Number.isInteger(thirtySeconds) && thirtySeconds % 2 === 1)
      return (lower % 2 === 0 ? lower : lower + 1) / 10_000;
  }
  return Number(score.toFixed(4));
}

/** A score as a JSON number rounded to 4 decimals (`null` if it overflowed). */
function scoreJson(score: number): string {
  return Number.isFinite(score) ? String(roundScore(score)) : 'null';
}

/** Scores every column and writes the response body; results echo each reading's fields, then add the scores. */
function analyse(readings: unknown[], threshold: number): string {
  const columns = toColumns(readings);
  const detector = new BatchModifiedZScore({ threshold });
  let longest = 0;
  for (const column of columns.list) longest = Math.max(longest, column.count);
  const scratch = new Float64Array(longest);
  for (const column of columns.list) {
    column.scores = detector.scoreColumn(column.values, { length: column.count, scratch }).scores;
  }

  const results = new Array<string>(readings.length);
  let anomalies = 0;
  for (let index = 0; index < readings.length; index++) {
    const raw = readings[index] as Record<string, unknown>;
    let scores = '';
    let flagged = '';
    for (let slot = columns.slotStart[index]; slot < columns.slotStart[index + 1]; slot++) {
      const column = columns.list[columns.slotColumn[slot]];
      const score = column.scores[columns.slotPosition[slot]];
      const separator = scores.length === 0 ? '' : ',';
      scores += `${separator}${column.json}:${scoreJson(score)}`;
      if (score > threshold) flagged += flagged.length === 0 ? column.json : `,${column.json}`;
    }
    if (flagged.length > 0) anomalies++;
    const tail = `"is_anomaly":${flagged.length > 0},"anomaly_scores":{${scores}},"anomalous_metrics":[${flagged}]}`;
    results[index] = `${echoFields(raw)}${tail}`;
  }
  return `{"total_readings":${readings.length},"anomalies_detected":${anomalies},"results":[${results.join(',')}]}`;
}

/** The reading as JSON, open for more fields: without its closing brace and without fields the result writes. */
function echoFields(raw: Record<string, unknown>): string {
  let echo = raw;
  for (const field of RESULT_FIELDS) {
    if (field in raw) {
      echo = { ...raw };
      for (const reserved of RESULT_FIELDS) delete echo[reserved];
      break;
    }
  }
  const json = JSON.stringify(echo);
  return json.length === 2 ? '{' : `${json.slice(0, -1)},`;
}

/** `POST /analyse` and `POST /v1/analyse`: batch modified z-score scoring of the readings in the body; nothing stored. */
export function analyseRoutes(ctx: AppContext): OpenAPIHono {
  const router = newRouter();
  router.openAPIRegistry.register('AnalyseRequest', AnalyseRequestSchema);
  for (const path of ['/analyse', '/v1/analyse'] as const) {
    const route = analyseRoute(path);
    router.use(path, bodyLimit(ctx.limits.maxBodyBytes));
    router.openapi(route, async (c) => {
      const threshold = parseThreshold(c.req.valid('query').threshold);
      const bytes = bufferedBody(c) ?? new Uint8Array(await c.req.arrayBuffer());
      const readings = readingsOf(parseBody(bytes), ctx.limits.maxReadings);
      const body = analyse(readings, threshold);
      // The AnalyseResponse JSON is written by hand (see `analyse`): one string, no intermediate objects.
      const response = c.body(body, 200, { 'content-type': 'application/json; charset=UTF-8' });
      return response as unknown as RouteConfigToTypedResponse<typeof route>;
    });
  }
  return router;
}
