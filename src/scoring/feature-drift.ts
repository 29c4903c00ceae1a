import type { Frame } from '../io/frame.js';

/**
 * A feature's training distribution: `edges` are the interior cut points (ascending, distinct) of
 * `edges.length + 1` bins, `counts` the training rows in each bin (missing values left out).
 */
export interface FeatureHistogram {
  edges: number[];
  counts: number[];
}

/** Bins per feature: deciles of the training values. */
export const DRIFT_BINS = 10;

/** Share of an empty bin, so that the logarithm stays finite (the usual PSI convention). */
const EMPTY_SHARE = 1e-4;

/** The bin of `value`: the number of edges ≤ it (bin i holds edges[i−1] ≤ v < edges[i]). O(log bins). */
export function binOf(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((edges[middle] as number) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Decile histograms of the numeric columns of `frame` named in `columns` (text columns and columns without a
 * finite value are left out): the model card keeps them so that serving can measure drift. O(rows · log rows).
 */
export function trainingHistograms(
  frame: Frame,
  columns: readonly string[],
  bins = DRIFT_BINS,
): Record<string, FeatureHistogram> {
  const histograms: Record<string, FeatureHistogram> = {};
  for (const name of columns) {
    if (!frame.has(name)) continue;
    const column = frame.column(name);
    if (column.kind !== 'numeric') continue;
    const finite = Float64Array.from(column.values.filter(Number.isFinite)).sort();
    if (finite.length === 0) continue;
    const edges: number[] = [];
    for (let bin = 1; bin < bins; bin++) {
      const edge = finite[Math.min(finite.length - 1, Math.floor((bin * finite.length) / bins))] as number;
      if (edge > (edges[edges.length - 1] ?? Number.NEGATIVE_INFINITY) && edge > (finite[0] as number)) {
        edges.push(edge);
      }
    }
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const value of finite) {
      const bin = binOf(edges, value);
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
    histograms[name] = { edges, counts };
  }
  return histograms;
}

/**
 * Population stability index of `actual` against `expected` (counts over the same bins):
 * Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ) over the bins' shares, an empty bin counted as a share of 1e-4. 0 is no change;
 * by the usual reading < 0.1 stable, 0.1–0.25 a moderate shift, > 0.25 a major one. O(bins).
 * Reference: Yurdakul, "Statistical properties of population stability index" (2018).
 */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number {
  const expectedTotal = expected.reduce((sum, count) => sum + count, 0);
  const actualTotal = actual.reduce((sum, count) => sum + count, 0);
  if (expectedTotal === 0 || actualTotal === 0) return 0;
  let index = 0;
  for (let bin = 0; bin < expected.length; bin++) {
    const expectedShare = Math.max(EMPTY_SHARE, (expected[bin] ?? 0) / expectedTotal);
    const actualShare = Math.max(EMPTY_SHARE, (actual[bin] ?? 0) / actualTotal);
    index += (actualShare - expectedShare) * Math.log(actualShare / expectedShare);
  }
  return index;
}

/**
 * The bins of the last `capacity` values seen of one feature (a ring of bin indices plus their counts), so that
 * drift reflects recent traffic rather than everything since the start. O(1) per value.
 */
export class RecentBins {
  readonly counts: number[];
  private readonly ring: Uint16Array;
  private next = 0;
  private size = 0;

  constructor(
    readonly histogram: FeatureHistogram,
    capacity = 10_000,
  ) {
    this.counts = new Array<number>(histogram.counts.length).fill(0);
    this.ring = new Uint16Array(capacity);
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    const bin = binOf(this.histogram.edges, value);
    if (this.size === this.ring.length) {
      const evicted = this.ring[this.next] as number;
      this.counts[evicted] = (this.counts[evicted] as number) - 1;
    } else {
      this.size++;
    }
    this.ring[this.next] = bin;
    this.counts[bin] = (this.counts[bin] as number) + 1;
    this.next = (this.next + 1) % this.ring.length;
  }

  get count(): number {
    return this.size;
  }

  /** PSI of the recent values against the training histogram. */
  psi(): number {
    return populationStabilityIndex(this.histogram.counts, this.counts);
  }
}
