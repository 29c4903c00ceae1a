import { describeValue, ValidationError } from '../core/errors.js';

/**
 * Sliding windows over run-to-failure histories, for sequence models (samples × steps × features) and window
 * statistics. Windows are aligned to the end of each history: the last window always ends at the unit's last row
 * (the one a test unit is scored on), earlier ones every `stride` rows before it, and emitted oldest first. A unit
 * shorter than the window is padded at the front with copies of its first row and gives exactly one window.
 */

/** One asset's history: a row-major `rows × features` matrix, and optionally a target per row. */
export interface UnitSeries {
  unit: number;
  values: Float64Array;
  targets?: Float64Array;
}

export interface WindowOptions {
  /** Steps per window (≥ 1). */
  length: number;
  /** Rows between consecutive window ends (default 1). */
  stride?: number;
  /** Only the window ending at each unit's last row (for scoring test units). Default false. */
  lastOnly?: boolean;
  /** Element type of the batch (default 'float64'; 'float32' for tensors). */
  dtype?: 'float32' | 'float64';
}

export interface WindowBatch {
  /** Row-major `samples × steps × features`. */
  data: Float32Array | Float64Array;
  samples: number;
  steps: number;
  features: number;
  /** Target at each window's last step (NaN when the series carry no targets). */
  targets: Float64Array;
  /** Unit id of each window, for grouped validation. */
  units: Float64Array;
  /** Row index (within its unit) of each window's last step. */
  endRows: Int32Array;
}

function checkPositiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValidationError(`${name} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

export interface ResolvedWindowOptions {
  length: number;
  stride: number;
  lastOnly: boolean;
}

/** Validates window options and fills the defaults. */
export function resolveWindowOptions(options: WindowOptions): ResolvedWindowOptions {
  return {
    length: checkPositiveInteger('window length', options.length),
    stride: checkPositiveInteger('window stride', options.stride ?? 1),
    lastOnly: options.lastOnly ?? false,
  };
}

/**
 * End positions of the windows of a unit with `rowCount` rows, in the padded sequence (padding
 * `max(0, length - rowCount)` copies of row 0 in front), ascending. Padded position p is row `max(0, p - padding)`.
 * O(rowCount / stride).
 */
export function windowEnds(rowCount: number, options: ResolvedWindowOptions): { padding: number; ends: number[] } {
  if (rowCount === 0) return { padding: 0, ends: [] };
  const padding = Math.max(0, options.length - rowCount);
  const last = rowCount + padding - 1;
  if (options.lastOnly) return { padding, ends: [last] };
  const ends: number[] = [];
  for (let end = last; end >= options.length - 1; end -= options.stride) ends.push(end);
  ends.reverse();
  return { padding, ends };
}

/** Rows of a series, checking that its matrix has a whole number of `features`-wide rows. */
export function seriesRowCount(series: UnitSeries, features: number, index: number): number {
  const rows = series.values.length / features;
  if (!Number.isInteger(rows)) {
    throw new ValidationError(
      `series[${index}] (unit ${series.unit}): values length ${series.values.length} is not a multiple of ${features} features`,
    );
  }
  if (series.targets !== undefined && series.targets.length !== rows) {
    throw new ValidationError(
      `series[${index}] (unit ${series.unit}): has ${series.targets.length} targets for ${rows} rows`,
    );
  }
  return rows;
}

/** Cuts every series into windows. O(samples × length × features) time and memory. */
export function makeWindows(series: readonly UnitSeries[], features: number, options: WindowOptions): WindowBatch {
  checkPositiveInteger('features', features);
  const resolved = resolveWindowOptions(options);
  const length = resolved.length;
  const plans = series.map((item, index) => {
    const rows = seriesRowCount(item, features, index);
    return { rows, ...windowEnds(rows, resolved) };
  });
  let samples = 0;
  for (const plan of plans) samples += plan.ends.length;
  const data =
    options.dtype === 'float32'
      ? new Float32Array(samples * length * features)
      : new Float64Array(samples * length * features);
  const targets = new Float64Array(samples).fill(Number.NaN);
  const units = new Float64Array(samples);
  const endRows = new Int32Array(samples);
  let sample = 0;
  for (let index = 0; index < series.length; index++) {
    const { values, targets: rowTargets, unit } = series[index];
    const { padding, ends } = plans[index];
    for (const end of ends) {
      const base = sample * length * features;
      for (let step = 0; step < length; step++) {
        const position = end - length + 1 + step;
        const row = position > padding ? position - padding : 0;
        const source = row * features;
        const target = base + step * features;
        for (let feature = 0; feature < features; feature++) data[target + feature] = values[source + feature];
      }
      const endRow = end - padding;
      endRows[sample] = endRow;
      units[sample] = unit;
      if (rowTargets !== undefined) targets[sample] = rowTargets[endRow];
      sample++;
    }
  }
  return { data, samples, steps: length, features, targets, units, endRows };
}
