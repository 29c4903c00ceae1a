import { createRoute, type OpenAPIHono, type RouteConfigToTypedResponse, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { describeValue, PayloadTooLargeError, ValidationError } from '../../core/errors.js';
import { readBatch } from '../../io/analyse/read-batch.js';
import { writeAnalyseResponse } from '../../io/analyse/write-response.js';
import { scoreBatch } from '../../scoring/batch-anomalies.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { bodyLimit, bufferedBody } from '../middleware/body-limit.js';
import { ErrorResponseSchema } from './readings.js';

const DEFAULT_THRESHOLD = 3.5;

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

/**
 * The request body to the response body: the readings into metric columns (src/io/analyse/read-batch.ts), each
 * column scored and the anomalous readings flagged (src/scoring/batch-anomalies.ts), the results written byte by
 * byte, echoing each reading as sent (src/io/analyse/write-response.ts). O(body bytes + metric values).
 */
function analyse(body: Uint8Array, threshold: number, maxReadings: number): Uint8Array<ArrayBuffer> {
  const batch = readBatch(body, maxReadings);
  const { anomalous, count } = scoreBatch(batch.columns, threshold);
  return writeAnalyseResponse(body, batch, anomalous, count, threshold);
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
