import { describeValue, ValidationError } from '../core/errors.js';
import { resolveWindowOptions, seriesRowCount, type UnitSeries, type WindowOptions, windowEnds } from './windows.js';

/**
 * Per-window statistics of each sensor — the tabular features a boosted-tree RUL baseline trains on. Windows are the
 * same as `makeWindows` (end-aligned, short units padded at the front with their first row), so a row here matches a
 * sample there. Each sensor runs one sliding aggregator over its unit with the init/add/remove/value pattern, so a
 * stride-1 pass costs O(1) per step and statistic: mean and std by Welford's update and its inverse (Welford 1962;
 * https://en.wikipedia.org/wiki/Algorithms_for_calculating_variance#Welford's_online_algorithm), min and max by
 * monotonic deques (amortised O(1), Lemire 2006, https://arxiv.org/abs/cs/0610046), slope from running Σy and Σi·y
 * re-indexed on each removal, and EWMA from a running exponentially weighted sum with the oldest term subtracted.
 */

export const WINDOW_STATS = ['mean', 'std', 'min', 'max', 'last', 'slope', 'ewma'] as const;
export type WindowStat = (typeof WINDOW_STATS)[number];

export interface WindowStatsOptions extends Omit<WindowOptions, 'dtype'> {
  /** Statistics to emit, in this order within each sensor (default all of WINDOW_STATS). */
  stats?: WindowStat[];
  /** EWMA smoothing factor in (0, 1] (default 0.3): e₀ = y₀, eₖ = α·yₖ + (1 − α)·eₖ₋₁ over the window. */
  ewmaAlpha?: number;
}

export interface WindowStatsMatrix {
  /** Row-major `rows × names.length`. */
  values: Float64Array;
  rows: number;
  /** `${sensor}_${stat}`, sensor-major: s2_mean, s2_std, …, s3_mean, … */
  names: string[];
  targets: Float64Array;
  units: Float64Array;
  endRows: Int32Array;
}

/**
 * Sliding statistics of one sensor over a window of at most `capacity` values. Positions are absolute (the n-th value
 * added has position n); the window holds positions [removed, added).
 */
class SlidingStats {
  private readonly alpha: number;
  private readonly decay: number;
  private readonly values: Float64Array;
  private readonly minDeque: Int32Array;
  private readonly maxDeque: Int32Array;
  private added = 0;
  private removed = 0;
  private mean = 0;
  private squares = 0;
  private sum = 0;
  private indexedSum = 0;
  private weightedSum = 0;
  private minHead = 0;
  private minTail = 0;
  private maxHead = 0;
  private maxTail = 0;
  private reference = 0;

  constructor(maxValues: number, alpha: number) {
    this.alpha = alpha;
    this.decay = 1 - alpha;
    this.values = new Float64Array(maxValues);
    this.minDeque = new Int32Array(maxValues);
    this.maxDeque = new Int32Array(maxValues);
  }

  /** Starts an empty window; values are kept relative to `reference` (e.g. the unit's first value) for accuracy. */
  init(reference: number): void {
    this.reference = reference;
    this.added = 0;
    this.removed = 0;
    this.mean = 0;
    this.squares = 0;
    this.sum = 0;
    this.indexedSum = 0;
    this.weightedSum = 0;
    this.minHead = this.minTail = this.maxHead = this.maxTail = 0;
  }

  get count(): number {
    return this.added - this.removed;
  }

  add(raw: number): void {
    const value = raw - this.reference;
    const position = this.added++;
    this.values[position] = value;
    const count = this.count;
    const delta = value - this.mean;
    this.mean += delta / count;
    this.squares += delta * (value - this.mean);
    this.indexedSum += (count - 1) * value;
    this.sum += value;
    this.weightedSum = this.decay * this.weightedSum + this.alpha * value;
    while (this.minTail > this.minHead && this.values[this.minDeque[this.minTail - 1]] >= value) this.minTail--;
    this.minDeque[this.minTail++] = position;
    while (this.maxTail > this.maxHead && this.values[this.maxDeque[this.maxTail - 1]] <= value) this.maxTail--;
    this.maxDeque[this.maxTail++] = position;
  }

  /** Drops the oldest value. */
  remove(): void {
    const count = this.count;
    const value = this.values[this.removed];
    // Its weight in the running EWMA sum is α(1 − α)^(count − 1).
    this.weightedSum -= this.alpha * this.decay ** (count - 1) * value;
    this.removed++;
    if (count === 1) {
      this.mean = 0;
      this.squares = 0;
    } else {
      const meanBefore = this.mean;
      this.mean = meanBefore - (value - meanBefore) / (count - 1);
      this.squares -= (value - meanBefore) * (value - this.mean);
      if (this.squares < 0) this.squares = 0;
    }
    this.sum -= value;
    // Every remaining index drops by one: Σ(i − 1)·y = Σi·y − Σy (the removed value had index 0).
    this.indexedSum -= this.sum;
    if (this.minDeque[this.minHead] < this.removed) this.minHead++;
    if (this.maxDeque[this.maxHead] < this.removed) this.maxHead++;
  }

  value(stat: WindowStat): number {
    const count = this.count;
    switch (stat) {
      case 'mean':
        return this.mean + this.reference;
      case 'std':
        return Math.sqrt(this.squares / count);
      case 'min':
        return this.values[this.minDeque[this.minHead]] + this.reference;
      case 'max':
        return this.values[this.maxDeque[this.maxHead]] + this.reference;
      case 'last':
        return this.values[this.added - 1] + this.reference;
      case 'slope': {
        if (count < 2) return 0;
        // Least squares of y on i = 0..n−1: (nΣiy − ΣiΣy) / (nΣi² − (Σi)²).
        const indexSum = (count * (count - 1)) / 2;
        const indexSquares = ((count - 1) * count * (2 * count - 1)) / 6;
        return (count * this.indexedSum - indexSum * this.sum) / (count * indexSquares - indexSum * indexSum);
      }
      case 'ewma':
        // The weights α(1 − α)^(n−1−k) and (1 − α)^n on y₀ sum to 1, so the shift comes back whole.
        return this.weightedSum + this.decay ** count * this.values[this.removed] + this.reference;
    }
  }
}

/**
 * Statistics of each window of each series, one row per window, in the order `makeWindows` emits them.
 * `sensors` names the series' columns. O(rows × sensors × stats) for stride 1 (each row is added and removed once).
 */
export function windowStatistics(
  series: readonly UnitSeries[],
  sensors: readonly string[],
  options: WindowStatsOptions,
): WindowStatsMatrix {
  const resolved = resolveWindowOptions(options);
  const stats = options.stats ?? [...WINDOW_STATS];
  for (const stat of stats) {
    if (!WINDOW_STATS.includes(stat)) {
      throw new ValidationError(
        `stats: unknown statistic ${describeValue(stat)}, expected one of ${WINDOW_STATS.join(', ')}`,
      );
    }
  }
  const alpha = options.ewmaAlpha ?? 0.3;
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha <= 1)) {
    throw new ValidationError(`ewmaAlpha must be in (0, 1], got ${describeValue(alpha)}`);
  }
  const width = sensors.length;
  if (width === 0) throw new ValidationError('sensors: at least one sensor column is needed');
  const plans = series.map((item, index) => {
    const rows = seriesRowCount(item, width, index);
    return { rows, ...windowEnds(rows, resolved) };
  });
  let total = 0;
  let longest = 0;
  for (const plan of plans) {
    total += plan.ends.length;
    longest = Math.max(longest, plan.rows + plan.padding);
  }
  const names: string[] = [];
  for (const sensor of sensors) for (const stat of stats) names.push(`${sensor}_${stat}`);
  const featureCount = names.length;
  const values = new Float64Array(total * featureCount);
  const targets = new Float64Array(total).fill(Number.NaN);
  const units = new Float64Array(total);
  const endRows = new Int32Array(total);
  const aggregators = sensors.map(() => new SlidingStats(longest, alpha));
  const length = resolved.length;

  let sample = 0;
  for (let index = 0; index < series.length; index++) {
    const { values: matrix, targets: rowTargets, unit } = series[index];
    const { padding, ends } = plans[index];
    if (ends.length === 0) continue;
    for (let sensor = 0; sensor < width; sensor++) aggregators[sensor].init(matrix[sensor]);
    const firstStart = ends[0] - length + 1;
    let nextEnd = 0;
    for (let position = firstStart; position <= ends[ends.length - 1]; position++) {
      const row = position > padding ? position - padding : 0;
      for (let sensor = 0; sensor < width; sensor++) {
        const aggregator = aggregators[sensor];
        if (aggregator.count === length) aggregator.remove();
        aggregator.add(matrix[row * width + sensor]);
      }
      if (position === ends[nextEnd]) {
        const base = sample * featureCount;
        let column = 0;
        for (const aggregator of aggregators) {
          for (const stat of stats) values[base + column++] = aggregator.value(stat);
        }
        const endRow = position - padding;
        endRows[sample] = endRow;
        units[sample] = unit;
        if (rowTargets !== undefined) targets[sample] = rowTargets[endRow];
        sample++;
        nextEnd++;
      }
    }
  }
  return { values, rows: total, names, targets, units, endRows };
}
