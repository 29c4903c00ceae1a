import { describe, expect, it } from 'vitest';
import { RingBuffer, RollingMedianMad, RollingMoments } from './rolling.js';

function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plain recomputations over the window, numpy's definitions. */
function plainMedian(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}
function plainMad(values: number[]): number {
  const center = plainMedian(values);
  return plainMedian(values.map((v) => Math.abs(v - center)));
}
/** numpy.quantile's default ('linear'): position q·(n − 1) between the sorted values. */
function plainQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

function plainMean(values: number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
function plainVariance(values: number[]): number {
  const mean = plainMean(values);
  let sum = 0;
  for (const v of values) sum += (v - mean) ** 2;
  return sum / values.length;
}

/** Random data with many exact duplicates, a few outliers, and runs of one repeated value. */
function noisyWithDuplicates(count: number, seed: number): number[] {
  const uniform = seededUniform(seed);
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const pick = uniform();
    if (pick < 0.3) values.push(Math.floor(uniform() * 5));
    else if (pick < 0.35) values.push(1000 * (uniform() - 0.5));
    else if (pick < 0.5 && i > 0) values.push(values[i - 1]);
    else values.push(uniform() * 10 - 5);
  }
  return values;
}

describe('RingBuffer', () => {
  it('keeps the last capacity values oldest first and returns what falls out', () => {
    const ring = new RingBuffer(3);
    expect(ring.push(1)).toBeUndefined();
    ring.push(2);
    ring.push(3);
    expect(ring.push(4)).toBe(1);
    expect(ring.toArray()).toEqual([2, 3, 4]);
    expect(ring.get(0)).toBe(2);
    expect(() => new RingBuffer(0)).toThrow(/capacity must be a positive integer, got 0/);
  });
});

describe('RollingMedianMad', () => {
  for (const windowSize of [1, 2, 7, 50]) {
    it(`matches a plain recomputation over a window of ${windowSize} (abs tol 1e-10)`, () => {
      const data = noisyWithDuplicates(1500, windowSize);
      const rolling = new RollingMedianMad(windowSize);
      for (let t = 0; t < data.length; t++) {
        rolling.push(data[t]);
        const window = data.slice(Math.max(0, t - windowSize + 1), t + 1);
        expect(rolling.count).toBe(window.length);
        expect(Math.abs(rolling.median() - plainMedian(window))).toBeLessThanOrEqual(1e-10);
        expect(Math.abs(rolling.mad() - plainMad(window))).toBeLessThanOrEqual(1e-10);
        const probe = data[(t * 7) % data.length];
        const below = window.filter((v) => v < probe).length;
        const equal = window.filter((v) => v === probe).length;
        expect(rolling.midRank(probe)).toBeCloseTo((below + equal / 2) / window.length, 12);
        expect(rolling.countAtLeast(probe)).toBe(window.length - below);
        for (const q of [0, 0.05, 0.5, 0.95, 0.995, 1]) {
          expect(Math.abs(rolling.quantile(q) - plainQuantile(window, q))).toBeLessThanOrEqual(1e-10);
        }
      }
      expect(rolling.values()).toEqual(data.slice(-windowSize));
    });
  }

  it('interpolates quantiles as numpy does', () => {
    const rolling = new RollingMedianMad(5);
    for (const v of [10, 1, 4, 2, 3]) rolling.push(v);
    // python3 -c "import numpy as np; print(np.quantile([1,2,3,4,10], 0.95))" → 8.799999999999999
    expect(rolling.quantile(0.95)).toBeCloseTo(8.8, 12);
    expect(rolling.quantile(0.5)).toBe(3);
  });

  it('gives NaN on an empty window', () => {
    const rolling = new RollingMedianMad(4);
    expect(rolling.median()).toBeNaN();
    expect(rolling.mad()).toBeNaN();
  });
});

describe('RollingMoments', () => {
  it('tracks mean and variance over a sliding window like a recomputation (abs tol 1e-10)', () => {
    const data = noisyWithDuplicates(3000, 3).map((v) => v / 10);
    const windowSize = 40;
    const moments = new RollingMoments();
    for (let t = 0; t < data.length; t++) {
      moments.add(data[t]);
      if (t >= windowSize) moments.remove(data[t - windowSize]);
      const window = data.slice(Math.max(0, t - windowSize + 1), t + 1);
      expect(moments.count).toBe(window.length);
      expect(Math.abs(moments.mean() - plainMean(window))).toBeLessThanOrEqual(1e-10);
      expect(Math.abs(moments.variance() - plainVariance(window))).toBeLessThanOrEqual(1e-10);
    }
  });

  it('continues bit for bit after a state round trip', () => {
    const data = noisyWithDuplicates(500, 9);
    const original = new RollingMoments();
    for (const v of data.slice(0, 250)) original.add(v);
    const restored = RollingMoments.fromState(JSON.parse(JSON.stringify(original.toState())));
    for (let t = 250; t < data.length; t++) {
      for (const moments of [original, restored]) {
        moments.add(data[t]);
        moments.remove(data[t - 250]);
      }
      expect(restored.mean()).toBe(original.mean());
      expect(restored.variance()).toBe(original.variance());
    }
  });

  it('adding values in a batch equals adding them one at a time', () => {
    const data = noisyWithDuplicates(200, 5);
    const oneAtATime = new RollingMoments();
    for (const v of data) oneAtATime.add(v);
    // numpy: np.var of the same values; here a recomputation serves as the batch reference.
    expect(Math.abs(oneAtATime.mean() - plainMean(data))).toBeLessThanOrEqual(1e-10);
    expect(Math.abs(oneAtATime.variance() - plainVariance(data))).toBeLessThanOrEqual(1e-8);
    expect(Math.abs(oneAtATime.variance(1) - (plainVariance(data) * data.length) / (data.length - 1))).toBeLessThan(
      1e-8,
    );
  });
});
