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
 * Cost per `push`: one insertion and at most one deletion, O(log w + B) with blocks of B ≤ 256 values; `median()`:
 * O(w/B + log w). `madAbout()`: found without a second structure as the middle order
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

  /** Median absolute deviation from `median`, the window's median as computed by `median()` (unscaled; NaN when empty). */
  madAbout(median: number): number {
    if (this.tree.size === 0) return Number.NaN;
    return medianAbsoluteDeviation(this.tree, median, this.madHint);
  }

  /** The window, oldest first. */
  values(): number[] {
    return this.window.toArray();
  }
}

/** Octaves covered by the fine bins of `RollingRank`, 128 bins each: [2^LOW_EXPONENT, 2^HIGH_EXPONENT). */
const LOW_EXPONENT = -4;
const HIGH_EXPONENT = 20;
const BINS_PER_OCTAVE_BITS = 7;
const FINE_BINS = (HIGH_EXPONENT - LOW_EXPONENT) << BINS_PER_OCTAVE_BITS;
const LOWEST_FINE_VALUE = 2 ** LOW_EXPONENT;
const HIGHEST_FINE_VALUE = 2 ** HIGH_EXPONENT;
/** Bins 0–2 hold negatives, exact zeros and positives below the fine range; the last bin everything above it. */
const NEGATIVE_BIN = 0;
const ZERO_BIN = 1;
const TINY_BIN = 2;
const FIRST_FINE_BIN = 3;
const HUGE_BIN = FIRST_FINE_BIN + FINE_BINS;
const BIN_COUNT = HUGE_BIN + 1;
/** The upper 19 bits of 2^LOW_EXPONENT as a double (sign 0, biased exponent, 7 leading mantissa bits zero). */
const LOWEST_FINE_KEY = (1023 + LOW_EXPONENT) << BINS_PER_OCTAVE_BITS;
/** Largest power of two ≤ BIN_COUNT: where a Fenwick descent starts. */
const FENWICK_TOP = 2 ** Math.floor(Math.log2(BIN_COUNT));

const binScratch = new Float64Array(1);
const binScratchWords = new Uint32Array(binScratch.buffer);
/** Index of the word holding a double's sign and exponent (1 on little-endian machines). */
const HIGH_WORD = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0;

/**
 * The bin of a value: monotone in the value (a larger value never lands in a lower bin). Inside the fine range
 * a positive double's upper 19 bits (biased exponent and 7 leading mantissa bits) order it, 128 bins per octave.
 */
function binOf(value: number): number {
  if (value < LOWEST_FINE_VALUE) return value < 0 ? NEGATIVE_BIN : value === 0 ? ZERO_BIN : TINY_BIN;
  if (value >= HIGHEST_FINE_VALUE) return HUGE_BIN;
  binScratch[0] = value;
  return FIRST_FINE_BIN + (binScratchWords[HIGH_WORD] >>> (20 - BINS_PER_OCTAVE_BITS)) - LOWEST_FINE_KEY;
}

/**
 * Ranks among the last `windowSize` values — how many are at least v, the q-quantile — for a window that slides
 * one value at a time, without keeping it sorted.
 *
 * Values are filed in bins that preserve order: 128 per octave over [2⁻⁴, 2²⁰) (the binary exponent and seven
 * leading mantissa bits), plus one each for negatives, exact zeros, tinier and larger values. A Fenwick tree over the
 * bins counts the values below any bin in O(log bins); inside the one bin v falls in, the values are read from a
 * first-in-first-out list of window slots (the value leaving the window is always the oldest of its bin, so it is
 * the head of that list). Each bin also keeps bounds on its values (reset when it empties), so a bin whose values all
 * lie on one side of v — in particular a bin of identical values — is counted without reading it.
 *
 * Cost: `push` O(log bins) = O(1) in the window size (two Fenwick updates and two list links); `countAtLeast` O(log
 * bins + values in v's bin) — `countAtLeastBelow` skips reading the bin when the values in higher bins already reach
 * the limit; `quantile` O(log bins + c log c) for c values in the bin holding it. Memory O(w + bins). Reference:
 * Fenwick (1994), "A new data structure for cumulative frequency tables".
 */
export class RollingRank {
  readonly windowSize: number;
  private readonly slots: Float64Array;
  /** Next slot of the same bin in arrival order, −1 at a bin's tail. */
  private readonly nextInBin: Int32Array;
  private readonly heads = new Int32Array(BIN_COUNT).fill(-1);
  private readonly tails = new Int32Array(BIN_COUNT).fill(-1);
  private readonly binCounts = new Int32Array(BIN_COUNT);
  /** Bounds on the values a bin holds: the least and greatest it received since it was last empty. */
  private readonly binLow = new Float64Array(BIN_COUNT);
  private readonly binHigh = new Float64Array(BIN_COUNT);
  /** Fenwick tree (1-based) of `binCounts`. */
  private readonly fenwick = new Int32Array(BIN_COUNT + 1);
  private start = 0;
  private filled = 0;
  private scratch = new Float64Array(16);

  constructor(windowSize: number) {
    if (!Number.isInteger(windowSize) || windowSize < 1) {
      throw new RangeError(`RollingRank: windowSize must be a positive integer, got ${windowSize}`);
    }
    this.windowSize = windowSize;
    this.slots = new Float64Array(windowSize);
    this.nextInBin = new Int32Array(windowSize);
  }

  get count(): number {
    return this.filled;
  }

  /** Appends a value (NaN is not allowed: it has no rank); the oldest leaves the window once it is full. */
  push(value: number): void {
    if (Number.isNaN(value)) throw new RangeError('RollingRank.push: value must not be NaN');
    const bin = binOf(value);
    let slot: number;
    if (this.filled < this.windowSize) {
      slot = this.start + this.filled;
      if (slot >= this.windowSize) slot -= this.windowSize;
      this.filled++;
      this.addToFenwick(bin, 1);
    } else {
      slot = this.start;
      this.start = slot + 1 === this.windowSize ? 0 : slot + 1;
      const leavingBin = binOf(this.slots[slot]);
      this.heads[leavingBin] = this.nextInBin[slot];
      if (--this.binCounts[leavingBin] === 0) this.tails[leavingBin] = -1;
      this.moveInFenwick(leavingBin, bin);
    }
    if (this.binCounts[bin] === 0) {
      this.binLow[bin] = value;
      this.binHigh[bin] = value;
    } else if (value < this.binLow[bin]) this.binLow[bin] = value;
    else if (value > this.binHigh[bin]) this.binHigh[bin] = value;
    this.slots[slot] = value;
    this.nextInBin[slot] = -1;
    const tail = this.tails[bin];
    if (tail === -1) this.heads[bin] = slot;
    else this.nextInBin[tail] = slot;
    this.tails[bin] = slot;
    this.binCounts[bin]++;
  }

  /** How many values in the window are greater than or equal to `value`. */
  countAtLeast(value: number): number {
    const bin = binOf(value);
    return this.filled - this.countBelowBin(bin + 1) + this.countInBinAtLeast(bin, value);
  }

  /**
   * `countAtLeast(value)` when that is less than `limit`; otherwise some number ≥ `limit` (the values in higher
   * bins), found without reading `value`'s bin. For callers to whom every count from `limit` up means the same.
   */
  countAtLeastBelow(value: number, limit: number): number {
    const bin = binOf(value);
    const above = this.filled - this.countBelowBin(bin + 1);
    return above >= limit ? above : above + this.countInBinAtLeast(bin, value);
  }

  /** The q-quantile of the window with numpy's default linear interpolation (NaN when empty). */
  quantile(q: number): number {
    const n = this.filled;
    if (n === 0) return Number.NaN;
    const position = Math.min(Math.max(q, 0), 1) * (n - 1);
    const below = Math.floor(position);
    const lower = this.select(below);
    if (below === position) return lower;
    return lower + (position - below) * (this.select(below + 1) - lower);
  }

  /** The k-th smallest value of the window, 0-based. */
  select(rank: number): number {
    if (!(rank >= 0 && rank < this.filled) || !Number.isInteger(rank)) {
      throw new RangeError(`RollingRank.select: rank must be an integer in [0, ${this.filled}), got ${rank}`);
    }
    // Fenwick descent: the last bin whose preceding bins hold at most `rank` values.
    let position = 0;
    let remaining = rank;
    for (let step = FENWICK_TOP; step > 0; step >>>= 1) {
      const next = position + step;
      if (next <= BIN_COUNT && this.fenwick[next] <= remaining) {
        position = next;
        remaining -= this.fenwick[next];
      }
    }
    const bin = position;
    if (this.binLow[bin] === this.binHigh[bin]) return this.binLow[bin];
    const size = this.binCounts[bin];
    if (this.scratch.length < size) this.scratch = new Float64Array(2 * size);
    const values = this.scratch.subarray(0, size);
    for (let slot = this.heads[bin], i = 0; slot !== -1; slot = this.nextInBin[slot]) values[i++] = this.slots[slot];
    values.sort();
    return values[remaining];
  }

  /** The window, oldest first. */
  values(): number[] {
    const values = new Array<number>(this.filled);
    for (let i = 0; i < this.filled; i++) {
      const slot = this.start + i;
      values[i] = this.slots[slot >= this.windowSize ? slot - this.windowSize : slot];
    }
    return values;
  }

  private addToFenwick(bin: number, delta: number): void {
    for (let i = bin + 1; i <= BIN_COUNT; i += i & -i) this.fenwick[i] += delta;
  }

  /**
   * One value moves from bin `from` to bin `to`: −1 and +1 along the two update paths, up to where they meet (past
   * that point the two changes cancel). Neighbouring bins meet within a few levels.
   */
  private moveInFenwick(from: number, to: number): void {
    let leaving = from + 1;
    let entering = to + 1;
    // Both paths rise through increasing indices: advancing the lower one finds where they meet, if they do.
    while (leaving !== entering) {
      if (leaving < entering) {
        if (leaving > BIN_COUNT) break;
        this.fenwick[leaving]--;
        leaving += leaving & -leaving;
      } else {
        if (entering > BIN_COUNT) break;
        this.fenwick[entering]++;
        entering += entering & -entering;
      }
    }
  }

  /** Values in bins before `bin`. */
  private countBelowBin(bin: number): number {
    let sum = 0;
    for (let i = bin; i > 0; i -= i & -i) sum += this.fenwick[i];
    return sum;
  }

  /** Values of `bin` that are ≥ value, reading the bin only when its bounds straddle the value. */
  private countInBinAtLeast(bin: number, value: number): number {
    const size = this.binCounts[bin];
    if (size === 0 || value <= this.binLow[bin]) return size;
    if (value > this.binHigh[bin]) return 0;
    let count = 0;
    for (let slot = this.heads[bin]; slot !== -1; slot = this.nextInBin[slot]) {
      if (this.slots[slot] >= value) count++;
    }
    return count;
  }
}
