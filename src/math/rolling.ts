import { type DeviationSearchHint, medianAbsoluteDeviation } from './order-statistics.js';
import { SortedBlocks } from './sorted-blocks.js';

/**
 * A fixed-capacity first-in-first-out window over a Float64Array. `push` returns the value that fell out (or
 * undefined while the window fills). O(1) per step, O(capacity) memory.
 */
export class RingBuffer {
  readonly capacity: number;
  private readonly slots: Float64Array;
  private start = 0;
  private filled = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RingBuffer: capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.slots = new Float64Array(capacity);
  }

  get length(): number {
    return this.filled;
  }

  /** Appends `value`; when full, drops and returns the oldest value. */
  push(value: number): number | undefined {
    if (this.filled < this.capacity) {
      this.slots[(this.start + this.filled) % this.capacity] = value;
      this.filled++;
      return undefined;
    }
    const evicted = this.slots[this.start];
    this.slots[this.start] = value;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** The i-th value, 0 being the oldest. */
  get(index: number): number {
    return this.slots[(this.start + index) % this.capacity];
  }

  /** The values oldest first, as a plain array (for serialisation). */
  toArray(): number[] {
    const values = new Array<number>(this.filled);
    for (let i = 0; i < this.filled; i++) values[i] = this.slots[(this.start + i) % this.capacity];
    return values;
  }
}

/**
 * Count, mean and variance of a multiset under `add`/`remove` (Welford 1962, with the removal update of
 * Chan, Golub & LeVeque 1983). O(1) per step. Used over a sliding window by removing what falls out.
 */
export class RollingMoments {
  private n = 0;
  private runningMean = 0;
  private sumSquaredDeviations = 0;

  get count(): number {
    return this.n;
  }

  add(value: number): void {
    this.n++;
    const delta = value - this.runningMean;
    this.runningMean += delta / this.n;
    this.sumSquaredDeviations += delta * (value - this.runningMean);
  }

  remove(value: number): void {
    if (this.n <= 1) {
      this.n = 0;
      this.runningMean = 0;
      this.sumSquaredDeviations = 0;
      return;
    }
    const delta = value - this.runningMean;
    this.n--;
    this.runningMean -= delta / this.n;
    this.sumSquaredDeviations -= delta * (value - this.runningMean);
    if (this.sumSquaredDeviations < 0) this.sumSquaredDeviations = 0;
  }

  /** Mean of the values held (0 when empty). */
  mean(): number {
    return this.runningMean;
  }

  /** Variance with `ddof` delta degrees of freedom (numpy's convention: 0 = population); 0 when undefined. */
  variance(ddof = 0): number {
    return this.n > ddof ? this.sumSquaredDeviations / (this.n - ddof) : 0;
  }

  /** The exact internal sums, so a restored copy continues bit for bit. */
  toState(): RollingMomentsState {
    return { count: this.n, mean: this.runningMean, sumSquaredDeviations: this.sumSquaredDeviations };
  }

  static fromState(state: RollingMomentsState): RollingMoments {
    const moments = new RollingMoments();
    moments.n = state.count;
    moments.runningMean = state.mean;
    moments.sumSquaredDeviations = state.sumSquaredDeviations;
    return moments;
  }
}

export interface RollingMomentsState {
  count: number;
  mean: number;
  sumSquaredDeviations: number;
}

/**
 * Median and median absolute deviation (MAD) of the last `windowSize` values, kept sorted in short blocks
 * (`SortedBlocks`) so a step never re-sorts the window.
 *
 * Cost per `push`: one insertion and at most one deletion, O(log w + B) with blocks of B ≤ 256 values; `median()`,
 * `quantile()`, `countAtLeast()`: O(w/B + log w). `mad()`: found without a second structure as the middle order
 * statistic of the two sorted deviation sequences either side of the median (see `medianAbsoluteDeviation`), the
 * search starting where the previous step's ended: O(log δ · w/B) for a split that moved by δ (at most O(log² w)-like
 * bisection when it jumps). Memory O(w). Definitions follow numpy: for an even count the median (and the
 * MAD) is the mean of the two middle values. Reference: Iglewicz & Hoaglin (1993), "How to Detect and Handle
 * Outliers", for the MAD-based modified z-score this supports.
 */
export class RollingMedianMad {
  readonly windowSize: number;
  private readonly window: RingBuffer;
  private readonly tree: SortedBlocks;
  /** Where the last MAD search ended: the next one, a step later, starts there. */
  private readonly madHint: DeviationSearchHint = { split: 0 };

  constructor(windowSize: number) {
    this.windowSize = windowSize;
    this.window = new RingBuffer(windowSize);
    this.tree = new SortedBlocks();
  }

  get count(): number {
    return this.window.length;
  }

  /** Appends a value; the oldest leaves the window once it is full. */
  push(value: number): void {
    const evicted = this.window.push(value);
    if (evicted === value) return;
    if (evicted !== undefined) this.tree.remove(evicted);
    this.tree.insert(value);
  }

  /** Median of the window (NaN when empty). */
  median(): number {
    const n = this.tree.size;
    if (n === 0) return Number.NaN;
    const lower = this.tree.select((n - 1) >>> 1);
    return n % 2 === 1 ? lower : (lower + this.tree.select(n >>> 1)) / 2;
  }

  /** Median absolute deviation from the median (unscaled; NaN when empty). */
  mad(): number {
    if (this.tree.size === 0) return Number.NaN;
    return medianAbsoluteDeviation(this.tree, this.median(), this.madHint);
  }

  /** `mad()` given the window's median as computed by `median()` (saves recomputing it). */
  madAbout(median: number): number {
    if (this.tree.size === 0) return Number.NaN;
    return medianAbsoluteDeviation(this.tree, median, this.madHint);
  }

  /** Fraction of the window strictly below `value` plus half the fraction equal to it (a mid-rank in [0, 1]). */
  midRank(value: number): number {
    const n = this.tree.size;
    if (n === 0) return 0.5;
    return (this.tree.countLess(value) + this.tree.countLessOrEqual(value)) / (2 * n);
  }

  /** How many values in the window are greater than or equal to `value`. O(log w + w/B). */
  countAtLeast(value: number): number {
    return this.tree.size - this.tree.countLess(value);
  }

  /** The q-quantile of the window with numpy's default linear interpolation (NaN when empty). O(w/B). */
  quantile(q: number): number {
    const n = this.tree.size;
    if (n === 0) return Number.NaN;
    const position = Math.min(Math.max(q, 0), 1) * (n - 1);
    const below = Math.floor(position);
    const lower = this.tree.select(below);
    if (below === position) return lower;
    return lower + (position - below) * (this.tree.select(below + 1) - lower);
  }

  /** The window, oldest first. */
  values(): number[] {
    return this.window.toArray();
  }
}
