/**
 * Selection: the k-th smallest value of an array and the median, in O(n) average time, without sorting.
 *
 * The kernel is Floyd & Rivest's SELECT (R. W. Floyd, R. L. Rivest, "Algorithm 489: The algorithm SELECT — for
 * finding the ith smallest of n elements", CACM 18(3), 1975; https://doi.org/10.1145/360680.360694): on large ranges
 * it first selects recursively inside a small sample around the expected position, so the pivot lands close to k
 * and each pass discards most of the range (about n + min(k, n − k) comparisons on average). Like introselect
 * (Musser 1997), a range that has not converged after a bounded number of passes is finished by sorting, which
 * caps the worst case at O(n log n).
 *
 * Values must not be NaN (NaN has no place in an order); callers validate their input first.
 */

/** Ranges longer than this are narrowed with a sample first (the constant of Floyd & Rivest's paper). */
const SAMPLING_CUTOFF = 600;

/** Partition passes allowed per call before the range is finished by a sort (introselect's guard). */
function passBudget(length: number): number {
  return 2 * Math.ceil(Math.log2(length + 1)) + 8;
}

function swap(values: Float64Array, i: number, j: number): void {
  const held = values[i];
  values[i] = values[j];
  values[j] = held;
}

function floydRivest(values: Float64Array, k: number, left: number, right: number): void {
  let passes = passBudget(right - left + 1);
  while (right > left) {
    if (passes-- === 0) {
      values.subarray(left, right + 1).sort();
      return;
    }
    if (right - left > SAMPLING_CUTOFF) {
      const rangeLength = right - left + 1;
      const rankInRange = k - left + 1;
      const logLength = Math.log(rangeLength);
      const sampleSize = 0.5 * Math.exp((2 * logLength) / 3);
      const sampleSpread =
        0.5 *
        Math.sqrt((logLength * sampleSize * (rangeLength - sampleSize)) / rangeLength) *
        (rankInRange - rangeLength / 2 < 0 ? -1 : 1);
      const sampleLeft = Math.max(left, Math.floor(k - (rankInRange * sampleSize) / rangeLength + sampleSpread));
      const sampleRight = Math.min(
        right,
        Math.floor(k + ((rangeLength - rankInRange) * sampleSize) / rangeLength + sampleSpread),
      );
      floydRivest(values, k, sampleLeft, sampleRight);
    }
    // Partition [left, right] around pivot = values[k]: smaller values end up left of j, larger right of it.
    const pivot = values[k];
    let i = left;
    let j = right;
    swap(values, left, k);
    if (values[right] > pivot) swap(values, left, right);
    while (i < j) {
      swap(values, i, j);
      i++;
      j--;
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
    }
    if (values[left] === pivot) {
      swap(values, left, j);
    } else {
      j++;
      swap(values, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

/**
 * Reorders `values[0, length)` so that `values[k]` is the k-th smallest (0-based), everything before it is ≤ it and
 * everything after it is ≥ it; returns that value. O(length) on average, O(length · log length) at worst.
 */
export function selectInPlace(values: Float64Array, k: number, length = values.length): number {
  if (!Number.isInteger(length) || length < 1 || length > values.length) {
    throw new RangeError(`selectInPlace: length must be an integer in [1, ${values.length}], got ${length}`);
  }
  if (!Number.isInteger(k) || k < 0 || k >= length) {
    throw new RangeError(`selectInPlace: k must be an integer in [0, ${length - 1}], got ${k}`);
  }
  floydRivest(values, k, 0, length - 1);
  return values[k];
}

/**
 * The median of `values[0, length)` (for an even count, the mean of the two middle values, as numpy.median), found
 * by selection; the range is reordered. O(length) on average: one selection, plus one linear scan of the lower half
 * for an even count.
 */
export function medianInPlace(values: Float64Array, length = values.length): number {
  const upperIndex = length >> 1;
  const upper = selectInPlace(values, upperIndex, length);
  if (length % 2 === 1) return upper;
  // After the selection every value before upperIndex is ≤ upper: the largest of them is the lower middle value.
  let lower = values[0];
  for (let index = 1; index < upperIndex; index++) {
    if (values[index] > lower) lower = values[index];
  }
  return (lower + upper) / 2;
}

/** The median of `values` (numpy.median's definition), leaving the input untouched. O(n) on average. */
export function median(values: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(values));
}
