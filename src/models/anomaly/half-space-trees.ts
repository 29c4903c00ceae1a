import { ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { checkRange, expectState, MultivariateDetector, resolveOptions, type VectorPoint } from './base.js';

export interface HalfSpaceTreesOptions {
  /** Trees in the ensemble. */
  trees: number;
  /** Depth of every tree (each has 2^(height+1) − 1 nodes). */
  height: number;
  /** Points per window: the reference masses are those of the last complete window. */
  windowSize: number;
  /** A node whose reference mass is below this stops the descent when scoring (Tan et al.'s sizeLimit). */
  sizeLimit: number;
  /** Seed of the random split dimensions and work ranges. */
  seed: number;
}

interface HalfSpaceTreesState {
  count: number;
  /** Metric names in model order; fixed by the first point learned. */
  metrics: string[] | null;
  /** The first window's points (in model order), kept until the trees are built; emptied afterwards. */
  buffer: number[][];
  /** Per metric, the range of the first window that maps onto [0, 1]. */
  low: number[];
  span: number[];
  /** Per tree and internal node (heap order): split metric and split value on the [0, 1] scale. */
  splitMetric: number[];
  splitValue: number[];
  /** Per tree and node: mass in the reference window and in the window being filled. */
  reference: number[];
  latest: number[];
}

const DEFAULTS: HalfSpaceTreesOptions = { trees: 10, height: 8, windowSize: 250, sizeLimit: 25, seed: 42 };

/**
 * Online isolation forest for the metrics of one asset: streaming half-space trees (Tan, Ting & Liu 2011, "Fast
 * anomaly detection for streaming data", IJCAI), River's `anomaly.HalfSpaceTrees`.
 *
 * Each tree halves a random work range along a random metric at every level, down to `height`. Every point adds one
 * to the mass of the nodes on its path in the window being filled; each `windowSize` points that window becomes the
 * reference. A point's mass is Σ over trees and over the nodes of its path of reference(node)·2^depth, down to the
 * first node whose reference mass is below `sizeLimit` (as River sums it): large where the data are dense, small
 * where a point parts from them early. The score is log₂(maxMass / mass) ≥ 0 with maxMass = trees · windowSize ·
 * (2^(height+1) − 1): one more for each halving of the mass. Metrics are scaled by the range of the first window (points
 * outside it fall in the outer halves). Scores are 0 until the first window is complete.
 *
 * Cost per step O(trees · height), independent of the window; memory O(trees · 2^height). The metric set is fixed by
 * the first point (missing metrics take the middle of their range; extra ones are ignored).
 */
export class HalfSpaceTrees extends MultivariateDetector<HalfSpaceTreesOptions, HalfSpaceTreesState> {
  static override readonly className = 'HalfSpaceTrees';
  private state: HalfSpaceTreesState = {
    count: 0,
    metrics: null,
    buffer: [],
    low: [],
    span: [],
    splitMetric: [],
    splitValue: [],
    reference: [],
    latest: [],
  };
  private scaled: Float64Array = new Float64Array(0);

  constructor(options: Partial<HalfSpaceTreesOptions> = {}) {
    const resolved = resolveOptions(HalfSpaceTrees.className, DEFAULTS, options);
    const name = HalfSpaceTrees.className;
    checkRange(name, 'trees', resolved.trees, 1, 1000, true);
    checkRange(name, 'height', resolved.height, 1, 16, true);
    checkRange(name, 'windowSize', resolved.windowSize, 2, 10_000_000, true);
    checkRange(name, 'sizeLimit', resolved.sizeLimit, 0, resolved.windowSize);
    checkRange(name, 'seed', resolved.seed, 0, 2 ** 32 - 1, true);
    super(resolved);
  }

  private get nodesPerTree(): number {
    return 2 ** (this.options.height + 1) - 1;
  }

  /** The point's metrics in model order, on the [0, 1] scale of the first window. */
  private scale(x: VectorPoint): Float64Array {
    const { metrics, low, span } = this.state;
    const names = metrics ?? [];
    if (this.scaled.length !== names.length) this.scaled = new Float64Array(names.length);
    const scaled = this.scaled;
    for (let m = 0; m < names.length; m++) {
      const value = x.metrics[names[m]];
      scaled[m] = value === undefined ? 0.5 : (value - low[m]) / span[m];
    }
    return scaled;
  }

  /** Draws every tree's split metrics and values (River's random work ranges around a random point). */
  private buildTrees(): void {
    const s = this.state;
    const metricCount = (s.metrics ?? []).length;
    const { trees, height } = this.options;
    const internal = 2 ** height - 1;
    const rng = new Rng(this.options.seed);
    s.splitMetric = new Array(trees * internal).fill(0);
    s.splitValue = new Array(trees * internal).fill(0);
    for (let t = 0; t < trees; t++) {
      const lower: number[] = [];
      const upper: number[] = [];
      for (let m = 0; m < metricCount; m++) {
        const centre = rng.next();
        const half = 2 * Math.max(centre, 1 - centre);
        lower.push(centre - half);
        upper.push(centre + half);
      }
      // Depth-first over the heap-ordered nodes, halving the chosen metric's range on the way down.
      const grow = (node: number, lo: number[], hi: number[]): void => {
        if (node >= internal) return;
        const metric = rng.int(metricCount);
        const split = (lo[metric] + hi[metric]) / 2;
        s.splitMetric[t * internal + node] = metric;
        s.splitValue[t * internal + node] = split;
        const leftHi = [...hi];
        leftHi[metric] = split;
        const rightLo = [...lo];
        rightLo[metric] = split;
        grow(2 * node + 1, lo, leftHi);
        grow(2 * node + 2, rightLo, hi);
      };
      grow(0, lower, upper);
    }
    s.reference = new Array(trees * this.nodesPerTree).fill(0);
    s.latest = new Array(trees * this.nodesPerTree).fill(0);
  }

  /** Adds one scaled point to the latest masses; completes the window every `windowSize` points. */
  private absorb(scaled: Float64Array): void {
    const s = this.state;
    const { trees, height, windowSize } = this.options;
    const internal = 2 ** height - 1;
    const nodes = this.nodesPerTree;
    for (let t = 0; t < trees; t++) {
      let node = 0;
      for (;;) {
        s.latest[t * nodes + node]++;
        if (node >= internal) break;
        const at = t * internal + node;
        node = scaled[s.splitMetric[at]] < s.splitValue[at] ? 2 * node + 1 : 2 * node + 2;
      }
    }
    s.count++;
    if (s.count % windowSize === 0) {
      s.reference = s.latest;
      s.latest = new Array(s.reference.length).fill(0);
    }
  }

  protected learn(x: VectorPoint): void {
    const s = this.state;
    if (s.metrics === null) s.metrics = Object.keys(x.metrics).sort();
    if (s.splitMetric.length > 0) {
      this.absorb(this.scale(x));
      return;
    }
    s.buffer.push(s.metrics.map((metric) => x.metrics[metric] ?? Number.NaN));
    if (s.buffer.length < this.options.windowSize) return;
    // The first window fixes the scale, then builds the trees and becomes the first reference.
    s.low = s.metrics.map((_, m) => Math.min(...s.buffer.map((row) => row[m]).filter((v) => !Number.isNaN(v))));
    s.span = s.metrics.map((_, m) => {
      const high = Math.max(...s.buffer.map((row) => row[m]).filter((v) => !Number.isNaN(v)));
      return high > s.low[m] ? high - s.low[m] : 1;
    });
    this.buildTrees();
    const buffered = s.buffer;
    s.buffer = [];
    for (const row of buffered) {
      this.absorb(Float64Array.from(row, (value, m) => (Number.isNaN(value) ? 0.5 : (value - s.low[m]) / s.span[m])));
    }
  }

  protected score(x: VectorPoint): number {
    const s = this.state;
    if (s.splitMetric.length === 0 || s.count < this.options.windowSize) return 0;
    const scaled = this.scale(x);
    const { trees, height, windowSize, sizeLimit } = this.options;
    const internal = 2 ** height - 1;
    const nodes = this.nodesPerTree;
    let mass = 0;
    for (let t = 0; t < trees; t++) {
      // Down the point's path, adding reference(node)·2^depth, up to the first node the last window rarely visited.
      let node = 0;
      for (let depth = 0; ; depth++) {
        const reference = s.reference[t * nodes + node];
        mass += reference * 2 ** depth;
        if (reference < sizeLimit || node >= internal) break;
        const at = t * internal + node;
        node = scaled[s.splitMetric[at]] < s.splitValue[at] ? 2 * node + 1 : 2 * node + 2;
      }
    }
    const maxMass = trees * windowSize * (2 ** (height + 1) - 1);
    return Math.log2(maxMass / Math.max(mass, 1));
  }

  protected getState(): HalfSpaceTreesState {
    return structuredClone(this.state);
  }

  protected setState(state: unknown): void {
    const keys = ['count', 'metrics', 'buffer', 'low', 'span', 'splitMetric', 'splitValue', 'reference', 'latest'];
    const record = expectState(state, HalfSpaceTrees.className, keys) as unknown as HalfSpaceTreesState;
    const expected = record.splitMetric.length === 0 ? 0 : this.options.trees * this.nodesPerTree;
    if (record.reference.length !== expected || record.latest.length !== expected) {
      throw new ValidationError(
        `${HalfSpaceTrees.className} state: expected ${expected} node masses, got ${record.reference.length}`,
      );
    }
    this.state = structuredClone(record);
  }
}
