/** Quantile `p` of ascending `sorted` by linear interpolation (numpy's default method 7); NaN when empty. O(1). */
export function sortedQuantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = p * (n - 1);
  const below = Math.floor(position);
  const above = Math.min(n - 1, below + 1);
  const fraction = position - below;
  return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}
