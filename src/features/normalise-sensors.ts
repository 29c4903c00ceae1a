import { describeValue, NotFittedError, UnprocessableError, ValidationError } from '../core/errors.js';

/**
 * Sensor preparation for run-to-failure data, fitted on training data and replayed identically at prediction time:
 * columns that are constant over the training rows are dropped, and every remaining column is z-scored with the
 * mean and standard deviation of its operating condition (the regime-wise normalisation of Wang et al. 2008,
 * "A similarity-based prognostics approach for RUL estimation of engineered systems", PHM'08). Conditions come from
 * the setting columns: one condition (`none`), rounding to a grid, or k-means with k given.
 */

export type ConditionMethod =
  | { method: 'none' }
  /** Each condition column rounded to a multiple of `step`; each distinct rounded tuple is one condition. */
  | { method: 'grid'; step: number }
  /** k-means (Lloyd) on the condition columns scaled by their training std, farthest-point initialisation. */
  | { method: 'kmeans'; k: number; maxIterations?: number };

export interface SensorNormaliserOptions {
  /** Columns that define the operating condition (e.g. setting1..3); ignored for method 'none'. */
  conditionColumns?: string[];
  conditions?: ConditionMethod;
  /** A column is constant when its std ≤ minStd × max(1, |mean|) over all training rows (default 1e-8). */
  minStd?: number;
}

/** Learned state; plain JSON. */
export interface SensorNormaliserState {
  columns: string[];
  kept: string[];
  dropped: string[];
  conditionColumns: string[];
  conditions: ConditionMethod;
  /** Condition centres in the condition columns' units (grid: the rounded tuples; kmeans: the centroids). */
  centres: number[][];
  /** Per condition column scale used for distances (kmeans: training std; otherwise 1). */
  conditionScales: number[];
  /** `means[condition][keptIndex]`, `stds[condition][keptIndex]` (a std of 0 is stored as 1). */
  means: number[][];
  stds: number[][];
}

export interface NormalisedBlock {
  columns: string[];
  /** Row-major `rows × columns.length`. */
  values: Float64Array;
  /** Condition index of each row. */
  conditions: Int32Array;
}

function columnIndices(columns: readonly string[], wanted: readonly string[], what: string): number[] {
  return wanted.map((name) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new UnprocessableError(`${what} '${name}' is not among the columns ${describeValue(columns)}`);
    return index;
  });
}

function rowsOf(block: Float64Array, width: number, index: number): number {
  const rows = block.length / width;
  if (!Number.isInteger(rows)) {
    throw new ValidationError(`blocks[${index}]: length ${block.length} is not a multiple of ${width} columns`);
  }
  return rows;
}

function squaredDistance(point: Float64Array, centre: readonly number[], scales: readonly number[]): number {
  let sum = 0;
  for (let d = 0; d < point.length; d++) {
    const delta = (point[d] - centre[d]) / scales[d];
    sum += delta * delta;
  }
  return sum;
}

function nearest(point: Float64Array, centres: readonly number[][], scales: readonly number[]): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let c = 0; c < centres.length; c++) {
    const distance = squaredDistance(point, centres[c], scales);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = c;
    }
  }
  return best;
}

/**
 * k-means by Lloyd's algorithm on `points` (row-major n × d), deterministic: the first centre is the first point,
 * each next one the point farthest from the chosen centres (Gonzalez 1985). O(iterations × n × k × d).
 */
function kMeans(points: Float64Array, dims: number, k: number, scales: number[], maxIterations: number): number[][] {
  const count = points.length / dims;
  const point = (row: number) => points.subarray(row * dims, (row + 1) * dims);
  const centres: number[][] = [Array.from(point(0))];
  const closest = new Float64Array(count).fill(Number.POSITIVE_INFINITY);
  while (centres.length < k) {
    let farthest = -1;
    let farthestDistance = 0;
    for (let row = 0; row < count; row++) {
      const distance = squaredDistance(point(row), centres[centres.length - 1], scales);
      if (distance < closest[row]) closest[row] = distance;
      if (closest[row] > farthestDistance) {
        farthestDistance = closest[row];
        farthest = row;
      }
    }
    if (farthest < 0) {
      throw new UnprocessableError(`conditions.k = ${k} exceeds the ${centres.length} distinct operating conditions`);
    }
    centres.push(Array.from(point(farthest)));
  }
  const assignment = new Int32Array(count).fill(-1);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let changed = false;
    for (let row = 0; row < count; row++) {
      const cluster = nearest(point(row), centres, scales);
      if (cluster !== assignment[row]) {
        assignment[row] = cluster;
        changed = true;
      }
    }
    if (!changed) break;
    const sums = centres.map(() => new Float64Array(dims));
    const sizes = new Float64Array(k);
    for (let row = 0; row < count; row++) {
      const cluster = assignment[row];
      sizes[cluster]++;
      for (let d = 0; d < dims; d++) sums[cluster][d] += points[row * dims + d];
    }
    for (let c = 0; c < k; c++) {
      if (sizes[c] > 0) for (let d = 0; d < dims; d++) centres[c][d] = sums[c][d] / sizes[c];
    }
  }
  return centres;
}

/**
 * Drops constant columns and z-scores the rest per operating condition. Fit with `fit(blocks, columns)` where each
 * block (e.g. one unit) is a row-major matrix over `columns`; `toJSON()` / `fromJSON()` round-trip the fitted state.
 */
export class SensorNormaliser {
  static readonly className = 'SensorNormaliser';
  readonly options: Readonly<SensorNormaliserOptions>;
  state: SensorNormaliserState | undefined;

  constructor(options: SensorNormaliserOptions = {}) {
    this.options = { ...options };
  }

  getConfig(): SensorNormaliserOptions {
    return { ...this.options };
  }

  /** Learns constant columns, conditions and per-condition moments. O(rows × columns) plus the clustering. */
  fit(blocks: readonly Float64Array[], columns: readonly string[]): this {
    const conditions = this.options.conditions ?? { method: 'none' };
    const minStd = this.options.minStd ?? 1e-8;
    if (typeof minStd !== 'number' || !(minStd >= 0)) {
      throw new ValidationError(`minStd must be a non-negative number, got ${describeValue(minStd)}`);
    }
    const conditionColumns = conditions.method === 'none' ? [] : [...(this.options.conditionColumns ?? [])];
    if (conditions.method !== 'none' && conditionColumns.length === 0) {
      throw new ValidationError(`conditionColumns must name at least one column for method '${conditions.method}'`);
    }
    const conditionIndices = columnIndices(columns, conditionColumns, 'condition column');
    const width = columns.length;
    let rowCount = 0;
    blocks.forEach((block, index) => {
      rowCount += rowsOf(block, width, index);
    });
    if (rowCount === 0) throw new ValidationError('blocks: no rows to fit on');

    // Global two-pass moments for the constant test.
    const globalMean = new Float64Array(width);
    for (const block of blocks) for (let i = 0; i < block.length; i++) globalMean[i % width] += block[i];
    for (let c = 0; c < width; c++) globalMean[c] /= rowCount;
    const globalSquares = new Float64Array(width);
    for (const block of blocks) {
      for (let i = 0; i < block.length; i++) {
        const delta = block[i] - globalMean[i % width];
        globalSquares[i % width] += delta * delta;
      }
    }
    const kept: string[] = [];
    const keptIndices: number[] = [];
    const dropped: string[] = [];
    for (let c = 0; c < width; c++) {
      const std = Math.sqrt(globalSquares[c] / rowCount);
      if (std <= minStd * Math.max(1, Math.abs(globalMean[c]))) dropped.push(columns[c]);
      else {
        kept.push(columns[c]);
        keptIndices.push(c);
      }
    }

    // Conditions.
    const dims = conditionIndices.length;
    const conditionScales = new Array<number>(dims).fill(1);
    let centres: number[][] = [[]];
    if (conditions.method === 'grid') {
      if (!(conditions.step > 0)) {
        throw new ValidationError(`conditions.step must be a positive number, got ${describeValue(conditions.step)}`);
      }
      const seen = new Map<string, number[]>();
      for (const block of blocks) {
        for (let offset = 0; offset < block.length; offset += width) {
          const tuple = conditionIndices.map((c) => Math.round(block[offset + c] / conditions.step) * conditions.step);
          const key = tuple.join(',');
          if (!seen.has(key)) seen.set(key, tuple);
        }
      }
      centres = [...seen.values()].sort((a, b) => {
        for (let d = 0; d < dims; d++) if (a[d] !== b[d]) return a[d] - b[d];
        return 0;
      });
    } else if (conditions.method === 'kmeans') {
      if (!Number.isInteger(conditions.k) || conditions.k < 1) {
        throw new ValidationError(`conditions.k must be a positive integer, got ${describeValue(conditions.k)}`);
      }
      const points = new Float64Array(rowCount * dims);
      let row = 0;
      for (const block of blocks) {
        for (let offset = 0; offset < block.length; offset += width, row++) {
          for (let d = 0; d < dims; d++) points[row * dims + d] = block[offset + conditionIndices[d]];
        }
      }
      for (let d = 0; d < dims; d++) {
        const std = Math.sqrt(globalSquares[conditionIndices[d]] / rowCount);
        conditionScales[d] = std > 0 ? std : 1;
      }
      centres = kMeans(points, dims, conditions.k, conditionScales, conditions.maxIterations ?? 100);
    }

    const partial: SensorNormaliserState = {
      columns: [...columns],
      kept,
      dropped,
      conditionColumns,
      conditions: { ...conditions },
      centres,
      conditionScales,
      means: [],
      stds: [],
    };
    // Per-condition two-pass moments of the kept columns.
    const count = centres.length;
    const keptWidth = keptIndices.length;
    const sizes = new Float64Array(count);
    const sums = new Float64Array(count * keptWidth);
    const assignments = blocks.map((block) => assignConditions(partial, block, conditionIndices));
    blocks.forEach((block, b) => {
      for (let row = 0, offset = 0; offset < block.length; row++, offset += width) {
        const condition = assignments[b][row];
        sizes[condition]++;
        for (let k = 0; k < keptWidth; k++) sums[condition * keptWidth + k] += block[offset + keptIndices[k]];
      }
    });
    const means = new Float64Array(count * keptWidth);
    for (let i = 0; i < means.length; i++) {
      const size = sizes[Math.floor(i / keptWidth)];
      means[i] = size > 0 ? sums[i] / size : 0;
    }
    // Corrected two-pass (Chan, Golub & LeVeque 1983): the second pass also sums the deviations, which fixes the
    // rounding of the first-pass mean — it matters for sensors whose spread is 1e-5 of their level (FD001's s6).
    const squares = new Float64Array(count * keptWidth);
    const deviations = new Float64Array(count * keptWidth);
    blocks.forEach((block, b) => {
      for (let row = 0, offset = 0; offset < block.length; row++, offset += width) {
        const condition = assignments[b][row];
        for (let k = 0; k < keptWidth; k++) {
          const delta = block[offset + keptIndices[k]] - means[condition * keptWidth + k];
          deviations[condition * keptWidth + k] += delta;
          squares[condition * keptWidth + k] += delta * delta;
        }
      }
    });
    for (let c = 0; c < count; c++) {
      const meanRow: number[] = [];
      const stdRow: number[] = [];
      for (let k = 0; k < keptWidth; k++) {
        const i = c * keptWidth + k;
        const size = sizes[c];
        const variance = size > 0 ? (squares[i] - (deviations[i] * deviations[i]) / size) / size : 0;
        const std = Math.sqrt(Math.max(0, variance));
        meanRow.push(size > 0 ? means[i] + deviations[i] / size : 0);
        stdRow.push(std > 0 ? std : 1);
      }
      partial.means.push(meanRow);
      partial.stds.push(stdRow);
    }
    this.state = partial;
    return this;
  }

  /** Applies the fitted state to a row-major block over `columns` (any order; extra columns ignored). O(rows × columns). */
  transform(block: Float64Array, columns: readonly string[]): NormalisedBlock {
    const state = this.fitted();
    const width = columns.length;
    const rows = rowsOf(block, width, 0);
    const keptIndices = columnIndices(columns, state.kept, 'column');
    const conditionIndices = columnIndices(columns, state.conditionColumns, 'condition column');
    const conditions = assignConditions(state, block, conditionIndices, width);
    const keptWidth = keptIndices.length;
    const values = new Float64Array(rows * keptWidth);
    for (let row = 0; row < rows; row++) {
      const condition = conditions[row];
      const means = state.means[condition];
      const stds = state.stds[condition];
      for (let k = 0; k < keptWidth; k++) {
        values[row * keptWidth + k] = (block[row * width + keptIndices[k]] - means[k]) / stds[k];
      }
    }
    return { columns: [...state.kept], values, conditions };
  }

  toJSON(): SensorNormaliserState {
    return structuredClone(this.fitted());
  }

  static fromJSON(state: SensorNormaliserState, options: SensorNormaliserOptions = {}): SensorNormaliser {
    const shapeOk =
      state !== null &&
      typeof state === 'object' &&
      Array.isArray(state.kept) &&
      Array.isArray(state.conditionColumns) &&
      Array.isArray(state.centres) &&
      Array.isArray(state.means) &&
      Array.isArray(state.stds) &&
      state.means.length === state.centres.length &&
      state.stds.length === state.centres.length &&
      state.means.every((row) => Array.isArray(row) && row.length === state.kept.length) &&
      state.stds.every((row) => Array.isArray(row) && row.length === state.kept.length);
    if (!shapeOk) throw new ValidationError('SensorNormaliser state: malformed, expected the output of toJSON()');
    const normaliser = new SensorNormaliser({
      ...options,
      conditions: state.conditions,
      conditionColumns: state.conditionColumns,
    });
    normaliser.state = structuredClone(state);
    return normaliser;
  }

  private fitted(): SensorNormaliserState {
    if (this.state === undefined) throw new NotFittedError(SensorNormaliser.className);
    return this.state;
  }
}

/** Condition index of each row: nearest centre after the method's rounding (an unseen grid cell maps to the nearest). */
function assignConditions(
  state: SensorNormaliserState,
  block: Float64Array,
  conditionIndices: readonly number[],
  width = state.columns.length,
): Int32Array {
  const rows = block.length / width;
  const result = new Int32Array(rows);
  if (state.conditions.method === 'none' || state.centres.length <= 1) return result;
  const step = state.conditions.method === 'grid' ? state.conditions.step : 0;
  const point = new Float64Array(conditionIndices.length);
  for (let row = 0; row < rows; row++) {
    for (let d = 0; d < point.length; d++) {
      const value = block[row * width + conditionIndices[d]];
      point[d] = step > 0 ? Math.round(value / step) * step : value;
    }
    result[row] = nearest(point, state.centres, state.conditionScales);
  }
  return result;
}
