/**
 * A sorted multiset of numbers kept as a list of short sorted blocks (a "square-root decomposition" or unrolled
 * sorted list, as in Python's sortedcontainers): for the window sizes rolling statistics use (10²–10⁴ values) it
 * answers "k-th smallest" and "how many below v" faster than an order-statistic tree (an AVL tree with subtree
 * counts, which it replaced), because a step touches two or three contiguous Float64Arrays instead of a dozen
 * scattered tree nodes.
 *
 * Cost with m = n/B blocks of B = 32…256 values: `insert`, `remove`, `countLess`, `countLessOrEqual` are
 * O(log m + B) (a binary search over the blocks' last values, one in the block, one short shift) plus O(m) to add up
 * the counts before the block; `select` is O(m). Memory O(n).
 */
export class SortedBlocks {
  private blocks: Float64Array[] = [];
  private lengths: number[] = [];
  private total = 0;

  /** Number of values held, duplicates included. */
  get size(): number {
    return this.total;
  }

  /** Removes every value. */
  clear(): void {
    this.blocks = [];
    this.lengths = [];
    this.total = 0;
  }

  /** Index of the first block whose last value is ≥ value (or > value when `strict`); the block count when none. */
  private blockFor(value: number, strict: boolean): number {
    let low = 0;
    let high = this.blocks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const last = this.blocks[mid][this.lengths[mid] - 1];
      if (strict ? last > value : last >= value) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  /** Adds one occurrence of `value` (NaN is not allowed: it has no place in an order). */
  insert(value: number): void {
    if (Number.isNaN(value)) throw new RangeError('SortedBlocks.insert: value must not be NaN');
    this.total++;
    if (this.blocks.length === 0) {
      const block = new Float64Array(BLOCK_CAPACITY);
      block[0] = value;
      this.blocks.push(block);
      this.lengths.push(1);
      return;
    }
    let b = this.blockFor(value, true);
    if (b === this.blocks.length) b--;
    const block = this.blocks[b];
    const length = this.lengths[b];
    const at = upperBound(block, length, value);
    block.copyWithin(at + 1, at, length);
    block[at] = value;
    this.lengths[b] = length + 1;
    if (length + 1 === BLOCK_CAPACITY) this.split(b);
  }

  /** Removes one occurrence of `value`; returns false when the value is not held. */
  remove(value: number): boolean {
    const b = this.blockFor(value, false);
    if (b === this.blocks.length) return false;
    const block = this.blocks[b];
    const length = this.lengths[b];
    const at = lowerBound(block, length, value);
    if (block[at] !== value) return false;
    block.copyWithin(at, at + 1, length);
    this.lengths[b] = length - 1;
    this.total--;
    if (length - 1 < MIN_BLOCK) this.mergeAround(b);
    return true;
  }

  /** The k-th smallest value, 0-based (`select(0)` is the minimum). */
  select(rank: number): number {
    if (!(rank >= 0 && rank < this.total) || !Number.isInteger(rank)) {
      throw new RangeError(`SortedBlocks.select: rank must be an integer in [0, ${this.total}), got ${rank}`);
    }
    let remaining = rank;
    let b = 0;
    while (remaining >= this.lengths[b]) remaining -= this.lengths[b++];
    return this.blocks[b][remaining];
  }

  /** How many held values are strictly less than `value`. */
  countLess(value: number): number {
    const b = this.blockFor(value, false);
    if (b === this.blocks.length) return this.total;
    let count = 0;
    for (let i = 0; i < b; i++) count += this.lengths[i];
    return count + lowerBound(this.blocks[b], this.lengths[b], value);
  }

  /** How many held values are less than or equal to `value`. */
  countLessOrEqual(value: number): number {
    const b = this.blockFor(value, true);
    if (b === this.blocks.length) return this.total;
    let count = 0;
    for (let i = 0; i < b; i++) count += this.lengths[i];
    return count + upperBound(this.blocks[b], this.lengths[b], value);
  }

  /** Splits a full block into two halves. */
  private split(b: number): void {
    const block = this.blocks[b];
    const half = BLOCK_CAPACITY >>> 1;
    const upper = new Float64Array(BLOCK_CAPACITY);
    upper.set(block.subarray(half, BLOCK_CAPACITY));
    this.lengths[b] = half;
    this.blocks.splice(b + 1, 0, upper);
    this.lengths.splice(b + 1, 0, BLOCK_CAPACITY - half);
  }

  /** Joins a small block with a neighbour (re-splitting when the two overflow one block); drops an empty one. */
  private mergeAround(b: number): void {
    if (this.blocks.length === 1) {
      if (this.lengths[0] === 0) this.clear();
      return;
    }
    const first = b + 1 < this.blocks.length ? b : b - 1;
    const a = this.blocks[first];
    const aLength = this.lengths[first];
    const next = this.blocks[first + 1];
    const nextLength = this.lengths[first + 1];
    if (aLength + nextLength < BLOCK_CAPACITY) {
      a.set(next.subarray(0, nextLength), aLength);
      this.lengths[first] = aLength + nextLength;
      this.blocks.splice(first + 1, 1);
      this.lengths.splice(first + 1, 1);
      return;
    }
    // Too many for one block: share them evenly between the two.
    const combined = new Float64Array(aLength + nextLength);
    combined.set(a.subarray(0, aLength));
    combined.set(next.subarray(0, nextLength), aLength);
    const half = combined.length >>> 1;
    a.set(combined.subarray(0, half));
    next.set(combined.subarray(half));
    this.lengths[first] = half;
    this.lengths[first + 1] = combined.length - half;
  }
}

/** Values per block at which it splits in two; blocks under MIN_BLOCK values join a neighbour. */
const BLOCK_CAPACITY = 256;
const MIN_BLOCK = 32;

/** First index in block[0, length) whose value is ≥ value. */
function lowerBound(block: Float64Array, length: number, value: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (block[mid] < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First index in block[0, length) whose value is > value. */
function upperBound(block: Float64Array, length: number, value: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (block[mid] <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
