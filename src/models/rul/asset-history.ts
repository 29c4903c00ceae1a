import type { CmapssUnit } from '../../io/cmapss.js';
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
