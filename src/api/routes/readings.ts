import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { normaliseReadings, ReadingInputSchema } from '../../core/reading.js';
import { parseReadingsBody } from '../../io/body-parsers.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { bodyLimit, bufferedBody } from '../middleware/body-limit.js';

export const ErrorResponseSchema = z
  .object({
    error: z.string().openapi({ example: 'reading 3: metric \'temperature\' must be a finite number, got "hot"' }),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
  })
  .openapi('ErrorResponse');

const IngestResultSchema = z
  .object({
    accepted: z.number().int().openapi({ description: 'Metric values newly stored', example: 8 }),
    duplicates: z
      .number()
      .int()
      .openapi({ description: 'Metric values already stored under the same (asset, metric, ts)', example: 0 }),
    readings: z.number().int().openapi({ description: 'Readings in the batch', example: 4 }),
  })
  .openapi('IngestResult');

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

const readingsArray = { type: 'array' as const, items: { $ref: '#/components/schemas/ReadingInput' } };

const ingestRoute = createRoute({
  method: 'post',
  path: '/v1/readings',
  summary: 'Store a batch of readings',
  description:
    'Idempotent on (asset, metric, ts): values already stored are counted as duplicates. A batch is accepted whole ' +
    'or refused whole. Readings without a time get the server’s receive time.',
  request: {
    body: {
      required: true,
      description: 'Readings in the canonical or the flat form',
      content: {
        'application/json': {
          schema: {
            oneOf: [readingsArray, { type: 'object', properties: { readings: readingsArray }, required: ['readings'] }],
          },
        },
        'application/x-ndjson': { schema: { type: 'string', description: 'One JSON reading per line' } },
        'text/csv': {
          schema: {
            type: 'string',
            description: 'A header row; id and time columns as in the reading contract, every other column a metric',
          },
        },
      },
    },
  },
  responses: {
    200: { description: 'Stored', content: { 'application/json': { schema: IngestResultSchema } } },
    400: { description: 'Malformed body or invalid readings (index and field named)', content: errorContent },
    413: { description: 'Body or batch over the configured limit', content: errorContent },
    503: {
      description: 'Scoring queue full: nothing stored, retry after the Retry-After header’s seconds',
      content: errorContent,
    },
  },
});

/** `POST /v1/readings`: JSON array, `{"readings": [...]}`, NDJSON or CSV → validated, stored, counted. */
export function readingsRoutes(ctx: AppContext): OpenAPIHono {
  const router = newRouter();
  router.openAPIRegistry.register('ReadingInput', ReadingInputSchema);
  router.use(ingestRoute.path, bodyLimit(ctx.limits.maxBodyBytes));
  router.openapi(ingestRoute, async (c) => {
    try {
      const body = bufferedBody(c) ?? new Uint8Array(await c.req.arrayBuffer());
      const input = parseReadingsBody(c.req.header('content-type'), body);
      const readings = normaliseReadings(input, { receivedAt: ctx.clock.now(), maxReadings: ctx.limits.maxReadings });
      const { pipeline } = ctx;
      const append = () => (pipeline ? pipeline.ingest(readings, 'http') : ctx.store.appendReadings(readings));
      const { accepted, duplicates } = await (ctx.metrics ? ctx.metrics.timeAppend(append) : append());
      ctx.metrics?.ingested(readings.length, accepted, duplicates);
      return c.json({ accepted, duplicates, readings: readings.length }, 200);
    } catch (error) {
      ctx.metrics?.rejectedBatch(error);
      throw error;
    }
  });
  return router;
}
