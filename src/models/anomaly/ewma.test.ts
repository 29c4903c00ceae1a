import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { Ewma, type EwmaState, ewmaStep, warmWeight } from './ewma.js';

describe('ewmaStep', () => {
  it('equals the exponentially weighted mean and variance recomputed from the weights (abs tol 1e-10)', () => {
    const rng = new Rng(11);
    const data = Array.from({ length: 400 }, () => rng.int(6));
    const alpha = 0.02;
    const state: EwmaState = { count: 0, mean: 0, variance: 0 };
    for (let t = 0; t < data.length; t++) {
      ewmaStep(state, data[t], alpha);
      // Weight of x_i in the estimate at t: w_i = warmWeight(α, i + 1)·Π_{j>i} (1 − warmWeight(α, j + 1)).
      const weights = data.slice(0, t + 1).map((_, i) => {
        let weight = warmWeight(alpha, i + 1);
        for (let j = i + 1; j <= t; j++) weight *= 1 - warmWeight(alpha, j + 1);
        return weight;
      });
      let mean = 0;
      for (let i = 0; i <= t; i++) mean += weights[i] * data[i];
      let variance = 0;
      for (let i = 0; i <= t; i++) variance += weights[i] * (data[i] - mean) ** 2;
      expect(Math.abs(state.mean - mean)).toBeLessThanOrEqual(1e-10);
      expect(Math.abs(state.variance - variance)).toBeLessThanOrEqual(1e-10);
    }
  });

  it('is the plain running mean and population variance for the first 1/α points', () => {
    const state: EwmaState = { count: 0, mean: 0, variance: 0 };
    for (const value of [1, 2, 3, 4]) ewmaStep(state, value, 0.01);
    // numpy: np.mean([1,2,3,4]) = 2.5, np.var([1,2,3,4]) = 1.25
    expect(state.mean).toBeCloseTo(2.5, 14);
    expect(state.variance).toBeCloseTo(1.25, 14);
  });
});

describe('Ewma', () => {
  it('reproduces its documented example', () => {
    const detector = new Ewma({ alpha: 0.5, minCount: 2 });
    detector.learnOne({ ts: 0, value: 0 }).learnOne({ ts: 1, value: 2 });
    // μ = 1, σ² = 0.5·(0 + 0.5·2²) = 1 → |4 − 1|/1 = 3
    expect(detector.scoreOne({ ts: 2, value: 4 })).toBeCloseTo(3, 14);
  });

  it('scores 0 before minCount points', () => {
    const detector = new Ewma({ minCount: 3 });
    detector.learnOne({ ts: 0, value: 1 }).learnOne({ ts: 1, value: 2 });
    expect(detector.scoreOne({ ts: 2, value: 100 })).toBe(0);
  });
});
