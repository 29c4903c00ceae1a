import { BatchModifiedZScore, type ScaleMethod } from '../models/anomaly/modified-z-score.js';
import type { Store } from '../store/store.js';
import { lastValues } from './recent-values.js';

/** Stored values of a metric that a history needs before values are rated against it. */
export const MIN_HISTORY = 10;
/** Scores are capped here: a value that differs from a constant history has no finite modified z-score. */
export const MAX_HISTORY_SCORE = 1e6;

/** Where a metric's stored history is centred and how widely it spreads (see `BatchModifiedZScore.scoreColumn`). */
export interface HistoryBaseline {
  /** Stored values it was computed from (at most the window). */
  count: number;
  center: number;
  scale: number;
  method: ScaleMethod;
}

const NORMAL_MAD_FACTOR = 0.6745;

/**
 * The baseline of one history: its median and MAD, or its mean and population σ when more than half the values
 * are equal (MAD = 0), or just its value when constant — the same statistics the batch `/analyse` uses, computed
 * over the history instead of the batch. O(n) on average; undefined for fewer than MIN_HISTORY values.
 */
export function historyBaseline(values: Float64Array): HistoryBaseline | undefined {
  if (values.length < MIN_HISTORY) return undefined;
  const { center, scale, method } = new BatchModifiedZScore().scoreColumn(values);
  return { count: values.length, center, scale, method };
}

/**
 * The modified z-score of `value` against a history's baseline (Iglewicz & Hoaglin 1993): 0.6745·|x − median|/MAD,
 * or |x − mean|/σ when the MAD is 0; against a constant history 0 for the same value and MAX_HISTORY_SCORE for any
 * other. Capped at MAX_HISTORY_SCORE. O(1).
 */
export function historyScore(value: number, baseline: HistoryBaseline): number {
  const distance = Math.abs(value - baseline.center);
  if (baseline.method === 'constant') return distance === 0 ? 0 : MAX_HISTORY_SCORE;
  const factor = baseline.method === 'mad' ? NORMAL_MAD_FACTOR : 1;
  return Math.min((factor * distance) / baseline.scale, MAX_HISTORY_SCORE);
}

/**
 * Baselines of the last `window` stored values of each (asset, metric) asked for, keyed `asset\0metric`; pairs with
 * fewer than MIN_HISTORY stored values (or unknown assets) are absent. One asset summary per asset, then one or a
 * few range queries per pair (see `lastValues`).
 */
export async function historyBaselines(
  store: Store,
  metricsByAsset: ReadonlyMap<string, ReadonlySet<string>>,
  window: number,
): Promise<Map<string, HistoryBaseline>> {
  const baselines = new Map<string, HistoryBaseline>();
  for (const [asset, metrics] of metricsByAsset) {
    const summary = await store.getAsset(asset);
    if (summary === undefined) continue;
    for (const metric of metrics) {
      if (!summary.metrics.includes(metric)) continue;
      const rows = await lastValues(store, asset, metric, window, summary);
      const values = new Float64Array(rows.length);
      for (let index = 0; index < rows.length; index++) values[index] = rows[index].value;
      const baseline = historyBaseline(values);
      if (baseline !== undefined) baselines.set(historyKey(asset, metric), baseline);
    }
  }
  return baselines;
}

/** The key of one (asset, metric) pair in `historyBaselines`' result. */
export function historyKey(asset: string, metric: string): string {
  return `${asset}\u0000${metric}`;
}
