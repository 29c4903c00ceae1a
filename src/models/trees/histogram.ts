/**
 * Gradient histograms of a tree node: for every feature and bin, the sums of the gradients and hessians of the
 * node's rows whose value falls in that bin. Split finding then needs one pass over the bins instead of the rows.
 * A child's histogram is its parent's minus its sibling's (the subtraction trick of LightGBM, Ke et al., NeurIPS
 * 2017), so only the smaller child of each split is built from rows.
 *
 * Layout: one `Float64Array` per node; feature f's bin b holds (Σ gradient, Σ hessian) at
 * `histogram[offsets[f] + 2b]` and `[offsets[f] + 2b + 1]`. Gradient pairs are interleaved the same way
 * (`gradients[2·row]`, `gradients[2·row + 1]`) so one row's pair is one memory read.
 */

import { type BinCuts, binCount } from './binning.js';

/** Where each feature's bins sit in a node histogram. */
export interface HistogramLayout {
  readonly cols: number;
  /** Bins per feature, missing bin included. */
  readonly binCounts: Int32Array;
  /** cols + 1 offsets (in doubles) of each feature's first bin. */
  readonly offsets: Int32Array;
  /** Doubles per histogram. */
  readonly size: number;
}

export function histogramLayout(cuts: BinCuts): HistogramLayout {
  const cols = cuts.cols;
  const binCounts = new Int32Array(cols);
  const offsets = new Int32Array(cols + 1);
  for (let f = 0; f < cols; f++) {
    binCounts[f] = binCount(cuts, f);
    offsets[f + 1] = offsets[f] + 2 * binCounts[f];
  }
  return { cols, binCounts, offsets, size: offsets[cols] };
}

/**
 * Adds the gradient pairs of rows `rowIndex[begin..end)` into `histogram` (which the caller zeroes), for all
 * features (`features` null) or only the listed ones. O((end − begin) · features).
 */
export function buildHistogram(
  bins: Uint8Array,
  cols: number,
  offsets: Int32Array,
  rowIndex: Int32Array,
  begin: number,
  end: number,
  gradients: Float64Array,
  histogram: Float64Array,
  features: Int32Array | null,
): void {
  if (features === null) {
    for (let i = begin; i < end; i++) {
      const row = rowIndex[i];
      const gradient = gradients[2 * row];
      const hessian = gradients[2 * row + 1];
      const base = row * cols;
      for (let f = 0; f < cols; f++) {
        const slot = offsets[f] + (bins[base + f] << 1);
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
      const slot = offsets[f] + (bins[base + f] << 1);
      histogram[slot] += gradient;
      histogram[slot + 1] += hessian;
    }
  }
}

/** `target = parent − child`, bin by bin. O(size). */
export function subtractHistogram(parent: Float64Array, child: Float64Array, target: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i] = parent[i] - child[i];
}

/** Sum of gradients and hessians of rows `rowIndex[begin..end)`: [G, H]. O(end − begin). */
export function sumGradients(
  gradients: Float64Array,
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
