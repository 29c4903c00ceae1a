import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { compress } from 'hono/compress';
import { formatTimestamp } from '../../core/time.js';
import { frameFromRows } from '../../io/frame.js';
import { featureRow } from '../../jobs/default-models.js';
import { AssetHealthScorer } from '../../scoring/asset-health.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { FleetSummary } from '../fleet-summary.js';
import { downsampledReadings } from '../readings-downsample.js';
import { timeParameter, unknownAsset } from './asset-params.js';
import { idParams } from './path-params.js';
import { ErrorResponseSchema } from './readings.js';

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };
/** Samples of the ingested total kept for the rate (one per request, at most this many). */
const RATE_SAMPLES = 120;
/** The rate is measured over about this window (ms). */
const RATE_WINDOW_MS = 10_000;

const summaries = new WeakMap<AppContext, FleetSummary>();

/** The one fleet summary of an app (shared by `GET /v1/fleet` and the event stream). */
export function fleetSummaryFor(ctx: AppContext): FleetSummary {
  let summary = summaries.get(ctx);
  if (!summary) {
    summary = new FleetSummary({
      store: ctx.store,
      clock: ctx.clock,
      scorer: ctx.pipeline?.scorer ?? new AssetHealthScorer(ctx.store),
      registry: ctx.registry,
      alerts: ctx.alerts,
    });
    summaries.set(ctx, summary);
  }
  return summary;
}

const status = z.enum(['ok', 'watch', 'alarm']);

const FleetRowSchema = z
  .object({
    id: z.string(),
    attributes: z.record(z.string(), z.string()),
    metrics: z.array(z.string()),
    last_ts: z.string().nullable(),
    latest: z.record(z.string(), z.object({ ts: z.string(), value: z.number() })),
    status: status.nullable().openapi({
      description:
        'Worst of the anomaly status (alarm ≥ 0.8, watch ≥ 0.5) and the failure-risk status (alarm at the ' +
        "model's threshold, watch at half of it); null until scored",
    }),
    anomaly: z.number().nullable().openapi({ description: 'Largest anomaly likelihood of the latest values' }),
    failure_risk: z.number().nullable().openapi({ description: 'From the active failure-risk model; null without' }),
    rul: z
      .object({ hours: z.number(), lower: z.number(), upper: z.number(), capped: z.boolean() })
      .nullable()
      .openapi({ description: 'Remaining useful life (hours) with a 90 % interval, from the active rul model' }),
    open_alerts: z.number().int(),
    alert_severity: z.enum(['warning', 'minor', 'major', 'critical']).nullable(),
  })
  .openapi('FleetRow');

const fleetRoute = createRoute({
  method: 'get',
  path: '/v1/fleet',
  summary: 'Every asset with its latest values, status, anomaly likelihood, failure risk, RUL and open alerts',
  description:
    'One call for the dashboard: kept in memory and refreshed at most every second, only assets with new values ' +
    'are read again. Anomaly scoring spends at most 400 ms per refresh, so after a start some rows say null until ' +
    'scored.',
  responses: {
    200: {
      description: 'The fleet',
      content: {
        'application/json': {
          schema: z.object({
            ts: z.string(),
            models: z.object({ failure_risk: z.string().nullable(), rul: z.string().nullable() }),
            assets: z.array(FleetRowSchema),
          }),
        },
      },
    },
  },
});

const ContributionSchema = z.object({ feature: z.string(), value: z.number() });

const fleetAssetRoute = createRoute({
  method: 'get',
  path: '/v1/fleet/{id}',
  summary: "One asset's fleet row with the feature contributions behind its failure risk",
  request: {
    params: idParams(),
  },
  responses: {
    200: {
      description: 'The row and, when the active failure-risk model explains, its contributions',
      content: {
        'application/json': {
          schema: z.object({
            asset: FleetRowSchema,
            why: z
              .object({
                model_id: z.string(),
                input: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
                bias: z.number(),
                contributions: z.array(ContributionSchema),
              })
              .nullable(),
          }),
        },
      },
    },
    404: { description: 'Unknown asset', content: errorContent },
  },
});

const ingestionRoute = createRoute({
  method: 'get',
  path: '/v1/ingestion',
  summary: 'Ingestion now: readings per second, refusals by reason, scoring queue and dead letters',
  responses: {
    200: {
      description: 'Ingestion statistics',
      content: {
        'application/json': {
          schema: z.object({
            ts: z.string(),
            readings_total: z.number(),
            readings_per_second: z.number().nullable(),
            queued: z.number().nullable(),
            processed_by_source: z.record(z.string(), z.number()),
            rejected_readings_by_source: z.record(z.string(), z.number()),
            rejected_batches_by_reason: z.record(z.string(), z.number()),
            failed_readings: z.number(),
            dead_letters: z
              .object({
                total: z.number(),
                latest: z.array(
                  z.object({
                    id: z.number(),
                    received_at: z.string(),
                    source: z.string(),
                    topic: z.string(),
                    reason: z.string(),
                  }),
                ),
              })
              .nullable(),
          }),
        },
      },
    },
  },
});

const trajectoryRoute = createRoute({
  method: 'get',
  path: '/v1/fleet/{id}/trajectory',
  summary: 'Failure risk and remaining useful life of one asset over time, from the active models',
  description:
    'The stored values between from and to, carried forward per metric, are scored at up to `points` evenly ' +
    'spaced times by the active failure-risk and rul models (the same input row as the fleet summary).',
  request: {
    params: idParams(),
    query: z.object({
      from: z.string().optional().openapi({ description: 'Inclusive; ISO-8601 or epoch milliseconds' }),
      to: z.string().optional().openapi({ description: 'Exclusive; ISO-8601 or epoch milliseconds' }),
      points: z.coerce.number().int().min(2).max(2000).default(200).openapi({ type: 'integer' }),
    }),
  },
  responses: {
    200: {
      description: 'The trajectory, earliest first',
      content: {
        'application/json': {
          schema: z.object({
            asset: z.string(),
            models: z.object({ failure_risk: z.string().nullable(), rul: z.string().nullable() }),
            points: z.array(
              z.object({
                ts: z.string(),
                failure_risk: z.number().nullable(),
                rul: z
                  .object({ hours: z.number(), lower: z.number(), upper: z.number(), capped: z.boolean() })
                  .nullable(),
              }),
            ),
          }),
        },
      },
    },
    400: { description: 'Bad query parameter', content: errorContent },
    404: { description: 'Unknown asset', content: errorContent },
  },
});

/** Values of a prom-client counter by one label, read from the app's metrics registry. */
async function counterByLabel(ctx: AppContext, name: string, label: string): Promise<Record<string, number>> {
  const metric = ctx.metrics?.registry.getSingleMetric(name);
  if (!metric) return {};
  const result: Record<string, number> = {};
  for (const value of (await metric.get()).values) {
    const key = String(value.labels[label] ?? '');
    result[key] = (result[key] ?? 0) + value.value;
  }
  return result;
}

/** `GET /v1/fleet`, `GET /v1/fleet/{id}` and `GET /v1/ingestion`: what the dashboard reads in bulk. */
export function fleetRoutes(ctx: AppContext): OpenAPIHono {
  const router = newRouter();
  const samples: { at: number; total: number }[] = [];
  // A long-running server (one with an ingest pipeline) computes the summary at start, so that the first dashboard
  // to open finds it ready.
  if (ctx.pipeline)
    setTimeout(
      () =>
        void fleetSummaryFor(ctx)
          .refresh()
          .catch(() => undefined),
      0,
    ).unref?.();
  // The fleet answer is large (about 550 kB for 1,000 assets) and repetitive: gzip takes it to about 5 %.
  router.use('/v1/fleet', compress());
  router.use('/v1/fleet/*', compress());

  router.openapi(fleetRoute, async (c) => {
    const summary = fleetSummaryFor(ctx);
    const assets = await summary.rows();
    return c.json({ ts: formatTimestamp(ctx.clock.now()), models: summary.models(), assets }, 200);
  });

  router.openapi(fleetAssetRoute, async (c) => {
    const { id } = c.req.valid('param');
    const summary = fleetSummaryFor(ctx);
    const row = await summary.row(id);
    if (!row) throw unknownAsset(id);
    let why = null;
    const input = summary.explainInput(id);
    if (input?.model.explainable && row.last_ts !== null) {
      try {
        const [explained] = input.model.explain(frameFromRows([input.input]), 6);
        if (explained) {
          why = {
            model_id: input.modelId,
            input: input.input,
            bias: explained.bias,
            contributions: explained.contributions,
          };
        }
      } catch {
        why = null;
      }
    }
    return c.json({ asset: row, why }, 200);
  });

  router.openapi(trajectoryRoute, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const asset = await ctx.store.getAsset(id);
    if (!asset) throw unknownAsset(id);
    const summary = fleetSummaryFor(ctx);
    await summary.ready();
    // The per-column extremes keep each column's last value, so carrying values forward over them gives the
    // inputs at the column ends exactly, without reading every stored value out of the database.
    const values = await downsampledReadings(
      ctx.store,
      id,
      { from: timeParameter('from', query.from), to: timeParameter('to', query.to) },
      query.points * 4,
    );
    const times: number[] = [];
    const rows: Record<string, string | number | null>[] = [];
    if (values.length > 0) {
      const first = (values[0] as { ts: number }).ts;
      const last = (values[values.length - 1] as { ts: number }).ts;
      const count = last > first ? query.points : 1;
      const step = count > 1 ? (last - first) / (count - 1) : 0;
      const carried: Record<string, number> = {};
      let index = 0;
      for (let point = 0; point < count; point++) {
        const at = point === count - 1 ? last : first + point * step;
        while (index < values.length && (values[index] as { ts: number }).ts <= at) {
          const value = values[index] as { metric: string; value: number };
          carried[value.metric] = value.value;
          index++;
        }
        times.push(at);
        rows.push(featureRow(asset.attributes, carried));
      }
    }
    const predicted = summary.predictRows(rows);
    const points = times.map((ts, index) => ({
      ts: formatTimestamp(Math.round(ts)),
      failure_risk: predicted.risks?.[index] ?? null,
      rul: predicted.lives?.[index] ?? null,
    }));
    return c.json({ asset: id, models: summary.models(), points }, 200);
  });

  router.openapi(ingestionRoute, async (c) => {
    const now = ctx.clock.now();
    const stats = ctx.pipeline?.stats();
    const httpReadings = (await counterByLabel(ctx, 'upkeep_readings_ingested_total', ''))[''] ?? 0;
    const processed = stats?.processedReadings ?? { http: httpReadings };
    const total = Object.values(processed).reduce((sum, value) => sum + value, 0) + (stats?.queuedReadings ?? 0);
    samples.push({ at: now, total });
    while (samples.length > RATE_SAMPLES) samples.shift();
    let base = samples[0];
    for (const sample of samples) if (now - sample.at >= RATE_WINDOW_MS) base = sample;
    const seconds = base ? (now - base.at) / 1000 : 0;
    const rate = base && seconds >= 0.5 ? Math.max(0, (total - base.total) / seconds) : null;
    let deadLetters = null;
    if (ctx.deadLetters) {
      const latest = await ctx.deadLetters.list({ limit: 20 });
      deadLetters = {
        total: await ctx.deadLetters.count(),
        latest: latest.map((letter) => ({
          id: letter.id,
          received_at: formatTimestamp(letter.receivedAt),
          source: letter.source,
          topic: letter.topic,
          reason: letter.reason,
        })),
      };
    }
    return c.json(
      {
        ts: formatTimestamp(now),
        readings_total: total,
        readings_per_second: rate === null ? null : Math.round(rate * 10) / 10,
        queued: stats?.queuedReadings ?? null,
        processed_by_source: processed,
        rejected_readings_by_source: stats?.rejectedReadings ?? {},
        rejected_batches_by_reason: await counterByLabel(ctx, 'upkeep_ingest_batches_rejected_total', 'reason'),
        failed_readings: stats?.failedReadings ?? 0,
        dead_letters: deadLetters,
      },
      200,
    );
  });

  return router;
}
