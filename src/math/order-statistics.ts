/**
 * Order statistics of absolute deviations over a sorted multiset (`OrderedMultiset`, e.g. `SortedBlocks`): the k-th
 * smallest |x − c| and the median absolute deviation, found by bisection through `select` without listing the
 * deviations — what a rolling Modified Z-Score needs at every step.
 */

/** What the deviation searches need of a sorted multiset (e.g. `SortedBlocks`). */
export interface OrderedMultiset {
  readonly size: number;
  select(rank: number): number;
  countLess(value: number): number;
}

/**
 * The k-th smallest (0-based) of the absolute deviations |x_i − center| over the values of `multiset`, without listing
 * them: the deviations of the values below `center` (read right to left) and of the values at or above it (read left
 * to right) are two sorted sequences reachable through `select`, and the k-th smallest of two sorted sequences is
 * found by bisecting how many come from the first (Frederickson & Johnson 1982).
 *
 * Cost: O(log n) bisection steps, each one O(log d) `select`: O(log n · log d) in all.
 */
export function kthAbsoluteDeviation(multiset: OrderedMultiset, center: number, rank: number): number {
  return absoluteDeviationsAt(multiset, center, rank, false);
}

/**
 * Where the last search split the two deviation sequences (how many of the `rank + 1` smallest deviations came from
 * below the center). Passing the same object to successive searches over a slowly changing multiset (a rolling window)
 * starts each search there, so it usually ends after a few probes instead of a full bisection; the result never
 * depends on it.
 */
export interface DeviationSearchHint {
  split: number;
}

/**
 * The median of |x_i − center| over the values of `multiset` (numpy's convention: the mean of the two middle values
 * for an even count; NaN when empty). The second middle value comes from the same bisection as the first (it is
 * the smaller of the next deviation on either side), so this costs one `kthAbsoluteDeviation`: O(log n · log d),
 * or O(log δ · log d) when `hint` holds a split δ away from this one.
 */
export function medianAbsoluteDeviation(multiset: OrderedMultiset, center: number, hint?: DeviationSearchHint): number {
  const n = multiset.size;
  if (n === 0) return Number.NaN;
  return absoluteDeviationsAt(multiset, center, (n - 1) >>> 1, n % 2 === 0, hint);
}

/**
 * The rank-th smallest deviation, or (withNext) the mean of it and the next one. Any split of the `taken` smallest
 * deviations into the two sorted sequences that is consistent (neither side's last taken exceeds the other's first
 * untaken) gives the same value, so the search may start anywhere: from the hint it gallops (steps 1, 2, 4, …)
 * until it brackets a consistent split, then bisects.
 */
function absoluteDeviationsAt(
  multiset: OrderedMultiset,
  center: number,
  rank: number,
  withNext: boolean,
  hint?: DeviationSearchHint,
): number {
  const total = multiset.size;
  if (!(rank >= 0 && rank < total) || !Number.isInteger(rank)) {
    throw new RangeError(`kthAbsoluteDeviation: rank must be an integer in [0, ${total}), got ${rank}`);
  }
  const belowCount = multiset.countLess(center);
  const aboveCount = total - belowCount;
  // below(j) = center − x_(belowCount−1−j) ascends with j; above(j) = x_(belowCount+j) − center ascends with j.
  const below = (j: number) => center - multiset.select(belowCount - 1 - j);
  const above = (j: number) => multiset.select(belowCount + j) - center;
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
