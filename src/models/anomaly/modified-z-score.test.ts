import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { BatchModifiedZScore } from './modified-z-score.js';

const scoresOf = (values: number[], detector = new BatchModifiedZScore()) =>
  Array.from(detector.scoreColumn(Float64Array.from(values)).scores);

/** The NumPy formula, spelled out with sorting: median, MAD, 0.6745·|x − median| / MAD; mean/σ fallback. */
function sortedReference(values: number[]): number[] {
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const n = s.length;
    return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  };
  const center = med(values);
  const mad = med(values.map((x) => Math.abs(x - center)));
  if (mad > 0) return values.map((x) => (0.6745 * Math.abs(x - center)) / mad);
  const average = values.reduce((sum, x) => sum + x, 0) / values.length;
  const std = Math.sqrt(values.reduce((sum, x) => sum + (x - average) ** 2, 0) / values.length);
  return std > 0 ? values.map((x) => Math.abs(x - average) / std) : values.map(() => 0);
}

describe('BatchModifiedZScore', () => {
  it('scores against the median and MAD (hand-computed)', () => {
    // median 10, |x − 10| = 0 1 1 0 4 → MAD 1; M = 0.6745·|x − 10|
    const result = new BatchModifiedZScore().scoreColumn(Float64Array.of(10, 11, 9, 10, 14));
    expect(result.method).toBe('mad');
    expect(result.center).toBe(10);
    expect(result.scale).toBe(1);
    expect(Array.from(result.scores)).toEqual([0, 0.6745, 0.6745, 0, 0.6745 * 4]);
  });

  it('agrees with numpy on an even-sized column with an outlier', () => {
    // /usr/bin/python3 -c "import numpy as np; d=np.array([1,2,3,4,100,6.]); m=np.median(d);
    //   print(np.abs(0.6745*(d-m)/np.median(np.abs(d-m))).tolist())"
    // [0.843125, 0.505875, 0.168625, 0.168625, 32.544624999999996, 0.843125]
    expect(scoresOf([1, 2, 3, 4, 100, 6])).toEqual([
      0.843125, 0.505875, 0.168625, 0.168625, 32.544624999999996, 0.843125,
    ]);
  });

  it('falls back to |x − mean| / σ when the MAD is 0: one spike among n equal values scores √(n − 1)', () => {
    // 19 × 5 and one 50: mean 7.25, σ² = (19·2.25² + 42.75²)/20 = 96.1875 → spike 42.75/σ = √19, others 1/√19
    const result = new BatchModifiedZScore().scoreColumn(Float64Array.from([...Array(19).fill(5), 50]));
    expect(result.method).toBe('std');
    expect(result.center).toBe(7.25);
    expect(result.scores[19]).toBeCloseTo(Math.sqrt(19), 12);
    expect(result.scores[0]).toBeCloseTo(1 / Math.sqrt(19), 12);
  });

  it('scores a constant column 0 (σ = 0 exactly, even for values the binary mean cannot sum exactly)', () => {
    const result = new BatchModifiedZScore().scoreColumn(new Float64Array(20).fill(71.2));
    expect(result.method).toBe('constant');
    expect(Array.from(result.scores)).toEqual(new Array(20).fill(0));
    expect(scoresOf([3])).toEqual([0]);
  });

  it('equals the sort-based formula on random columns with duplicates', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 200; trial++) {
      const length = 1 + rng.int(700);
      const spread = rng.int(3) === 0 ? 0.25 : 10;
      const values = Array.from({ length }, () => Math.round(rng.normal() * spread * 4) / 4 + 0);
      const expected = sortedReference(values);
      const actual = scoresOf(values);
      for (let i = 0; i < length; i++) expect(actual[i]).toBeCloseTo(expected[i], 9);
    }
  });

  it('reads only `length` values and writes into the buffers it is given', () => {
    const out = new Float64Array(6);
    const scratch = new Float64Array(6);
    const values = Float64Array.of(10, 11, 9, 10, 14, 1e9);
    const result = new BatchModifiedZScore().scoreColumn(values, { length: 5, out, scratch });
    expect(result.scores).toBe(out);
    expect(Array.from(out.subarray(0, 5))).toEqual([0, 0.6745, 0.6745, 0, 0.6745 * 4]);
    expect(values[5]).toBe(1e9);
    expect(() => new BatchModifiedZScore().scoreColumn(values, { length: 7 })).toThrow(/length must be an integer/);
    expect(() => new BatchModifiedZScore().scoreColumn(values, { out: new Float64Array(2) })).toThrow(
      /'out' and 'scratch' must hold at least 6 values/,
    );
  });

  it('flags scores strictly above the threshold, which must be positive', () => {
    const detector = new BatchModifiedZScore({ threshold: 2 });
    expect(detector.isAnomalous(2)).toBe(false);
    expect(detector.isAnomalous(2.0001)).toBe(true);
    expect(new BatchModifiedZScore().getConfig()).toEqual({ threshold: 3.5 });
    expect(() => new BatchModifiedZScore({ threshold: 0 })).toThrow(
      /option 'threshold' must be a positive number, got 0/,
    );
    expect(() => new BatchModifiedZScore({ threshold: Number.NaN })).toThrow(/got NaN/);
  });
});
