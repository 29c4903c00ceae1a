import { describe, expect, it } from 'vitest';
import { sortedQuantile } from '../../math/quantile.js';
import { applyResidualIntervals, fitResidualIntervals, readResidualIntervals } from './residual-intervals.js';

describe('sortedQuantile', () => {
  it('interpolates like numpy', () => {
    // python3 -c "import numpy as np; print(np.quantile([1, 2, 4, 8], [0.05, 0.5, 0.95]))"  → [1.15 3.   7.4 ]
    const values = [1, 2, 4, 8];
    expect(sortedQuantile(values, 0.05)).toBeCloseTo(1.15, 12);
    expect(sortedQuantile(values, 0.5)).toBeCloseTo(3, 12);
    expect(sortedQuantile(values, 0.95)).toBeCloseTo(7.4, 12);
  });
});

describe('residual intervals', () => {
  it('bins by prediction, offsets by residual quantiles and clips at 0', () => {
    // 100 predictions 0..99; residuals ±1 below 50 and ±10 from 50 (alternating sign).
    const prediction = Float64Array.from({ length: 100 }, (_, index) => index);
    const truth = Float64Array.from(
      prediction,
      (value, index) => value + (index % 2 === 0 ? 1 : -1) * (value < 50 ? 1 : 10),
    );
    const state = fitResidualIntervals(truth, prediction, 0.9, 'validation');
    expect(state.edges).toEqual([49]);
    expect(state.lower).toEqual([-1, -10]);
    expect(state.upper).toEqual([1, 10]);
    const { lower, upper } = applyResidualIntervals(state, Float64Array.from([0.5, 30, 80]));
    expect(Array.from(lower)).toEqual([0, 29, 70]);
    expect(Array.from(upper)).toEqual([1.5, 31, 90]);
    expect(readResidualIntervals(JSON.parse(JSON.stringify(state)), 'state')).toEqual(state);
  });

  it('rejects a malformed state', () => {
    expect(() =>
      readResidualIntervals({ level: 0.9, edges: [1], lower: [0], upper: [0], source: 'validation' }, 'x'),
    ).toThrow(/x: malformed residual intervals/);
  });
});
