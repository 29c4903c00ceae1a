import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { describeValue, ValidationError } from '../../core/errors.js';
import { ASSET_ID_FIELDS } from '../../core/reading.js';
import { readBatch } from '../../io/analyse/read-batch.js';
import { roundScore } from '../../io/analyse/score-rounding.js';
import { historyBaselines, historyKey, historyScore } from '../../scoring/history-z-score.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { bodyLimit, bufferedBody } from '../middleware/body-limit.js';
import { parseThreshold } from './analyse.js';

/** Stored values of each (asset, metric) that a reading is rated against: the last ones. */
export const HISTORY_WINDOW = 1000;

/** Fields the scoring adds to a result: a reading's own fields of these names are not echoed. */
const RESULT_FIELDS = ['is_anomaly', 'anomaly_scores', 'anomalous_metrics', 'no_history'];

interface HistoryResult {
  [field: string]: unknown;
  is_anomaly: boolean;
  anomaly_scores: Record<string, number>;
  anomalous_metrics: string[];
  /** Metrics with fewer than MIN_HISTORY stored values for this asset: scored 0. */
  no_history?: string[];
}

/** The asset id of a reading that `readBatch` has validated (strings as given, numbers as their decimal form). */
function assetOf(reading: Record<string, unknown>): string {
  for (const field of ASSET_ID_FIELDS) {
    const value = reading[field];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return '';
}

/**
 * Scores each reading's metrics against its own asset's stored history (`?mode=history`): the modified z-score of
 * the value against the median and MAD of the last HISTORY_WINDOW stored values of that metric of that asset.
 * Same validation and response shape as the batch mode; metrics without history score 0 and are listed in the
 * result's `no_history`. O(body + distinct (asset, metric) pairs · window).
 */
async function analyseHistory(ctx: AppContext, bytes: Uint8Array, threshold: number) {
  const { columns } = readBatch(bytes, ctx.limits.maxReadings);
  const readings = (JSON.parse(new TextDecoder().decode(bytes)) as { readings: Record<string, unknown>[] }).readings;
  const assets = readings.map(assetOf);
  const metricsByAsset = new Map<string, Set<string>>();
  for (let reading = 0; reading < columns.readingCount; reading++) {
    let metrics = metricsByAsset.get(assets[reading]);
    if (metrics === undefined) {
      metrics = new Set();
      metricsByAsset.set(assets[reading], metrics);
    }
    for (let slot = columns.slotStart[reading]; slot < columns.slotStart[reading + 1]; slot++) {
      metrics.add(columns.list[columns.slotColumn[slot]].name);
    }
  }
  const baselines = await historyBaselines(ctx.store, metricsByAsset, HISTORY_WINDOW);

  let anomalies = 0;
  const results: HistoryResult[] = [];
  for (let reading = 0; reading < columns.readingCount; reading++) {
    const echo: Record<string, unknown> = { ...readings[reading] };
    for (const field of RESULT_FIELDS) delete echo[field];
    const scores: Record<string, number> = {};
    const anomalous: string[] = [];
    const noHistory: string[] = [];
    for (let slot = columns.slotStart[reading]; slot < columns.slotStart[reading + 1]; slot++) {
      const column = columns.list[columns.slotColumn[slot]];
      const baseline = baselines.get(historyKey(assets[reading], column.name));
      if (baseline === undefined) noHistory.push(column.name);
      const score = baseline === undefined ? 0 : historyScore(column.values[columns.slotPosition[slot]], baseline);
      scores[column.name] = roundScore(score);
      if (score > threshold) anomalous.push(column.name);
    }
    if (anomalous.length > 0) anomalies++;
    const result: HistoryResult = {
      ...echo,
      is_anomaly: anomalous.length > 0,
      anomaly_scores: scores,
      anomalous_metrics: anomalous,
    };
    if (noHistory.length > 0) result.no_history = noHistory;
    results.push(result);
  }
  return { total_readings: columns.readingCount, anomalies_detected: anomalies, results };
}

/**
 * `POST /analyse?mode=history` and `POST /v1/analyse?mode=history`, served ahead of the batch route (mounted before
 * it): other modes (`batch`, or none) pass through to the batch modified z-score; an unknown mode is a 400.
 */
export function analyseHistoryRoutes(ctx: AppContext): OpenAPIHono {
  const router = newRouter();
  const limit = bodyLimit(ctx.limits.maxBodyBytes);
  const handler: MiddlewareHandler = async (c: Context, next) => {
    const mode = c.req.query('mode');
    if (mode === undefined || mode === 'batch') return next();
    if (mode !== 'history') {
      throw new ValidationError(`'mode' must be batch or history, got ${describeValue(mode)}`, [
        { path: 'mode', message: 'must be batch or history' },
      ]);
    }
    const threshold = parseThreshold(c.req.query('threshold'));
    let bytes: Uint8Array = new Uint8Array(0);
    await limit(c, async () => {
      bytes = bufferedBody(c) ?? new Uint8Array(await c.req.arrayBuffer());
    });
    return c.json(await analyseHistory(ctx, bytes, threshold), 200);
  };
  for (const path of ['/analyse', '/v1/analyse']) router.post(path, handler);
  return router;
}
