import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { kthAbsoluteDeviation, medianAbsoluteDeviation } from './order-statistics.js';
import { SortedBlocks } from './sorted-blocks.js';

/** A small seeded generator so the test needs nothing outside src/math. */
function seededUniform(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

describe('kthAbsoluteDeviation', () => {
  it('equals sorting |x - c| for every rank and several centers', () => {
    const uniform = seededUniform(11);
    for (let trial = 0; trial < 60; trial++) {
      const tree = new SortedBlocks();
      const values: number[] = [];
      const n = 1 + Math.floor(uniform() * 30);
      for (let i = 0; i < n; i++) {
        const value = Math.round(uniform() * 10) / 2;
        values.push(value);
        tree.insert(value);
      }
      for (const center of [values[0], 2.5, -1, 7, 2.25]) {
        const deviations = values.map((v) => Math.abs(v - center)).sort((a, b) => a - b);
        for (let k = 0; k < n; k++) expect(kthAbsoluteDeviation(tree, center, k)).toBeCloseTo(deviations[k], 12);
      }
    }
  });
});

describe('medianAbsoluteDeviation', () => {
  it('equals numpy’s median of |x − c| for odd and even counts', () => {
    const uniform = seededUniform(13);
    for (let trial = 0; trial < 200; trial++) {
      const tree = new SortedBlocks();
      const values: number[] = [];
      const n = 1 + Math.floor(uniform() * 25);
      for (let i = 0; i < n; i++) {
        const value = Math.floor(uniform() * 8);
        values.push(value);
        tree.insert(value);
      }
      const center = Math.floor(uniform() * 10) / 2;
      const deviations = values.map((v) => Math.abs(v - center)).sort((a, b) => a - b);
      const expected = n % 2 === 1 ? deviations[(n - 1) / 2] : (deviations[n / 2 - 1] + deviations[n / 2]) / 2;
      expect(medianAbsoluteDeviation(tree, center)).toBeCloseTo(expected, 12);
    }
    // python3 -c "import numpy as np; x=np.array([1,2,3,4,10]); print(np.median(np.abs(x-np.median(x))))" → 1.0
    const tree = new SortedBlocks();
    for (const v of [1, 2, 3, 4, 10]) tree.insert(v);
    expect(medianAbsoluteDeviation(tree, 3)).toBe(1);
    expect(medianAbsoluteDeviation(new SortedBlocks(), 0)).toBeNaN();
  });

  it('gives the same value whatever split the search starts from (ties included)', () => {
    const uniform = seededUniform(17);
    for (let trial = 0; trial < 200; trial++) {
      const tree = new SortedBlocks();
      const n = 1 + Math.floor(uniform() * 40);
      for (let i = 0; i < n; i++) tree.insert(Math.floor(uniform() * 12) / 2);
      const center = Math.floor(uniform() * 14) / 2 - 0.5;
      const expected = medianAbsoluteDeviation(tree, center);
      for (const split of [-5, 0, 1, Math.floor(n / 3), Math.floor(n / 2), n, 3 * n]) {
        const hint = { split };
        expect(medianAbsoluteDeviation(tree, center, hint)).toBe(expected);
        expect(medianAbsoluteDeviation(tree, center, hint)).toBe(expected);
      }
    }
  });
});
