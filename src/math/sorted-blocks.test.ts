import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { medianAbsoluteDeviation } from './order-statistics.js';
import { SortedBlocks } from './sorted-blocks.js';

/** A small seeded generator so the test needs nothing outside src/math. */
function seededUniform(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

describe('SortedBlocks', () => {
  it('selects and counts like a sorted array through a long sliding window, duplicates and splits included', () => {
    const uniform = seededUniform(23);
    for (const windowSize of [1, 7, 150, 1000]) {
      const blocks = new SortedBlocks();
      const window: number[] = [];
      for (let step = 0; step < 6000; step++) {
        const value = uniform() < 0.3 ? Math.floor(uniform() * 20) : uniform() * 100;
        blocks.insert(value);
        window.push(value);
        if (window.length > windowSize) expect(blocks.remove(window.shift() as number)).toBe(true);
        if (step % 487 === 0 || step === 5999) {
          const sorted = [...window].sort((a, b) => a - b);
          expect(blocks.size).toBe(sorted.length);
          for (let k = 0; k < sorted.length; k++) expect(blocks.select(k)).toBe(sorted[k]);
          for (const probe of [-1, 0, 5, 50, 99.5, 200, sorted[0]]) {
            expect(blocks.countLess(probe)).toBe(sorted.filter((v) => v < probe).length);
            expect(blocks.countLessOrEqual(probe)).toBe(sorted.filter((v) => v <= probe).length);
          }
        }
      }
    }
  });

  it('gives the MAD of the values it holds, as sorting them would', () => {
    const uniform = seededUniform(29);
    const blocks = new SortedBlocks();
    const values: number[] = [];
    for (let i = 0; i < 700; i++) {
      const value = Math.round(uniform() * 400) / 4;
      blocks.insert(value);
      values.push(value);
      if (i % 50 === 0) {
        const deviations = values.map((v) => Math.abs(v - 50)).sort((a, b) => a - b);
        const n = deviations.length;
        const expected = n % 2 === 1 ? deviations[(n - 1) / 2] : (deviations[n / 2 - 1] + deviations[n / 2]) / 2;
        expect(medianAbsoluteDeviation(blocks, 50)).toBe(expected);
      }
    }
  });

  it('drains to empty, reports missing values and rejects NaN and bad ranks', () => {
    const blocks = new SortedBlocks();
    for (let i = 0; i < 300; i++) blocks.insert(i % 10);
    expect(blocks.remove(10)).toBe(false);
    expect(blocks.remove(-1)).toBe(false);
    for (let i = 0; i < 300; i++) expect(blocks.remove(i % 10)).toBe(true);
    expect(blocks.size).toBe(0);
    expect(blocks.remove(3)).toBe(false);
    blocks.insert(4);
    expect(blocks.select(0)).toBe(4);
    expect(() => blocks.insert(Number.NaN)).toThrow(RangeError);
    expect(() => blocks.select(1)).toThrow(RangeError);
  });
});
