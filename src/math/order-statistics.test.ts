import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { kthAbsoluteDeviation, medianAbsoluteDeviation, OrderStatisticTree } from './order-statistics.js';

/** A small seeded generator so the test needs nothing outside src/math. */
function seededUniform(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

describe('OrderStatisticTree', () => {
  it('stays consistent with a sorted array through a long sliding window of inserts and removes', () => {
    const uniform = seededUniform(19);
    const tree = new OrderStatisticTree(4);
    const window: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const value = uniform() < 0.3 ? Math.floor(uniform() * 20) : uniform() * 100;
      tree.insert(value);
      window.push(value);
      if (window.length > 300) expect(tree.remove(window.shift() as number)).toBe(true);
      if (step % 997 === 0) {
        const sorted = [...window].sort((a, b) => a - b);
        expect(tree.size).toBe(sorted.length);
        for (let k = 0; k < sorted.length; k++) expect(tree.select(k)).toBe(sorted[k]);
        expect(tree.countLess(50)).toBe(sorted.filter((v) => v < 50).length);
      }
    }
  });

  it('selects, counts and removes like a sorted array, duplicates included', () => {
    const uniform = seededUniform(7);
    const tree = new OrderStatisticTree(2);
    const reference: number[] = [];
    for (let step = 0; step < 4000; step++) {
      // Values from a small set of integers so duplicates are frequent.
      const value = Math.floor(uniform() * 40) - 20;
      if (reference.length > 0 && uniform() < 0.45) {
        const victim = reference[Math.floor(uniform() * reference.length)];
        expect(tree.remove(victim)).toBe(true);
        reference.splice(reference.indexOf(victim), 1);
      } else {
        tree.insert(value);
        reference.push(value);
      }
      reference.sort((a, b) => a - b);
      expect(tree.size).toBe(reference.length);
      if (step % 37 === 0) {
        for (let k = 0; k < reference.length; k++) expect(tree.select(k)).toBe(reference[k]);
        const probe = Math.floor(uniform() * 44) - 22 + 0.5 * Math.floor(uniform() * 2);
        expect(tree.countLess(probe)).toBe(reference.filter((v) => v < probe).length);
        expect(tree.countLessOrEqual(probe)).toBe(reference.filter((v) => v <= probe).length);
      }
    }
  });

  it('reports a missing value on remove and rejects bad ranks and NaN', () => {
    const tree = new OrderStatisticTree();
    tree.insert(1);
    expect(tree.remove(2)).toBe(false);
    expect(tree.size).toBe(1);
    expect(() => tree.select(1)).toThrow(/rank must be an integer in \[0, 1\), got 1/);
    expect(() => tree.insert(Number.NaN)).toThrow(/NaN/);
    tree.clear();
    expect(tree.size).toBe(0);
  });
});

describe('kthAbsoluteDeviation', () => {
  it('equals sorting |x - c| for every rank and several centers', () => {
    const uniform = seededUniform(11);
    for (let trial = 0; trial < 60; trial++) {
      const tree = new OrderStatisticTree();
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
      const tree = new OrderStatisticTree();
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
    const tree = new OrderStatisticTree();
    for (const v of [1, 2, 3, 4, 10]) tree.insert(v);
    expect(medianAbsoluteDeviation(tree, 3)).toBe(1);
    expect(medianAbsoluteDeviation(new OrderStatisticTree(), 0)).toBeNaN();
  });

  it('gives the same value whatever split the search starts from (ties included)', () => {
    const uniform = seededUniform(17);
    for (let trial = 0; trial < 200; trial++) {
      const tree = new OrderStatisticTree();
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
