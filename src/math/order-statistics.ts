/**
 * An order-statistic tree over numbers: a multiset that keeps its values sorted and answers "k-th smallest" and
 * "how many are below v" in O(log n), with insertions and deletions in O(log n) and never a re-sort.
 *
 * It is an AVL tree (Adelson-Velsky & Landis 1962) whose nodes carry a multiplicity (so duplicates cost no extra node)
 * and the total multiplicity of their subtree (Cormen et al., "Introduction to Algorithms", §14.1 "Dynamic order
 * statistics"). Nodes live in typed arrays indexed by integer ids; id 0 is the empty sentinel, freed ids are reused.
 *
 * Cost: `insert`, `remove`, `select`, `countLess`, `countLessOrEqual` are O(log d) where d ≤ n is the number of
 * distinct values; memory O(d).
 */
export class OrderStatisticTree {
  private keys: Float64Array;
  private left: Int32Array;
  private right: Int32Array;
  private heights: Int32Array;
  private multiplicity: Int32Array;
  private subtreeCount: Int32Array;
  private root = 0;
  private nextFreshId = 1;
  private freeListHead = 0;
  /** Node ids on the last root-to-node descent; an AVL tree of 2³¹ nodes is at most 45 levels deep. */
  private readonly path = new Int32Array(64);

  constructor(initialCapacity = 16) {
    const capacity = Math.max(2, Math.floor(initialCapacity) + 1);
    this.keys = new Float64Array(capacity);
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.heights = new Int32Array(capacity);
    this.multiplicity = new Int32Array(capacity);
    this.subtreeCount = new Int32Array(capacity);
  }

  /** Number of values held, duplicates included. */
  get size(): number {
    return this.subtreeCount[this.root];
  }

  /** Removes every value. O(1). */
  clear(): void {
    this.root = 0;
    this.nextFreshId = 1;
    this.freeListHead = 0;
  }

  /**
   * Adds one occurrence of `value` (NaN is not allowed: it has no place in an order). O(log d), one descent: a held
   * value gains multiplicity; a new one becomes a leaf and heights are repaired upwards only while they change.
   */
  insert(value: number): void {
    if (Number.isNaN(value)) throw new RangeError('OrderStatisticTree.insert: value must not be NaN');
    const path = this.path;
    let node = this.root;
    let depth = 0;
    while (node !== 0) {
      path[depth++] = node;
      const key = this.keys[node];
      if (value === key) {
        this.multiplicity[node]++;
        for (let i = 0; i < depth; i++) this.subtreeCount[path[i]]++;
        return;
      }
      node = value < key ? this.left[node] : this.right[node];
    }
    const leaf = this.allocate(value);
    if (depth === 0) {
      this.root = leaf;
      return;
    }
    const parent = path[depth - 1];
    if (value < this.keys[parent]) this.left[parent] = leaf;
    else this.right[parent] = leaf;
    this.repairUpwards(depth, 1, depth - 1);
  }

  /** Removes one occurrence of `value`; returns false when the value is not held. O(log d), one descent. */
  remove(value: number): boolean {
    const path = this.path;
    let node = this.root;
    let depth = 0;
    while (node !== 0) {
      const key = this.keys[node];
      if (value === key) break;
      path[depth++] = node;
      node = value < key ? this.left[node] : this.right[node];
    }
    if (node === 0) return false;
    if (this.multiplicity[node] > 1) {
      this.multiplicity[node]--;
      this.subtreeCount[node]--;
      for (let i = 0; i < depth; i++) this.subtreeCount[path[i]]--;
      return true;
    }
    const leftChild = this.left[node];
    const rightChild = this.right[node];
    if (leftChild === 0 || rightChild === 0) {
      // At most one child: it takes the node's place.
      this.replaceChild(depth, node, leftChild === 0 ? rightChild : leftChild);
      this.release(node);
      this.repairUpwards(depth, -1, depth - 1);
      return true;
    }
    // Two children: move the in-order successor's key and multiplicity here, then unlink the successor.
    const nodeDepth = depth;
    path[depth++] = node;
    let successor = rightChild;
    while (this.left[successor] !== 0) {
      path[depth++] = successor;
      successor = this.left[successor];
    }
    this.keys[node] = this.keys[successor];
    this.multiplicity[node] = this.multiplicity[successor];
    this.replaceChild(depth, successor, this.right[successor]);
    this.release(successor);
    this.repairUpwards(depth, -1, nodeDepth);
    return true;
  }

  /** Points the parent of `child` (path[depth − 1], or the root) at `replacement`. */
  private replaceChild(depth: number, child: number, replacement: number): void {
    if (depth === 0) {
      this.root = replacement;
      return;
    }
    const parent = this.path[depth - 1];
    if (this.left[parent] === child) this.left[parent] = replacement;
    else this.right[parent] = replacement;
  }

  /**
   * Rebalances path[depth − 1] … path[0] after a change below them. Each node is fully updated (and rotated if
   * needed) until, at or above path[lastFull], one keeps its height: above it the shape is unchanged and only the
   * counts move, by `delta`. (A removal through the successor fully updates down to the removed node, since counts
   * on the successor's path change by the successor's multiplicity, not by one.)
   */
  private repairUpwards(depth: number, delta: number, lastFull: number): void {
    const path = this.path;
    let i = depth - 1;
    for (; i >= 0; i--) {
      const node = path[i];
      const heightBefore = this.heights[node];
      const replacement = this.rebalance(node);
      if (replacement !== node) this.replaceChild(i, node, replacement);
      else if (i <= lastFull && this.heights[node] === heightBefore) break;
    }
    for (i--; i >= 0; i--) this.subtreeCount[path[i]] += delta;
  }

  /** The k-th smallest value, 0-based (`select(0)` is the minimum). O(log d). */
  select(rank: number): number {
    if (!(rank >= 0 && rank < this.size) || !Number.isInteger(rank)) {
      throw new RangeError(`OrderStatisticTree.select: rank must be an integer in [0, ${this.size}), got ${rank}`);
    }
    let node = this.root;
    let remaining = rank;
    for (;;) {
      const leftCount = this.subtreeCount[this.left[node]];
      if (remaining < leftCount) {
        node = this.left[node];
        continue;
      }
      remaining -= leftCount;
      if (remaining < this.multiplicity[node]) return this.keys[node];
      remaining -= this.multiplicity[node];
      node = this.right[node];
    }
  }

  /** How many held values are strictly less than `value`. O(log d). */
  countLess(value: number): number {
    let node = this.root;
    let count = 0;
    while (node !== 0) {
      if (value <= this.keys[node]) {
        node = this.left[node];
      } else {
        count += this.subtreeCount[this.left[node]] + this.multiplicity[node];
        node = this.right[node];
      }
    }
    return count;
  }

  /** How many held values are less than or equal to `value`. O(log d). */
  countLessOrEqual(value: number): number {
    let node = this.root;
    let count = 0;
    while (node !== 0) {
      if (value < this.keys[node]) {
        node = this.left[node];
      } else {
        count += this.subtreeCount[this.left[node]] + this.multiplicity[node];
        node = this.right[node];
      }
    }
    return count;
  }

  private allocate(value: number): number {
    let id: number;
    if (this.freeListHead !== 0) {
      id = this.freeListHead;
      this.freeListHead = this.left[id];
    } else {
      if (this.nextFreshId >= this.keys.length) this.grow();
      id = this.nextFreshId++;
    }
    this.keys[id] = value;
    this.left[id] = 0;
    this.right[id] = 0;
    this.heights[id] = 1;
    this.multiplicity[id] = 1;
    this.subtreeCount[id] = 1;
    return id;
  }

  private release(id: number): void {
    this.left[id] = this.freeListHead;
    this.freeListHead = id;
  }

  private grow(): void {
    const capacity = this.keys.length * 2;
    const growFloat = (old: Float64Array) => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    const growInt = (old: Int32Array) => {
      const next = new Int32Array(capacity);
      next.set(old);
      return next;
    };
    this.keys = growFloat(this.keys);
    this.left = growInt(this.left);
    this.right = growInt(this.right);
    this.heights = growInt(this.heights);
    this.multiplicity = growInt(this.multiplicity);
    this.subtreeCount = growInt(this.subtreeCount);
  }

  private update(node: number): void {
    const leftChild = this.left[node];
    const rightChild = this.right[node];
    const leftHeight = this.heights[leftChild];
    const rightHeight = this.heights[rightChild];
    this.heights[node] = Math.max(leftHeight, rightHeight) + 1;
    this.subtreeCount[node] = this.subtreeCount[leftChild] + this.subtreeCount[rightChild] + this.multiplicity[node];
  }

  private rotateRight(node: number): number {
    const pivot = this.left[node];
    this.left[node] = this.right[pivot];
    this.right[pivot] = node;
    this.update(node);
    this.update(pivot);
    return pivot;
  }

  private rotateLeft(node: number): number {
    const pivot = this.right[node];
    this.right[node] = this.left[pivot];
    this.left[pivot] = node;
    this.update(node);
    this.update(pivot);
    return pivot;
  }

  private rebalance(node: number): number {
    this.update(node);
    const balance = this.heights[this.left[node]] - this.heights[this.right[node]];
    if (balance > 1) {
      const child = this.left[node];
      if (this.heights[this.left[child]] < this.heights[this.right[child]]) this.left[node] = this.rotateLeft(child);
      return this.rotateRight(node);
    }
    if (balance < -1) {
      const child = this.right[node];
      if (this.heights[this.right[child]] < this.heights[this.left[child]]) this.right[node] = this.rotateRight(child);
      return this.rotateLeft(node);
    }
    return node;
  }
}

/** What the deviation searches below need of a sorted multiset (`OrderStatisticTree`, `SortedBlocks`). */
export interface OrderedMultiset {
  readonly size: number;
  select(rank: number): number;
  countLess(value: number): number;
}

/**
 * The k-th smallest (0-based) of the absolute deviations |x_i − center| over the values of `tree`, without listing
 * them: the deviations of the values below `center` (read right to left) and of the values at or above it (read left
 * to right) are two sorted sequences reachable through `select`, and the k-th smallest of two sorted sequences is
 * found by bisecting how many come from the first (Frederickson & Johnson 1982).
 *
 * Cost: O(log n) bisection steps, each one O(log d) `select`: O(log n · log d) in all.
 */
export function kthAbsoluteDeviation(tree: OrderedMultiset, center: number, rank: number): number {
  return absoluteDeviationsAt(tree, center, rank, false);
}

/**
 * Where the last search split the two deviation sequences (how many of the `rank + 1` smallest deviations came from
 * below the center). Passing the same object to successive searches over a slowly changing tree (a rolling window)
 * starts each search there, so it usually ends after a few probes instead of a full bisection; the result never
 * depends on it.
 */
export interface DeviationSearchHint {
  split: number;
}

/**
 * The median of |x_i − center| over the values of `tree` (numpy's convention: the mean of the two middle values
 * for an even count; NaN when empty). The second middle value comes from the same bisection as the first (it is
 * the smaller of the next deviation on either side), so this costs one `kthAbsoluteDeviation`: O(log n · log d),
 * or O(log δ · log d) when `hint` holds a split δ away from this one.
 */
export function medianAbsoluteDeviation(tree: OrderedMultiset, center: number, hint?: DeviationSearchHint): number {
  const n = tree.size;
  if (n === 0) return Number.NaN;
  return absoluteDeviationsAt(tree, center, (n - 1) >>> 1, n % 2 === 0, hint);
}

/**
 * The rank-th smallest deviation, or (withNext) the mean of it and the next one. Any split of the `taken` smallest
 * deviations into the two sorted sequences that is consistent (neither side's last taken exceeds the other's first
 * untaken) gives the same value, so the search may start anywhere: from the hint it gallops (steps 1, 2, 4, …)
 * until it brackets a consistent split, then bisects.
 */
function absoluteDeviationsAt(
  tree: OrderedMultiset,
  center: number,
  rank: number,
  withNext: boolean,
  hint?: DeviationSearchHint,
): number {
  const total = tree.size;
  if (!(rank >= 0 && rank < total) || !Number.isInteger(rank)) {
    throw new RangeError(`kthAbsoluteDeviation: rank must be an integer in [0, ${total}), got ${rank}`);
  }
  const belowCount = tree.countLess(center);
  const aboveCount = total - belowCount;
  // below(j) = center − x_(belowCount−1−j) ascends with j; above(j) = x_(belowCount+j) − center ascends with j.
  const below = (j: number) => center - tree.select(belowCount - 1 - j);
  const above = (j: number) => tree.select(belowCount + j) - center;
  const taken = rank + 1;
  let low = Math.max(0, taken - aboveCount);
  let high = Math.min(taken, belowCount);
  let galloping = hint !== undefined;
  let direction = 0;
  let step = 1;
  let fromBelow = galloping ? Math.min(Math.max((hint as DeviationSearchHint).split, low), high) : (low + high) >>> 1;
  for (;;) {
    const fromAbove = taken - fromBelow;
    if (fromBelow < high && fromAbove > 0 && above(fromAbove - 1) > below(fromBelow)) {
      low = fromBelow + 1;
      if (galloping && direction >= 0) {
        direction = 1;
        fromBelow = Math.min(fromBelow + step, high);
        step *= 2;
      } else {
        galloping = false;
        fromBelow = (low + high) >>> 1;
      }
    } else if (fromBelow > low && fromAbove < aboveCount && below(fromBelow - 1) > above(fromAbove)) {
      high = fromBelow - 1;
      if (galloping && direction <= 0) {
        direction = -1;
        fromBelow = Math.max(fromBelow - step, low);
        step *= 2;
      } else {
        galloping = false;
        fromBelow = (low + high) >>> 1;
      }
    } else {
      if (hint) hint.split = fromBelow;
      const lastBelow = fromBelow > 0 ? below(fromBelow - 1) : Number.NEGATIVE_INFINITY;
      const lastAbove = fromAbove > 0 ? above(fromAbove - 1) : Number.NEGATIVE_INFINITY;
      const kth = Math.max(lastBelow, lastAbove);
      if (!withNext) return kth;
      // The next deviation in merged order is the smaller of the next one on each side.
      const nextBelow = fromBelow < belowCount ? below(fromBelow) : Number.POSITIVE_INFINITY;
      const nextAbove = fromAbove < aboveCount ? above(fromAbove) : Number.POSITIVE_INFINITY;
      return (kth + Math.min(nextBelow, nextAbove)) / 2;
    }
  }
}
