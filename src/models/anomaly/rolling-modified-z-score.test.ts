import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { RollingModifiedZScore } from './rolling-modified-z-score.js';

function plainMedian(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Integers 0..9 with occasional outliers: many exact duplicates, MAD rarely 0. */
function dataWithDuplicates(count: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => (rng.next() < 0.05 ? 50 * rng.normal() : rng.int(10)));
}

describe('RollingModifiedZScore', () => {
  it('matches 0.6745·|x − median|/MAD recomputed over the window (abs tol 1e-10)', () => {
    const data = dataWithDuplicates(800, 3);
    const windowSize = 25;
    const detector = new RollingModifiedZScore({ windowSize, minCount: 5 });
    for (let t = 0; t < data.length; t++) {
      const score = detector.scoreThenLearn({ ts: t, value: data[t] });
      const window = data.slice(Math.max(0, t - windowSize), t);
      if (window.length < 5) {
        expect(score).toBe(0);
        continue;
      }
      const median = plainMedian(window);
      const mad = plainMedian(window.map((v) => Math.abs(v - median)));
      const deviation = Math.abs(data[t] - median);
      const expected =
        deviation === 0 ? 0 : (0.6745 * deviation) / (mad > 0 ? mad : 1e-9 * Math.max(Math.abs(median), 1));
      expect(Math.abs(score - expected)).toBeLessThanOrEqual(1e-10 * Math.max(1, expected));
    }
  });

  it('with average = 3 scores the 3-point mean against the window of past 3-point means', () => {
    const data = dataWithDuplicates(300, 5);
    const detector = new RollingModifiedZScore({ windowSize: 40, minCount: 10, average: 3 });
    const means = data.map((_, t) => {
      const recent = data.slice(Math.max(0, t - 2), t + 1);
      return recent.reduce((sum, v) => sum + v, 0) / recent.length;
    });
    for (let t = 0; t < data.length; t++) {
      const score = detector.scoreThenLearn({ ts: t, value: data[t] });
      const window = means.slice(Math.max(0, t - 40), t);
      if (window.length < 10) continue;
      const median = plainMedian(window);
      const mad = plainMedian(window.map((v) => Math.abs(v - median)));
      const deviation = Math.abs(means[t] - median);
      const expected =
        deviation === 0 ? 0 : (0.6745 * deviation) / (mad > 0 ? mad : 1e-9 * Math.max(Math.abs(median), 1));
      expect(Math.abs(score - expected)).toBeLessThanOrEqual(1e-10 * Math.max(1, expected));
    }
  });

  it('reproduces its documented example', () => {
    const detector = new RollingModifiedZScore({ windowSize: 5, minCount: 3 });
    for (const value of [10, 11, 9, 10, 12]) detector.learnOne({ ts: 0, value });
    // median 10; deviations 0,1,1,0,2 → MAD 1; 0.6745·|14 − 10|/1 = 2.698
    expect(detector.scoreOne({ ts: 0, value: 14 })).toBeCloseTo(2.698, 12);
  });

  it('scores 0 on a flat line and very high (but finite) off it', () => {
    const detector = new RollingModifiedZScore({ windowSize: 10, minCount: 3 });
    for (let i = 0; i < 10; i++) detector.learnOne({ ts: i, value: 5 });
    expect(detector.scoreOne({ ts: 10, value: 5 })).toBe(0);
    // MAD 0 → scale 1e-9·max(|5|, 1): 0.6745·1/(5e-9) = 1.349e8
    expect(detector.scoreOne({ ts: 10, value: 6 })).toBeCloseTo(1.349e8, 0);
  });
});
