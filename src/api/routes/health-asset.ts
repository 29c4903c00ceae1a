import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { formatTimestamp } from '../../core/time.js';
import { recentRunData } from '../../models/rul/asset-history.js';
import { RulPipeline } from '../../models/rul/pipeline.js';
import { type AssetHealthOptions, AssetHealthScorer } from '../../scoring/asset-health.js';
import type { ModelRegistry, ModelVersionSummary } from '../../store/registry.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { idParams } from './path-params.js';
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
    rul: z
      .object({
        value: z.number().openapi({ description: 'Predicted remaining useful life, in cycles (rows of readings)' }),
        lower: z.number().openapi({ description: 'Lower end of the central interval' }),
        upper: z.number().openapi({ description: 'Upper end of the central interval' }),
        level: z.number().openapi({ description: 'Interval level, e.g. 0.9' }),
        model: z.string().openapi({ description: 'The model version that answered', example: 'rul@2' }),
        cycles: z.number().int().openapi({ description: 'Complete rows of readings the prediction used' }),
      })
      .nullable()
      .openapi({
        description:
          'Remaining useful life with its interval from the active RUL model; null when no RUL model is active or ' +
          'the asset has no timestamp with every sensor the model needs',
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
    'rul comes from the active RUL pipeline of the registry (task rul, saved by a cmapss-format training; the ' +
    'version named rul first, else the newest): its window over the latest rows where every sensor it reads has ' +
    'a value. failure_risk is null ' +
    'for now: it will come from the active failure classifier.',
  request: {
    params: idParams('pump-01'),
  },
  responses: {
    200: { description: 'The asset health', content: { 'application/json': { schema: AssetHealthSchema } } },
    404: { description: 'Unknown asset', content: errorContent },
  },
});

/** Loaded RUL models kept in memory (versions never change). */
const LOADED_RUL_CACHE = 8;

interface AssetRul {
  value: number;
  lower: number;
  upper: number;
  level: number;
  model: string;
  cycles: number;
}

/**
 * Active versions with task rul, the one named `rul` first, then newest first. Tabular regressors trained for RUL
 * (the simulator's default `rul` model) share the task; only versions saved as RUL pipelines answer here.
 */
async function activeRulCandidates(registry: ModelRegistry): Promise<ModelVersionSummary[]> {
  const active = (await registry.listVersions()).filter((version) => version.active && version.task === 'rul');
  return active.sort((a, b) => Number(b.name === 'rul') - Number(a.name === 'rul') || b.createdAt - a.createdAt);
}

/** RUL of assets from the registry's active RUL pipeline, each version loaded (or found not to be one) once. */
function rulAnswerer(ctx: AppContext): (asset: string) => Promise<AssetRul | null> {
  const loaded = new Map<string, Promise<RulPipeline | null>>();
  const load = (registry: ModelRegistry, id: string): Promise<RulPipeline | null> => {
    let pipeline = loaded.get(id);
    if (!pipeline) {
      pipeline = registry.getVersion(id).then((version) => {
        if (!version || !RulPipeline.isRulJson(version.model)) return null;
        return RulPipeline.fromJSON(version.model);
      });
      pipeline.catch(() => loaded.delete(id));
      loaded.set(id, pipeline);
      if (loaded.size > LOADED_RUL_CACHE) loaded.delete(loaded.keys().next().value as string);
    }
    return pipeline;
  };
  return async (asset) => {
    const registry = ctx.registry;
    if (!registry) return null;
    for (const version of await activeRulCandidates(registry)) {
      const pipeline = await load(registry, version.id);
      if (!pipeline) continue;
      const history = await recentRunData(ctx.store, asset, pipeline, pipeline.config.window.length);
      if (!history) return null;
      const [row] = await pipeline.predictUnits(history);
      if (!row) return null;
      return {
        value: row.rul,
        lower: row.lower,
        upper: row.upper,
        level: pipeline.config.level,
        model: version.id,
        cycles: history.units[0]?.cycles.length ?? 0,
      };
    }
    return null;
  };
}

/** `GET /v1/assets/{id}/health`; `options` tunes the scorer (tests use a small history). */
export function healthAssetRoutes(ctx: AppContext, options: Partial<AssetHealthOptions> = {}): OpenAPIHono {
  const router = newRouter();
  // The pipeline's detectors when it runs (they have learned every value since they started, and their states are
  // restored after a restart); otherwise detectors of this route's own, fed from the stored history on demand.
  const ownScorer = new AssetHealthScorer(ctx.store, options);
  const rulOf = rulAnswerer(ctx);
  router.openapi(healthRoute, async (c) => {
    const id = c.req.valid('param').id;
    const health = await (ctx.pipeline?.scorer ?? ownScorer).health(id);
    const rul = await rulOf(id);
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
        rul,
      },
      200,
    );
  });
  return router;
}
