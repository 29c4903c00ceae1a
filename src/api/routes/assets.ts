import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { formatTimestamp } from '../../core/time.js';
import type { AssetSummary } from '../../store/store.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { downsampledReadings } from '../readings-downsample.js';
import { timeParameter, unknownAsset } from './asset-params.js';
import { idParams } from './path-params.js';
import { ErrorResponseSchema } from './readings.js';

export const DEFAULT_ASSET_PAGE = 100;
export const MAX_ASSET_PAGE = 1000;
export const DEFAULT_READINGS_LIMIT = 10_000;
export const MAX_READINGS_LIMIT = 100_000;

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

const AssetSummarySchema = z
  .object({
    id: z.string().openapi({ example: 'pump-01' }),
    attributes: z.record(z.string(), z.string()).openapi({ example: { site: 'north' } }),
    metrics: z.array(z.string()).openapi({ example: ['temperature', 'vibration'] }),
    reading_count: z.number().int().openapi({ description: 'Stored metric values', example: 8640 }),
    first_ts: z.string().nullable().openapi({ description: 'Time of the first stored value (ISO-8601, UTC)' }),
    last_ts: z.string().nullable().openapi({ description: 'Time of the last stored value (ISO-8601, UTC)' }),
  })
  .openapi('AssetSummary');

const AssetListSchema = z
  .object({ assets: z.array(AssetSummarySchema), limit: z.number().int(), offset: z.number().int() })
  .openapi('AssetList');

const AssetDetailSchema = AssetSummarySchema.extend({
  latest: z
    .record(z.string(), z.object({ ts: z.string(), value: z.number() }))
    .openapi({ description: 'The most recent value of every metric' }),
}).openapi('AssetDetail');

const AssetReadingsSchema = z
  .object({
    asset: z.string(),
    readings: z.array(z.object({ ts: z.string(), metric: z.string(), value: z.number() })),
  })
  .openapi('AssetReadings');

const AssetParamsSchema = idParams('pump-01');

/** A whole number from a query string, within bounds. */
function countParameter(defaultValue: number, max: number) {
  return z.coerce.number().int().min(0).max(max).default(defaultValue).openapi({ type: 'integer' });
}

const listRoute = createRoute({
  method: 'get',
  path: '/v1/assets',
  summary: 'List assets with their metrics, value counts and first/last times',
  request: {
    query: z.object({
      search: z.string().optional().openapi({ description: 'Case-insensitive substring of the asset id' }),
      limit: countParameter(DEFAULT_ASSET_PAGE, MAX_ASSET_PAGE),
      offset: z.coerce.number().int().min(0).default(0).openapi({ type: 'integer' }),
    }),
  },
  responses: {
    200: { description: 'Assets ordered by id', content: { 'application/json': { schema: AssetListSchema } } },
    400: { description: 'Bad query parameter', content: errorContent },
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/assets/{id}',
  summary: 'One asset: summary and latest value of every metric',
  request: { params: AssetParamsSchema },
  responses: {
    200: { description: 'The asset', content: { 'application/json': { schema: AssetDetailSchema } } },
    404: { description: 'Unknown asset', content: errorContent },
  },
});

const readingsRoute = createRoute({
  method: 'get',
  path: '/v1/assets/{id}/readings',
  summary: 'Stored values of one asset, ts ascending',
  request: {
    params: AssetParamsSchema,
    query: z.object({
      metric: z.string().optional(),
      from: z.string().optional().openapi({ description: 'Inclusive; ISO-8601 or epoch milliseconds' }),
      to: z.string().optional().openapi({ description: 'Exclusive; ISO-8601 or epoch milliseconds' }),
      limit: countParameter(DEFAULT_READINGS_LIMIT, MAX_READINGS_LIMIT),
      points: z.coerce
        .number()
        .int()
        .min(4)
        .max(MAX_READINGS_LIMIT)
        .optional()
        .openapi({
          type: 'integer',
          description:
            'Reduce each metric to about this many values for a chart (per time column the first, last, lowest and ' +
            'highest: spikes are kept); the whole range is read, limit does not apply',
        }),
    }),
  },
  responses: {
    200: { description: 'Values, earliest first', content: { 'application/json': { schema: AssetReadingsSchema } } },
    400: { description: 'Bad query parameter', content: errorContent },
    404: { description: 'Unknown asset', content: errorContent },
  },
});

function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : formatTimestamp(epochMs);
}

function summaryBody(summary: AssetSummary) {
  return {
    id: summary.id,
    attributes: summary.attributes,
    metrics: summary.metrics,
    reading_count: summary.readingCount,
    first_ts: isoOrNull(summary.firstTs),
    last_ts: isoOrNull(summary.lastTs),
  };
}

/** `GET /v1/assets`, `GET /v1/assets/{id}`, `GET /v1/assets/{id}/readings`. */
export function assetsRoutes(ctx: AppContext): OpenAPIHono {
  const router = newRouter();

  router.openapi(listRoute, async (c) => {
    const { search, limit, offset } = c.req.valid('query');
    const assets = await ctx.store.listAssets({ search: search || undefined, limit, offset });
    return c.json({ assets: assets.map(summaryBody), limit, offset }, 200);
  });

  router.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const summary = await ctx.store.getAsset(id);
    if (!summary) throw unknownAsset(id);
    const latest: Record<string, { ts: string; value: number }> = {};
    for (const [metric, value] of Object.entries(await ctx.store.latestValues(id))) {
      latest[metric] = { ts: formatTimestamp(value.ts), value: value.value };
    }
    return c.json({ ...summaryBody(summary), latest }, 200);
  });

  router.openapi(readingsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const from = timeParameter('from', query.from);
    const to = timeParameter('to', query.to);
    const values =
      query.points === undefined
        ? await ctx.store.queryReadings(id, { metric: query.metric, from, to, limit: query.limit })
        : await downsampledReadings(ctx.store, id, { metric: query.metric, from, to }, query.points);
    if (values.length === 0 && !(await ctx.store.getAsset(id))) throw unknownAsset(id);
    const readings = values.map((value) => ({
      ts: formatTimestamp(value.ts),
      metric: value.metric,
      value: value.value,
    }));
    return c.json({ asset: id, readings }, 200);
  });

  return router;
}
