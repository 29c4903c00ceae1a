import { describe, expect, it } from 'vitest';
import { mean, populationStd } from './moments.js';

describe('mean / populationStd', () => {
  it('match numpy.mean and numpy.std (ddof=0)', () => {
    // /usr/bin/python3 -c "import numpy as np; x=[2,4,4,4,5,5,7,9]; print(np.mean(x), np.std(x))"
    // 5.0 2.0
    const values = Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9);
    expect(mean(values)).toBe(5);
    expect(populationStd(values)).toBe(2);
  });

  it('use only the first `length` values and accept a given mean', () => {
    const values = Float64Array.of(1, 3, 1000);
    expect(mean(values, 2)).toBe(2);
    expect(populationStd(values, 2)).toBe(1);
    expect(populationStd(values, 2, 2)).toBe(1);
  });

  it('is exact for a constant column and does not lose precision on a large offset', () => {
    // numpy's plain sum is off here: /usr/bin/python3 -c "import numpy as np; print(np.std([71.2]*20))"
    // 1.4210854715202004e-14 — the shifted sum gives the exact mean, hence σ = 0.
    const constant = new Float64Array(20).fill(71.2);
    expect(mean(constant)).toBe(71.2);
    expect(populationStd(constant)).toBe(0);
    // Σx² − n·mean² would cancel catastrophically here; two passes do not.
    const offset = Float64Array.of(1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16);
    // /usr/bin/python3 -c "import numpy as np; print(np.std([1e9+4, 1e9+7, 1e9+13, 1e9+16]))"
    // 4.743416490252569
    expect(populationStd(offset)).toBeCloseTo(4.743416490252569, 12);
  });

  it('refuses an empty range', () => {
    expect(() => mean(new Float64Array(0))).toThrow(/length must be an integer in \[1, 0\], got 0/);
    expect(() => populationStd(Float64Array.of(1), 2)).toThrow(RangeError);
  });
});
