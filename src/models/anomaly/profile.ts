/** Seasonal profiles shared by the seasonal and periodic detectors. */

/**
 * Expected value per bucket from completed seasons only: `mean`/`count` hold the folded seasons; the visits of the
 * season in progress accumulate in `pendingSum`/`pendingCount` and fold in (exponentially weighted, one step per
 * season) once a later season begins, so today's points never predict today.
 */
export interface Profile {
  mean: number[];
  count: number[];
  pendingSum: number[];
  pendingCount: number[];
  pendingSeason: number[];
}

/** A profile of `size` buckets with nothing learned. */
export function emptyProfile(size: number): Profile {
  return {
    mean: new Array(size).fill(0),
    count: new Array(size).fill(0),
    pendingSum: new Array(size).fill(0),
    pendingCount: new Array(size).fill(0),
    pendingSeason: new Array(size).fill(0),
  };
}

/** The bucket's expected value as of `season` (completed seasons only), or NaN when none is complete. */
export function expectedValue(profile: Profile, index: number, season: number, alpha: number): number {
  const pending = profile.pendingCount[index] > 0 && profile.pendingSeason[index] < season;
  if (!pending) return profile.count[index] > 0 ? profile.mean[index] : Number.NaN;
  const pendingMean = profile.pendingSum[index] / profile.pendingCount[index];
  return profile.count[index] > 0 ? profile.mean[index] + alpha * (pendingMean - profile.mean[index]) : pendingMean;
}

/** Adds one visit of the season `season` to a bucket, folding the previous season's visits in first. O(1). */
export function addToProfile(profile: Profile, index: number, season: number, value: number, alpha: number): void {
  if (profile.pendingCount[index] > 0 && profile.pendingSeason[index] !== season) {
    profile.mean[index] = expectedValue(profile, index, season, alpha);
    profile.count[index]++;
    profile.pendingSum[index] = 0;
    profile.pendingCount[index] = 0;
  }
  if (profile.pendingCount[index] === 0) profile.pendingSeason[index] = season;
  profile.pendingSum[index] += value;
  profile.pendingCount[index]++;
}

/**
 * Smallest |value − expected| over bucket `bucket` and `neighbours` buckets either side (wrapping within a cycle of
 * `buckets` starting at `base`), or Infinity when none has a completed season. O(neighbours).
 */
export function closestResidual(
  profile: Profile,
  value: number,
  base: number,
  bucket: number,
  buckets: number,
  neighbours: number,
  season: number,
  alpha: number,
): number {
  const { mean, count, pendingSum, pendingCount, pendingSeason } = profile;
  let best = Number.POSITIVE_INFINITY;
  let neighbour = (bucket - (neighbours % buckets) + buckets) % buckets;
  for (let shift = -neighbours; shift <= neighbours; shift++) {
    // expectedValue(profile, base + neighbour, season, alpha), spelled out: this runs several times per point.
    const index = base + neighbour;
    let expected: number;
    if (pendingCount[index] > 0 && pendingSeason[index] < season) {
      const pendingMean = pendingSum[index] / pendingCount[index];
      expected = count[index] > 0 ? mean[index] + alpha * (pendingMean - mean[index]) : pendingMean;
    } else expected = count[index] > 0 ? mean[index] : Number.NaN;
    if (!Number.isNaN(expected)) {
      const residual = Math.abs(value - expected);
      if (residual < best) best = residual;
    }
    if (++neighbour === buckets) neighbour = 0;
  }
  return best;
}
