import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { estimateTimeToThreshold } from './degradation.js';

describe('estimateTimeToThreshold', () => {
  it('extrapolates a noise-free line exactly, with a zero-width interval', () => {
    // wear = 10 + 0.5 t, failure at 60 → t = 100; now = 30 → 70 to go (by hand)
    const result = estimateTimeToThreshold([0, 10, 20, 30], [10, 15, 20, 25], { threshold: 60 });
    expect(result.status).toBe('approaching');
    expect(result.crossingTime).toBeCloseTo(100, 10);
    expect(result.timeToThreshold).toBeCloseTo(70, 10);
    expect(result.lower).toBeCloseTo(70, 6);
    expect(result.upper).toBeCloseTo(70, 6);
    expect(result.slope).toBeCloseTo(0.5, 14);
    expect(result.intercept).toBeCloseTo(10, 12);
  });

  it('matches the inverse-prediction interval computed with numpy and scipy', () => {
    // expected values: /usr/bin/python3 -c "import numpy as np; from scipy.stats import t as T; ..." — fit by centred
    // sums, q = T.ppf(0.975, n − 2), bounds = roots of (b² − q²s²/Sxx) u² − 2Db u + D² − q²s²(κ + 1/n) (np.roots),
    // reported relative to now = 55: prediction (κ=1) [38.37473297498556, 53.83828240476588],
    // confidence (κ=0) [40.04918221358807, 52.16383316616336], crossing time 100.63417042889391
    const times = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55];
    const values = [10.8, 11.4, 15.3, 19.1, 19.6, 20.6, 25.7, 27.7, 29.4, 33.7, 34.1, 37.6];
    const prediction = estimateTimeToThreshold(times, values, { threshold: 60 });
    expect(prediction.crossingTime).toBeCloseTo(100.63417042889391, 10);
    expect(prediction.lower).toBeCloseTo(38.37473297498556, 7);
    expect(prediction.upper).toBeCloseTo(53.83828240476588, 7);
    const confidence = estimateTimeToThreshold(times, values, { threshold: 60, interval: 'confidence' });
    expect(confidence.lower).toBeCloseTo(40.04918221358807, 7);
    expect(confidence.upper).toBeCloseTo(52.16383316616336, 7);
  });

  it('covers the true crossing time about 95 % of the time (confidence) and at least that (prediction)', () => {
    // health = 100 − 0.5 t + N(0, 3²), sampled at t = 0, 2, …, 40; failure below 50 → true crossing at t = 100
    const rng = new Rng(2024);
    const times = Array.from({ length: 21 }, (_, i) => 2 * i);
    let coveredConfidence = 0;
    let coveredPrediction = 0;
    const trials = 400;
    for (let trial = 0; trial < trials; trial++) {
      const values = times.map((t) => 100 - 0.5 * t + 3 * rng.normal());
      const options = { threshold: 50, failureWhen: 'below' as const };
      const confidence = estimateTimeToThreshold(times, values, { ...options, interval: 'confidence' });
      const prediction = estimateTimeToThreshold(times, values, options);
      const remaining = 100 - 40;
      if (confidence.lower <= remaining && remaining <= confidence.upper) coveredConfidence++;
      if (prediction.lower <= remaining && remaining <= prediction.upper) coveredPrediction++;
    }
    // binomial(400, 0.95) has standard deviation ≈ 0.011: accept ±3 sd
    expect(coveredConfidence / trials).toBeGreaterThan(0.917);
    expect(coveredConfidence / trials).toBeLessThan(0.983);
    expect(coveredPrediction).toBeGreaterThanOrEqual(coveredConfidence);
  });

  it('fits an exponential trend on the log scale', () => {
    // h = 2 e^{0.05 t}; failure above 20 → t = ln(10) / 0.05 = 46.0517… (by hand)
    const times = [0, 4, 8, 12, 16, 20];
    const values = times.map((t) => 2 * Math.exp(0.05 * t));
    const result = estimateTimeToThreshold(times, values, { threshold: 20, trend: 'exponential' });
    expect(result.crossingTime).toBeCloseTo(Math.log(10) / 0.05, 9);
    expect(result.slope).toBeCloseTo(0.05, 12);
  });

  it('uses only the recent window when asked', () => {
    // flat at 5 until t = 50, then 5 + (t − 50): the last 20 time units alone predict 30 at t = 75
    const times = Array.from({ length: 71 }, (_, i) => i);
    const values = times.map((t) => (t <= 50 ? 5 : 5 + (t - 50)));
    const recent = estimateTimeToThreshold(times, values, { threshold: 30, window: 20 });
    expect(recent.samples).toBe(21);
    expect(recent.crossingTime).toBeCloseTo(75, 9);
    const all = estimateTimeToThreshold(times, values, { threshold: 30 });
    expect(all.crossingTime as number).toBeGreaterThan(80);
  });

  it('reports a crossed threshold and a trend moving away', () => {
    const crossed = estimateTimeToThreshold([0, 1, 2], [1, 2, 3], { threshold: 2.5 });
    expect(crossed).toMatchObject({ status: 'crossed', timeToThreshold: 0 });
    const away = estimateTimeToThreshold([0, 1, 2], [3, 2, 1], { threshold: 10 });
    expect(away.status).toBe('not-approaching');
    expect(away.timeToThreshold).toBe(Number.POSITIVE_INFINITY);
  });

  it('leaves the upper bound open when the slope is not significant', () => {
    const result = estimateTimeToThreshold([0, 1, 2, 3], [0, 5, -4, 4], { threshold: 100 });
    expect(result.status).toBe('approaching');
    expect(result.upper).toBe(Number.POSITIVE_INFINITY);
  });

  it('explains bad input', () => {
    expect(() => estimateTimeToThreshold([0, 1], [1, 2], { threshold: 3 })).toThrow(
      /^a degradation trend needs at least 3 observations in the window, got 2$/,
    );
    expect(() => estimateTimeToThreshold([0, 1, 2], [1, Number.NaN, 2], { threshold: 3 })).toThrow(
      /^values\[1\] must be a finite number, got NaN$/,
    );
    expect(() => estimateTimeToThreshold([0, 1, 2], [1, 0, 2], { threshold: 3, trend: 'exponential' })).toThrow(
      /^values\[1\] must be > 0 for an exponential trend, got 0$/,
    );
    expect(() => estimateTimeToThreshold([1, 1, 1], [1, 2, 3], { threshold: 3 })).toThrow(
      /^times must not all be equal/,
    );
    expect(() => estimateTimeToThreshold([0, 1, 2], [1, 2, 3], { threshold: Number.NaN })).toThrow(
      /^threshold must be a finite number, got NaN$/,
    );
  });
});
