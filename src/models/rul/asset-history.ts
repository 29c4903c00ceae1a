import type { CmapssUnit } from '../../io/cmapss.js';
import type { Store } from '../../store/store.js';
import type { RulPipeline, RunData } from './pipeline.js';

/** One stored value of an asset, as the store returns it. */
export interface MetricValue {
  ts: number;
  metric: string;
  value: number;
}

/**
 * Frames an asset's stored readings as one unit for a RUL pipeline: a row per timestamp at which every metric the
 * model needs has a value, ascending, numbered as cycles 1, 2, …; the last `maxRows` rows at most. Columns the model
 * reads but cannot use (the operating settings of a single-condition model) are filled with 0. Undefined when no
 * timestamp has every needed metric. O(values + rows × columns).
 */
export function assetRunData(
  pipeline: RulPipeline,
  values: readonly MetricValue[],
  maxRows = Number.POSITIVE_INFINITY,
): RunData | undefined {
  const columns = pipeline.config.inputColumns;
  const required = new Set(pipeline.requiredColumns);
  const indexOf = new Map(columns.map((name, index) => [name, index]));
  const byTime = new Map<number, Float64Array>();
  for (const { ts, metric, value } of values) {
    const index = indexOf.get(metric);
    if (index === undefined || !Number.isFinite(value)) continue;
    let row = byTime.get(ts);
    if (!row) {
      row = new Float64Array(columns.length).fill(Number.NaN);
      byTime.set(ts, row);
    }
    row[index] = value;
  }
  const complete = [...byTime.entries()]
    .filter(([, row]) => columns.every((name, index) => !required.has(name) || !Number.isNaN(row[index])))
    .sort((a, b) => a[0] - b[0]);
  const kept = complete.slice(Math.max(0, complete.length - maxRows));
  if (kept.length === 0) return undefined;
  const width = columns.length;
  const matrix = new Float64Array(kept.length * width);
  kept.forEach(([, row], r) => {
    for (let c = 0; c < width; c++) matrix[r * width + c] = Number.isNaN(row[c]) ? 0 : row[c];
  });
  const unit: CmapssUnit = {
    unit: 1,
    cycles: Float64Array.from(kept, (_, r) => r + 1),
    values: matrix,
    rulAtEnd: 0,
  };
  return { columns, units: [unit] };
}

/** The span `recentRunData` reads first, in ms; each further read goes eight times as far back. */
export const FIRST_RECENT_SPAN_MS = 60_000;

/**
 * `assetRunData` of an asset's last `rows` complete rows, reading only its recent values: a time range back from
 * its last value, widened eightfold until the range holds `rows` complete rows or reaches the first value. The same
 * rows as framing the whole history (a row in the range is complete exactly when it is complete at all, and the
 * range holds the latest ones), read in O(log(history / span)) queries of about what the window needs.
 * Undefined for an unknown asset, or one without a complete row.
 */
export async function recentRunData(
  store: Pick<Store, 'getAsset' | 'queryReadings'>,
  asset: string,
  pipeline: RulPipeline,
  rows: number,
): Promise<RunData | undefined> {
  const summary = await store.getAsset(asset);
  if (!summary || summary.firstTs === null || summary.lastTs === null) return undefined;
  for (let span = FIRST_RECENT_SPAN_MS; ; span *= 8) {
    const from = summary.lastTs - span;
    const whole = from <= summary.firstTs;
    const run = assetRunData(pipeline, await store.queryReadings(asset, whole ? {} : { from }), rows);
    if (whole || (run && (run.units[0]?.cycles.length ?? 0) >= rows)) return run;
  }
}
