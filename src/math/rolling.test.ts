import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { RingBuffer, RollingMedianMad, RollingMoments, RollingRank } from './rolling.js';

function seededUniform(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
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
        expect(Math.abs(rolling.madAbout(rolling.median()) - plainMad(window))).toBeLessThanOrEqual(1e-10);
      }
      expect(rolling.values()).toEqual(data.slice(-windowSize));
    });
  }

  it('gives NaN on an empty window', () => {
    const rolling = new RollingMedianMad(4);
    expect(rolling.median()).toBeNaN();
    expect(rolling.madAbout(0)).toBeNaN();
  });
});

/** Scores as a calibration window sees them: zeros, clustered values sharing a bin, every scale, negatives, ∞. */
function scoreLike(count: number, seed: number): number[] {
  const uniform = seededUniform(seed);
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const pick = uniform();
    if (pick < 0.2) values.push(0);
    else if (pick < 0.4) values.push(1 + uniform() * 1e-3);
    else if (pick < 0.5 && i > 0) values.push(values[i - 1]);
    else if (pick < 0.55) values.push(-uniform() * 3);
    else if (pick < 0.6) values.push(uniform() * 1e-9);
    else if (pick < 0.65) values.push(1e8 * (1 + uniform()));
    else if (pick < 0.66) values.push(Number.POSITIVE_INFINITY);
    else values.push(2 ** (uniform() * 40 - 10));
  }
  return values;
}

describe('RollingRank', () => {
  for (const windowSize of [1, 7, 300]) {
    it(`counts and ranks exactly like a plain recomputation over a window of ${windowSize}`, () => {
      const data = scoreLike(2000, windowSize);
      const rank = new RollingRank(windowSize);
      for (let t = 0; t < data.length; t++) {
        rank.push(data[t]);
        const window = data.slice(Math.max(0, t - windowSize + 1), t + 1);
        const sorted = [...window].sort((a, b) => a - b);
        expect(rank.count).toBe(window.length);
        for (const probe of [data[(t * 7) % data.length], data[t], 0, 1.0005, 5e-10, -1]) {
          const atLeast = window.filter((v) => v >= probe).length;
          expect(rank.countAtLeast(probe)).toBe(atLeast);
          const limit = Math.ceil(window.length / 4);
          const bounded = rank.countAtLeastBelow(probe, limit);
          if (atLeast < limit) expect(bounded).toBe(atLeast);
          else expect(bounded).toBeGreaterThanOrEqual(limit);
        }
        expect(rank.select(t % window.length)).toBe(sorted[t % window.length]);
        for (const q of [0, 0.05, 0.5, 0.95, 0.995, 1]) {
          // Interpolating between two infinities is undefined (∞ − ∞), so only finite quantiles are compared.
          const expected = plainQuantile(window, q);
          if (Number.isFinite(expected)) expect(Math.abs(rank.quantile(q) - expected)).toBeLessThanOrEqual(1e-10);
        }
      }
      expect(rank.values()).toEqual(data.slice(-windowSize));
    });
  }

  it('rejects NaN and a bad window size', () => {
    expect(() => new RollingRank(0)).toThrow(/windowSize must be a positive integer, got 0/);
    expect(() => new RollingRank(3).push(Number.NaN)).toThrow(/must not be NaN/);
    expect(new RollingRank(3).quantile(0.5)).toBeNaN();
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
