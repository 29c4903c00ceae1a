import { downsampleMinMax } from '../plot/downsample.js';
import type { StoredValue } from '../store/store.js';

/** Most stored values read for one downsampled answer. */
export const MAX_DOWNSAMPLE_SOURCE = 5_000_000;

/**
 * Stored values (ts ascending) reduced to at most about `points` per metric for a chart: per time column the first,
 * last, lowest and highest value (M4, see plot/downsample.ts), so spikes survive. Series already that short are
 * returned whole. The result stays ts ascending, then metric. O(values).
 */
export function downsampleValues(values: readonly StoredValue[], points: number): StoredValue[] {
  const byMetric = new Map<string, StoredValue[]>();
  for (const value of values) {
    let series = byMetric.get(value.metric);
    if (!series) {
      series = [];
      byMetric.set(value.metric, series);
    }
    series.push(value);
  }
  const columns = Math.max(1, Math.floor(points / 4));
  const kept: StoredValue[] = [];
  for (const series of byMetric.values()) {
    if (series.length <= points) {
      kept.push(...series);
      continue;
    }
    const xs = new Float64Array(series.length);
    const ys = new Float64Array(series.length);
    for (let i = 0; i < series.length; i++) {
      xs[i] = (series[i] as StoredValue).ts;
      ys[i] = (series[i] as StoredValue).value;
    }
    const first = xs[0] as number;
    const last = xs[xs.length - 1] as number;
    for (const index of downsampleMinMax(xs, ys, first, last, columns)) kept.push(series[index] as StoredValue);
  }
  if (byMetric.size > 1) kept.sort((a, b) => a.ts - b.ts || (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
  return kept;
}
