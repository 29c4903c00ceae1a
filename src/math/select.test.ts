import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { median, medianInPlace, selectInPlace } from './select.js';

/** numpy.median's definition, by sorting: the reference the selection kernel must agree with. */
function sortedMedian(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

type Generator = (rng: Rng, length: number) => Float64Array;

const GENERATORS: Record<string, Generator> = {
  normal: (rng, length) => Float64Array.from({ length }, () => rng.normal()),
  'few distinct values': (rng, length) => Float64Array.from({ length }, () => rng.int(4)),
  'half one value': (rng, length) => Float64Array.from({ length }, (_, i) => (i % 2 === 0 ? 7 : rng.normal() * 100)),
  ascending: (_rng, length) => Float64Array.from({ length }, (_, i) => i),
  descending: (_rng, length) => Float64Array.from({ length }, (_, i) => length - i),
  'organ pipe': (_rng, length) => Float64Array.from({ length }, (_, i) => Math.min(i, length - 1 - i)),
  'all equal': (_rng, length) => new Float64Array(length).fill(3.25),
  'heavy tails': (rng, length) => Float64Array.from({ length }, () => rng.normal() / (rng.next() + 1e-9)),
};

const SIZES = [1, 2, 3, 4, 5, 7, 8, 16, 31, 100, 599, 600, 601, 602, 1000, 1001, 4096, 10_001, 65_536];

describe('selectInPlace', () => {
  it('puts the k-th smallest at k with smaller values before it and larger after it', () => {
    const rng = new Rng(7);
    for (const [name, generate] of Object.entries(GENERATORS)) {
      for (const length of SIZES.filter((size) => size <= 10_001)) {
        const values = generate(rng, length);
        const sorted = Float64Array.from(values).sort();
        for (const k of [0, length >> 2, length >> 1, length - 1, rng.int(length)]) {
          const work = Float64Array.from(values);
          const selected = selectInPlace(work, k);
          expect(selected, `${name}, n=${length}, k=${k}`).toBe(sorted[k]);
          expect(work[k]).toBe(sorted[k]);
          let partitioned = true;
          for (let i = 0; i < k; i++) partitioned &&= work[i] <= selected;
          for (let i = k + 1; i < length; i++) partitioned &&= work[i] >= selected;
          expect(partitioned).toBe(true);
          // A permutation: same values, reordered.
          const reordered = work.sort();
          let same = true;
          for (let i = 0; i < length; i++) same &&= reordered[i] === sorted[i];
          expect(same).toBe(true);
        }
      }
    }
  });

  it('selects within a prefix and leaves the rest alone', () => {
    const values = Float64Array.of(5, 1, 4, 2, 3, -100, 100);
    expect(selectInPlace(values, 0, 5)).toBe(1);
    expect(values[5]).toBe(-100);
    expect(values[6]).toBe(100);
  });

  it('refuses k or length outside the array', () => {
    expect(() => selectInPlace(new Float64Array(3), 3)).toThrow(/k must be an integer in \[0, 2\], got 3/);
    expect(() => selectInPlace(new Float64Array(3), 0.5)).toThrow(/k must be/);
    expect(() => selectInPlace(new Float64Array(3), 0, 0)).toThrow(/length must be an integer in \[1, 3\], got 0/);
    expect(() => selectInPlace(new Float64Array(3), 0, 4)).toThrow(/length must be/);
  });
});

describe('medianInPlace / median', () => {
  it('equals the sort-based median on random data of many sizes, odd and even, with duplicates', () => {
    const rng = new Rng(2026);
    for (const [name, generate] of Object.entries(GENERATORS)) {
      for (const length of SIZES) {
        for (let repeat = 0; repeat < 3; repeat++) {
          const values = generate(rng, length);
          expect(medianInPlace(Float64Array.from(values)), `${name}, n=${length}`).toBe(sortedMedian(values));
        }
      }
    }
    for (let trial = 0; trial < 300; trial++) {
      const length = 1 + rng.int(3000);
      const values = Float64Array.from({ length }, () => Math.round(rng.normal() * 20) / 4 + 0);
      expect(medianInPlace(values.slice())).toBe(sortedMedian(values));
    }
  });

  it('matches numpy.median on small cases', () => {
    // /usr/bin/python3 -c "import numpy as np; print(np.median([3,1,2]), np.median([4,1,3,2]), np.median([-1.5,-1.5]))"
    // 2.0 2.5 -1.5
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([-1.5, -1.5])).toBe(-1.5);
    expect(median([42])).toBe(42);
  });

  it('median() leaves its input untouched', () => {
    const values = [9, 1, 8, 2, 7];
    expect(median(values)).toBe(7);
    expect(values).toEqual([9, 1, 8, 2, 7]);
  });

  it('finishes adversarial inputs: sorted runs and many duplicates of a large batch', () => {
    const length = 200_001;
    const values = new Float64Array(length);
    for (let i = 0; i < length; i++) values[i] = i % 3 === 0 ? 1 : i;
    expect(medianInPlace(values.slice())).toBe(sortedMedian(values));
  });

  it('refuses an empty range', () => {
    expect(() => medianInPlace(new Float64Array(0))).toThrow(RangeError);
  });
});
