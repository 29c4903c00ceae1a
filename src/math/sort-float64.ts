/**
 * Ascending sort of doubles without NaN, in the order of `Float64Array.prototype.sort` (−0 before +0), about three
 * times faster on large arrays: a two-pass radix sort (16 bits a pass) on the upper 32 bits of each value, mapped
 * to unsigned keys in value order (positive: sign bit set; negative: all bits flipped), then every run of values
 * that share those bits is finished by comparison (insertion sort for short runs, the built-in sort for long ones).
 * Runs are short unless many values share their sign, exponent and top 20 mantissa bits yet differ below them.
 *
 * O(n + 2^16) time; `scratch` holds at least n values.
 */

const DIGIT_BITS = 16;
const DIGITS = 1 << DIGIT_BITS;
const INSERTION_RUN = 32;

function orderedKey(highWord: number): number {
  return highWord & 0x8000_0000 ? ~highWord >>> 0 : (highWord | 0x8000_0000) >>> 0;
}

/** Sorts `values` (no NaN) ascending in place. */
export function sortFloat64(values: Float64Array, scratch: Float64Array = new Float64Array(values.length)): void {
  const n = values.length;
  if (n < 256) {
    values.sort();
    return;
  }
  if (scratch.length < n) throw new RangeError(`scratch holds ${scratch.length} values, ${n} needed`);
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const scratchWords = new Uint32Array(scratch.buffer, scratch.byteOffset, 2 * n);
  const low = new Int32Array(DIGITS);
  const high = new Int32Array(DIGITS);
  for (let i = 0; i < n; i++) {
    const key = orderedKey(words[2 * i + 1]);
    low[key & 0xffff]++;
    high[key >>> 16]++;
  }
  let lowStart = 0;
  let highStart = 0;
  for (let digit = 0; digit < DIGITS; digit++) {
    const lowCount = low[digit];
    low[digit] = lowStart;
    lowStart += lowCount;
    const highCount = high[digit];
    high[digit] = highStart;
    highStart += highCount;
  }
  for (let i = 0; i < n; i++) scratch[low[orderedKey(words[2 * i + 1]) & 0xffff]++] = values[i];
  for (let i = 0; i < n; i++) values[high[orderedKey(scratchWords[2 * i + 1]) >>> 16]++] = scratch[i];

  let runStart = 0;
  while (runStart < n) {
    const highWord = words[2 * runStart + 1];
    let runEnd = runStart + 1;
    while (runEnd < n && words[2 * runEnd + 1] === highWord) runEnd++;
    if (runEnd - runStart > INSERTION_RUN) values.subarray(runStart, runEnd).sort();
    else {
      for (let i = runStart + 1; i < runEnd; i++) {
        const value = values[i];
        let j = i - 1;
        while (j >= runStart && values[j] > value) {
          values[j + 1] = values[j];
          j--;
        }
        values[j + 1] = value;
      }
    }
    runStart = runEnd;
  }
}
