import { downsampleMinMax } from '../plot/downsample.js';
import { DuckDBStore } from '../store/duckdb.js';
import type { Store, StoredValue } from '../store/store.js';

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

/**
 * The same reduction computed inside DuckDB (one grouped scan, nothing but the kept values leaves the database): per
 * metric and time column of the range's span, the first, last, lowest and highest value. Undefined when the range
 * holds at most `points` values per metric, so that the caller returns them whole. O(values) in DuckDB.
 */
export async function downsampleInDuckDB(
  store: DuckDBStore,
  asset: string,
  query: { metric?: string; from?: number; to?: number },
  points: number,
): Promise<StoredValue[] | undefined> {
  const conditions = ['asset = $1'];
  const values: (string | number)[] = [asset];
  if (query.metric !== undefined) {
    values.push(query.metric);
    conditions.push(`metric = $${values.length}`);
  }
  if (query.from !== undefined) conditions.push(`ts >= epoch_ms(${Math.round(query.from)}::BIGINT)`);
  if (query.to !== undefined) conditions.push(`ts < epoch_ms(${Math.round(query.to)}::BIGINT)`);
  const columns = Math.max(1, Math.floor(points / 4));
  const sql = `WITH r AS (SELECT metric, epoch_ms(ts)::DOUBLE AS t, value FROM readings WHERE ${conditions.join(' AND ')}),
    span AS (SELECT min(t) AS lo, greatest(max(t) - min(t), 1) / ${columns} AS width FROM r),
    most AS (SELECT max(n) AS most FROM (SELECT count(*) AS n FROM r GROUP BY metric))
    SELECT metric, min(t), arg_min(value, t), max(t), arg_max(value, t), arg_min(t, value), min(value),
      arg_max(t, value), max(value), any_value(most.most)
    FROM r, span, most GROUP BY metric, least(floor((t - span.lo) / span.width), ${columns - 1})`;
  const result = await store.withReader(async (connection) =>
    (await connection.runAndReadAll(sql, values)).getColumns(),
  );
  const [metrics = [], ...rest] = result;
  const most = Number(rest[8]?.[0] ?? 0);
  if (metrics.length === 0 || most <= points) return undefined;
  const kept: StoredValue[] = [];
  for (let row = 0; row < metrics.length; row++) {
    const metric = String(metrics[row]);
    const candidates: [number, number][] = [];
    for (let pair = 0; pair < 4; pair++) {
      candidates.push([Number(rest[2 * pair]?.[row]), Number(rest[2 * pair + 1]?.[row])]);
    }
    candidates.sort((a, b) => a[0] - b[0]);
    let previous = Number.NaN;
    for (const [ts, value] of candidates) {
      if (ts === previous) continue;
      previous = ts;
      kept.push({ ts, metric, value });
    }
  }
  kept.sort((a, b) => a.ts - b.ts || (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
  return kept;
}

/** Stored values of one asset reduced to about `points` per metric: in DuckDB when the store is DuckDB, else here. */
export async function downsampledReadings(
  store: Store,
  asset: string,
  query: { metric?: string; from?: number; to?: number },
  points: number,
): Promise<StoredValue[]> {
  if (store instanceof DuckDBStore) {
    const reduced = await downsampleInDuckDB(store, asset, query, points);
    if (reduced) return reduced;
  }
  return downsampleValues(await store.queryReadings(asset, { ...query, limit: MAX_DOWNSAMPLE_SOURCE }), points);
}
