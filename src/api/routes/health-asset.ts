import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { formatTimestamp } from '../../core/time.js';
import { type AssetHealthOptions, AssetHealthScorer } from '../../scoring/asset-health.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { ErrorResponseSchema } from './readings.js';

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

const likelihood = z.number().min(0).max(1);

const AssetHealthSchema = z
  .object({
    asset: z.string().openapi({ example: 'pump-01' }),
    status: z.enum(['ok', 'watch', 'alarm']).openapi({
      description: 'From the anomaly likelihood: alarm when ≥ 0.8, watch when ≥ 0.5, else ok',
    }),
    anomaly: z.object({
      likelihood: likelihood.openapi({ description: 'The largest likelihood over the metrics (0 without values)' }),
      metrics: z
        .record(z.string(), z.object({ likelihood, ts: z.string() }))
        .openapi({ description: "Per metric: likelihood of its last value and that value's time (ISO-8601, UTC)" }),
    }),
    failure_risk: z.null().openapi({
      description: 'Probability of failure from the active classifier; null until a classifier is wired to health',
    }),
    rul: z.null().openapi({
      description: 'Remaining useful life with its interval from the active RUL model; null until one is wired',
    }),
  })
  .openapi('AssetHealth');

const healthRoute = createRoute({
  method: 'get',
  path: '/v1/assets/{id}/health',
  summary: "An asset's health: anomaly likelihood per metric, failure risk, remaining useful life",
  description:
    "Each metric's stored history (its last 2,000 values) runs through the default streaming anomaly detector, " +
    'every value scored before it is learned; the likelihood in [0, 1] is that of the last value. Detectors are ' +
    'kept in memory per (asset, metric), so later calls only feed values stored since. The likelihood is D/(D + 5) ' +
    'for a value as rare as 10^−D; status: alarm when the largest likelihood is ≥ 0.8 (10⁻²⁰), watch when ≥ 0.5 ' +
    '(10⁻⁵), else ok. Likelihoods are 0 until a metric has 300 values, and a value beyond everything seen is rated ' +
    'by an extrapolated tail only once 1,000 are stored. ' +
    'failure_risk and rul are null for now: they will come from the active failure classifier and RUL model.',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .openapi({ param: { name: 'id', in: 'path' }, example: 'pump-01' }),
    }),
  },
  responses: {
    200: { description: 'The asset health', content: { 'application/json': { schema: AssetHealthSchema } } },
    404: { description: 'Unknown asset', content: errorContent },
  },
});

/** `GET /v1/assets/{id}/health`; `options` tunes the scorer (tests use a small history). */
export function healthAssetRoutes(ctx: AppContext, options: Partial<AssetHealthOptions> = {}): OpenAPIHono {
  const router = newRouter();
  const scorer = new AssetHealthScorer(ctx.store, options);
  router.openapi(healthRoute, async (c) => {
    const health = await scorer.health(c.req.valid('param').id);
    const metrics: Record<string, { likelihood: number; ts: string }> = {};
    for (const [name, metric] of Object.entries(health.metrics)) {
      metrics[name] = { likelihood: metric.likelihood, ts: formatTimestamp(metric.ts) };
    }
    return c.json(
      {
        asset: health.asset,
        status: health.status,
        anomaly: { likelihood: health.likelihood, metrics },
        failure_risk: null,
        rul: null,
      },
      200,
    );
  });
  return router;
}
