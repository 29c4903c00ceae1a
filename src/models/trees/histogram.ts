/**
 * Gradient histograms of a tree node: for every feature and bin, the sums of the gradients and hessians of the
 * node's rows whose value falls in that bin. Split finding then needs one pass over the bins instead of the rows.
 * A child's histogram is its parent's minus its sibling's (the subtraction trick of LightGBM, Ke et al., NeurIPS
 * 2017), so only the smaller child of each split is built from rows.
 *
 * Layout: one `Float64Array` per node; feature f's bin b holds (Σ gradient, Σ hessian) at
 * `histogram[(f << shift) + 2b]` and `[(f << shift) + 2b + 1]`. Gradient pairs are interleaved the same way
 * (`gradients[2·row]`, `gradients[2·row + 1]`) so one row's pair is one memory read.
 */

import { type BinCuts, binCount } from './binning.js';

/** Where each feature's bins sit in a node histogram. */
export interface HistogramLayout {
  readonly cols: number;
  /** Bins per feature, missing bin included. */
  readonly binCounts: Int32Array;
  /** cols + 1 offsets (in doubles) of each feature's first bin: `offsets[f] = f << shift`. */
  readonly offsets: Int32Array;
  /** Each feature takes 2^shift doubles (2 per bin, the bin count rounded up to a power of two). */
  readonly shift: number;
  /** Doubles per histogram. */
  readonly size: number;
}

/**
 * Every feature gets the same power-of-two stride, so a slot is `(f << shift) | (bin << 1)` — one shift and one
 * or, no table lookup, in the innermost loop. O(cols).
 */
export function histogramLayout(cuts: BinCuts): HistogramLayout {
  const cols = cuts.cols;
  const binCounts = new Int32Array(cols);
  let widest = 2;
  for (let f = 0; f < cols; f++) {
    binCounts[f] = binCount(cuts, f);
    widest = Math.max(widest, binCounts[f]);
  }
  const shift = 1 + Math.ceil(Math.log2(widest));
  const offsets = new Int32Array(cols + 1);
  for (let f = 0; f <= cols; f++) offsets[f] = f << shift;
  return { cols, binCounts, offsets, shift, size: cols << shift };
}

/**
 * Adds the gradient pairs of rows `rowIndex[begin..end)` into `histogram` (which the caller zeroes), for all
 * features (`features` null) or only the listed ones. O((end − begin) · features). The all-features loop is
 * unrolled by four: it is the hottest loop of training.
 */
export function buildHistogram(
  bins: Uint8Array,
  cols: number,
  shift: number,
  rowIndex: Int32Array,
  begin: number,
  end: number,
  gradients: Float32Array,
  histogram: Float64Array,
  features: Int32Array | null,
): void {
  if (features === null) {
    const unrolled = cols - (cols % 4);
    for (let i = begin; i < end; i++) {
      const row = rowIndex[i];
      const gradient = gradients[2 * row];
      const hessian = gradients[2 * row + 1];
      const base = row * cols;
      let f = 0;
      for (; f < unrolled; f += 4) {
        const slot0 = (f << shift) | (bins[base + f] << 1);
        const slot1 = ((f + 1) << shift) | (bins[base + f + 1] << 1);
        const slot2 = ((f + 2) << shift) | (bins[base + f + 2] << 1);
        const slot3 = ((f + 3) << shift) | (bins[base + f + 3] << 1);
        histogram[slot0] += gradient;
        histogram[slot0 + 1] += hessian;
        histogram[slot1] += gradient;
        histogram[slot1 + 1] += hessian;
        histogram[slot2] += gradient;
        histogram[slot2 + 1] += hessian;
        histogram[slot3] += gradient;
        histogram[slot3 + 1] += hessian;
      }
      for (; f < cols; f++) {
        const slot = (f << shift) | (bins[base + f] << 1);
        histogram[slot] += gradient;
        histogram[slot + 1] += hessian;
      }
    }
    return;
  }
  const featureCount = features.length;
  for (let i = begin; i < end; i++) {
    const row = rowIndex[i];
    const gradient = gradients[2 * row];
    const hessian = gradients[2 * row + 1];
    const base = row * cols;
    for (let k = 0; k < featureCount; k++) {
      const f = features[k];
      const slot = (f << shift) | (bins[base + f] << 1);
      histogram[slot] += gradient;
      histogram[slot + 1] += hessian;
    }
  }
}

/** `target = parent − child`, bin by bin. O(size). */
export function subtractHistogram(parent: Float64Array, child: Float64Array, target: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i] = parent[i] - child[i];
}

/** Σ gradient and Σ hessian over all bins of one feature: the totals of the histogram's rows. O(bins). */
export function histogramTotals(histogram: Float64Array, layout: HistogramLayout, feature: number): [number, number] {
  let gradient = 0;
  let hessian = 0;
  const offset = layout.offsets[feature];
  for (let bin = 0; bin < layout.binCounts[feature]; bin++) {
    gradient += histogram[offset + 2 * bin];
    hessian += histogram[offset + 2 * bin + 1];
  }
  return [gradient, hessian];
}

/** Sum of gradients and hessians of rows `rowIndex[begin..end)`: [G, H]. O(end − begin). */
export function sumGradients(
  gradients: Float32Array,
  rowIndex: Int32Array,
  begin: number,
  end: number,
): [number, number] {
  let gradient = 0;
  let hessian = 0;
  for (let i = begin; i < end; i++) {
    const row = rowIndex[i];
    gradient += gradients[2 * row];
    hessian += gradients[2 * row + 1];
  }
  return [gradient, hessian];
}
