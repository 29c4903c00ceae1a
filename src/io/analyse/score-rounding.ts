/**
 * `score`·10⁴ rounded to an integer exactly as Python's `round(score, 4)` rounds (the nearest 4-decimal number to
 * the exact binary value, ties to even), or -1 when only the exact path can tell (see `roundScore`).
 */
export function scoreTenThousandths(score: number): number {
  const scaled = score * 10_000;
  if (!(scaled < 1e9)) return -1;
  const lower = Math.floor(scaled);
  const fraction = scaled - lower;
  if (Math.abs(fraction - 0.5) > 1e-6) return fraction < 0.5 ? lower : lower + 1;
  const thirtySeconds = score * 32;
  if (Number.isInteger(thirtySeconds) && thirtySeconds % 2 === 1) return lower % 2 === 0 ? lower : lower + 1;
  return -1;
}

/**
 * `score` rounded to 4 decimals exactly as Python's `round(score, 4)`, so results match the NumPy service they
 * replace digit for digit. The fast path multiplies by 10⁴ and rounds; values within 10⁻⁶ of a tie after scaling
 * (where that product's own rounding could decide) and large values take the exact path: `toFixed` works on the
 * exact binary value, and a true tie — an odd multiple of 1/32, the only doubles halfway between two 4-decimal
 * numbers — goes to the even neighbour.
 */
export function roundScore(score: number): number {
  const tenThousandths = scoreTenThousandths(score);
  return tenThousandths >= 0 ? tenThousandths / 10_000 : Number(score.toFixed(4));
}
