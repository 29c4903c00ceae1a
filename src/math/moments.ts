/**
 * Batch moments of `values[0, length)`: mean and population standard deviation (numpy.mean, numpy.std with ddof=0).
 * Two passes — the mean first, then squared deviations from it — which avoids the cancellation of the one-pass
 * Σx² − n·mean² formula (Chan, Golub & LeVeque, "Algorithms for computing the sample variance", 1983,
 * https://doi.org/10.1080/00031305.1983.10483115). O(length) each.
 */

function checkLength(name: string, values: ArrayLike<number>, length: number): void {
  if (!Number.isInteger(length) || length < 1 || length > values.length) {
    throw new RangeError(`${name}: length must be an integer in [1, ${values.length}], got ${length}`);
  }
}

/**
 * Arithmetic mean, summed relative to the first value (shift + Σ(x − shift)/n): a constant column's mean is that
 * constant exactly — a plain Σx/n of twenty 71.2s is 71.2 + 1.4·10⁻¹⁴ — and large offsets lose less. O(length).
 */
export function mean(values: ArrayLike<number>, length = values.length): number {
  checkLength('mean', values, length);
  const shift = values[0];
  let shiftedSum = 0;
  for (let index = 0; index < length; index++) shiftedSum += values[index] - shift;
  return shift + shiftedSum / length;
}

/** Population standard deviation √(Σ(x − mean)² / n), given the mean (computed when omitted). O(length). */
export function populationStd(
  values: ArrayLike<number>,
  length = values.length,
  center = mean(values, length),
): number {
  checkLength('populationStd', values, length);
  let sumSquaredDeviations = 0;
  for (let index = 0; index < length; index++) {
    const deviation = values[index] - center;
    sumSquaredDeviations += deviation * deviation;
  }
  return Math.sqrt(sumSquaredDeviations / length);
}
