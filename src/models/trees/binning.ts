/**
 * Quantile binning for histogram gradient boosting: each feature's values are cut once, before boosting, into at
 * most 255 value bins, and the data are stored as one byte per value (`Uint8Array`, row-major). Bin 0 of every
 * feature holds the missing values (NaN); value bins are 1..k. Trees then split on bin numbers, and the split
 * "bin ≤ s goes left" is exactly "x < cut[s − 1] goes left" on raw values — XGBoost's `split_condition` semantics —
 * so a tree trained on bins predicts raw rows without the binner.
 *
 * Cut points are placed as LightGBM's `GreedyFindBin` places them (Ke et al., "LightGBM", NeurIPS 2017): with at
 * most `maxBins` distinct values every distinct value gets its own bin, cut halfway between neighbours; otherwise
 * the sorted values are walked and a cut closes a bin once it holds its share of the remaining rows, so that
 * heavily repeated values never straddle a cut. Cuts come from a seeded sample of at most `sampleRows` rows.
 */

import { describeValue, ValidationError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { sortFloat64 } from '../../math/sort-float64.js';

/** The bin of missing values (NaN) in every feature. */
export const MISSING_BIN = 0;

/** The most value bins a feature may have (one byte per value, with bin 0 kept for missing values). */
export const MAX_VALUE_BINS = 255;

/** Where each feature's values are cut: feature f's ascending cuts are `cuts[offsets[f]] .. cuts[offsets[f+1] − 1]`. */
export interface BinCuts {
  readonly cols: number;
  readonly cuts: Float64Array;
  /** cols + 1 offsets into `cuts`. */
  readonly offsets: Int32Array;
}

/** A binned design matrix: `bins[row · cols + f]` is the bin of feature f in that row (0 = missing). */
export interface BinnedMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly bins: Uint8Array;
}

/** Number of bins of feature f including the missing bin: cuts + 2 (one more value bin than cuts, plus bin 0). */
export function binCount(cuts: BinCuts, feature: number): number {
  return cuts.offsets[feature + 1] - cuts.offsets[feature] + 2;
}

/** Options of `computeBinCuts`. */
export interface BinCutOptions {
  /** Value bins per feature, 2..255 (default 255). */
  maxBins?: number;
  /** Rows used to place the cuts; more rows are sampled down to this many with `rng` (default 200,000). */
  sampleRows?: number;
  /** Random source for the row sample (needed only when rows > sampleRows). */
  rng?: Rng;
}

/**
 * A cut between two neighbouring distinct values lower < upper: their midpoint, moved to the nearest float32 when
 * that still separates them, so the cut survives export to XGBoost's float32 `split_condition` unchanged.
 */
function cutBetween(lower: number, upper: number): number {
  const middle = lower + (upper - lower) / 2;
  const rounded = Math.fround(middle);
  return rounded > lower && rounded <= upper ? rounded : middle;
}

/**
 * Cuts for one feature from its sorted, finite sample values. O(n).
 * `sorted` holds n values ascending; at most maxBins − 1 cuts are appended to `out`. `distinct` and `counts` are
 * scratch buffers of at least n entries.
 */
function featureCuts(
  sorted: Float64Array,
  n: number,
  maxBins: number,
  distinct: Float64Array,
  counts: Int32Array,
  out: number[],
): void {
  if (n === 0) return;
  // Distinct values and their counts.
  let distinctCount = 0;
  for (let i = 0; i < n; i++) {
    const value = sorted[i];
    if (distinctCount > 0 && distinct[distinctCount - 1] === value) counts[distinctCount - 1]++;
    else {
      distinct[distinctCount] = value;
      counts[distinctCount] = 1;
      distinctCount++;
    }
  }
  if (distinctCount <= maxBins) {
    for (let k = 1; k < distinctCount; k++) out.push(cutBetween(distinct[k - 1], distinct[k]));
    return;
  }
  // Greedy: close a bin once it holds at least its share of the rows not yet binned.
  let remainingRows = n;
  let remainingBins = maxBins;
  let inBin = 0;
  let binsMade = 0;
  for (let k = 0; k < distinctCount - 1; k++) {
    inBin += counts[k];
    const share = remainingRows / remainingBins;
    // Close early when the next value alone would overfill the bin by more than it underfills it now.
    const closeHere =
      inBin >= share || (inBin + counts[k + 1] > share && inBin + counts[k + 1] - share > share - inBin);
    if (closeHere && binsMade < maxBins - 1) {
      out.push(cutBetween(distinct[k], distinct[k + 1]));
      binsMade++;
      remainingRows -= inBin;
      remainingBins--;
      inBin = 0;
    }
  }
}

/** Up to `count` distinct row numbers from 0..rows−1 chosen uniformly with `rng`, ascending. O(rows). */
function sampleRowsAscending(rows: number, count: number, rng: Rng): Int32Array {
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(rows - i);
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order.subarray(0, count).sort();
}

/**
 * Cut points of every column of a row-major `rows × cols` matrix (NaN = missing, ignored here).
 * O(cols · s log s) for s = min(rows, sampleRows) sampled rows.
 */
export function computeBinCuts(data: Float64Array, rows: number, cols: number, options: BinCutOptions = {}): BinCuts {
  const maxBins = options.maxBins ?? MAX_VALUE_BINS;
  if (!(Number.isInteger(maxBins) && maxBins >= 2 && maxBins <= MAX_VALUE_BINS)) {
    throw new ValidationError(`maxBins must be an integer from 2 to ${MAX_VALUE_BINS}, got ${describeValue(maxBins)}`);
  }
  const sampleLimit = options.sampleRows ?? 200_000;
  if (!(Number.isInteger(sampleLimit) && sampleLimit >= 1)) {
    throw new ValidationError(`sampleRows must be a positive integer, got ${describeValue(sampleLimit)}`);
  }
  if (data.length !== rows * cols) {
    throw new ValidationError(`data has ${data.length} values, expected ${rows * cols} for ${rows} × ${cols}`);
  }
  let sample: Int32Array | null = null;
  if (rows > sampleLimit) {
    if (!options.rng) throw new ValidationError('rng is required to sample rows for the bin cuts');
    sample = sampleRowsAscending(rows, sampleLimit, options.rng);
  }
  const sampleCount = sample ? sample.length : rows;
  // Gather the sample column by column in blocks of features: one pass over the rows per block reads each row's
  // values together, instead of one strided pass per feature. Blocks hold at most 2^22 values (32 MB).
  const blockFeatures = Math.max(1, Math.min(cols, Math.floor(2 ** 22 / Math.max(1, sampleCount))));
  const block = new Float64Array(blockFeatures * sampleCount);
  const filled = new Int32Array(blockFeatures);
  const distinct = new Float64Array(sampleCount);
  const counts = new Int32Array(sampleCount);
  const cuts: number[] = [];
  const offsets = new Int32Array(cols + 1);
  for (let first = 0; first < cols; first += blockFeatures) {
    const width = Math.min(blockFeatures, cols - first);
    filled.fill(0);
    for (let i = 0; i < sampleCount; i++) {
      const offset = (sample ? sample[i] : i) * cols + first;
      for (let j = 0; j < width; j++) {
        const value = data[offset + j];
        if (!Number.isNaN(value)) block[j * sampleCount + filled[j]++] = value;
      }
    }
    for (let j = 0; j < width; j++) {
      const n = filled[j];
      const sorted = block.subarray(j * sampleCount, j * sampleCount + n);
      sortFloat64(sorted, distinct);
      featureCuts(sorted, n, maxBins, distinct, counts, cuts);
      offsets[first + j + 1] = cuts.length;
    }
  }
  return { cols, cuts: Float64Array.from(cuts), offsets };
}

/** Cells of the per-feature lookup table of `binMatrix`, spread evenly from the first cut to the last. */
const LOOKUP_CELLS = 4096;
/** Features with more cuts than this in one cell use the binary search instead of the lookup table. */
const MOST_CUTS_PER_CELL = 8;

/**
 * Where `binMatrix` starts counting for a value of one feature: the value's cell is ⌊(x − first cut) · scale⌋ and
 * `start[cell]` the number of cuts in earlier cells, all of them below x (cells are monotone in x), so only the cuts
 * of x's own cell are left to compare. Null when the cuts crowd into too few cells for that to pay.
 */
interface CutLookup {
  readonly first: number;
  readonly scale: number;
  readonly start: Uint8Array;
}

function cellOf(x: number, first: number, scale: number): number {
  return Math.min(LOOKUP_CELLS - 1, ((x - first) * scale) | 0);
}

function cutLookup(cuts: Float64Array, begin: number, end: number): CutLookup | null {
  const count = end - begin;
  if (count < 2) return null;
  const first = cuts[begin];
  const scale = LOOKUP_CELLS / (cuts[end - 1] - first);
  if (!Number.isFinite(scale) || scale <= 0) return null;
  const perCell = new Int32Array(LOOKUP_CELLS);
  for (let j = begin; j < end; j++) {
    if (++perCell[cellOf(cuts[j], first, scale)] > MOST_CUTS_PER_CELL) return null;
  }
  const start = new Uint8Array(LOOKUP_CELLS);
  for (let cell = 1, below = 0; cell < LOOKUP_CELLS; cell++) {
    below += perCell[cell - 1];
    start[cell] = below;
  }
  return { first, scale, start };
}

/**
 * Bins every value: NaN → 0, otherwise 1 + (number of cuts ≤ x). A feature whose cuts spread over many cells of
 * an even grid finds the count from the value's cell and a few comparisons (`CutLookup`); otherwise its cuts are
 * padded to 256 slots with +Infinity and searched in eight fixed, unrolled, branch-free halvings.
 * O(rows · cols · log maxBins). `cols` of the data must equal the cuts' column count.
 */
export function binMatrix(data: Float64Array | Float32Array, rows: number, cols: number, cuts: BinCuts): BinnedMatrix {
  if (cols !== cuts.cols) throw new ValidationError(`data has ${cols} columns, the bin cuts ${cuts.cols}`);
  const padded = new Float64Array(cols << 8).fill(Number.POSITIVE_INFINITY);
  const cutCounts = new Int32Array(cols);
  // Per feature: its lookup (first and last cut, scale, cell starts at f · LOOKUP_CELLS), or scale 0 for none.
  const firsts = new Float64Array(cols);
  const lasts = new Float64Array(cols);
  const scales = new Float64Array(cols);
  const starts = new Uint8Array(cols * LOOKUP_CELLS);
  for (let f = 0; f < cols; f++) {
    cutCounts[f] = cuts.offsets[f + 1] - cuts.offsets[f];
    padded.set(cuts.cuts.subarray(cuts.offsets[f], cuts.offsets[f + 1]), f << 8);
    const lookup = cutLookup(cuts.cuts, cuts.offsets[f], cuts.offsets[f + 1]);
    if (!lookup) continue;
    firsts[f] = lookup.first;
    lasts[f] = padded[(f << 8) + cutCounts[f] - 1];
    scales[f] = lookup.scale;
    starts.set(lookup.start, f * LOOKUP_CELLS);
  }
  const bins = new Uint8Array(rows * cols);
  for (let row = 0; row < rows; row++) {
    const offset = row * cols;
    for (let f = 0; f < cols; f++) {
      const x = data[offset + f];
      const base = f << 8;
      const cutCount = cutCounts[f];
      const scale = scales[f];
      let count: number;
      if (scale > 0) {
        const first = firsts[f];
        if (x < first) count = 0;
        else if (x >= lasts[f]) count = cutCount;
        else {
          count = starts[f * LOOKUP_CELLS + cellOf(x, first, scale)];
          while (padded[base + count] <= x) count++;
        }
      } else {
        // Comparisons turned into 0/1 by a shift rather than tested by `if`: real data make those branches a coin
        // toss, and their mispredictions cost more than the search (3.5× slower on normal data).
        count = +(padded[base + 127] <= x) << 7;
        count += +(padded[base + count + 63] <= x) << 6;
        count += +(padded[base + count + 31] <= x) << 5;
        count += +(padded[base + count + 15] <= x) << 4;
        count += +(padded[base + count + 7] <= x) << 3;
        count += +(padded[base + count + 3] <= x) << 2;
        count += +(padded[base + count + 1] <= x) << 1;
        count += +(padded[base + count] <= x);
        // +Infinity passes the padding too: clamp to the real cuts.
        count = Math.min(count, cutCount);
      }
      // NaN fails every comparison above (the lookup puts it in the first cell): its bin is set apart.
      bins[offset + f] = Number.isNaN(x) ? MISSING_BIN : 1 + count;
    }
  }
  return { rows, cols, bins };
}

/** The raw-value threshold of the split "bin ≤ splitBin goes left" on feature f (splitBin ≥ 1). */
export function splitThreshold(cuts: BinCuts, feature: number, splitBin: number): number {
  return cuts.cuts[cuts.offsets[feature] + splitBin - 1];
}
