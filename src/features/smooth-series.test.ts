import { describe, expect, it } from 'vitest';
import { smoothSeries } from './smooth-series.js';

describe('smoothSeries', () => {
  it('smooths each column causally from the first row (hand-computed, alpha 0.5)', () => {
    // Two columns, three rows: [1, 10], [3, 20], [5, 40].
    const [smoothed] = smoothSeries([{ unit: 1, values: Float64Array.of(1, 10, 3, 20, 5, 40) }], 2, 0.5);
    // Column 0: 1, 0.5·3 + 0.5·1 = 2, 0.5·5 + 0.5·2 = 3.5; column 1: 10, 15, 27.5.
    expect(Array.from(smoothed.values)).toEqual([1, 10, 2, 15, 3.5, 27.5]);
  });

  it('restarts at each unit and keeps the targets', () => {
    const targets = Float64Array.of(2, 1);
    const [a, b] = smoothSeries(
      [
        { unit: 1, values: Float64Array.of(0, 10), targets },
        { unit: 2, values: Float64Array.of(100, 0) },
      ],
      1,
      0.2,
    );
    expect(a.values[1]).toBeCloseTo(2, 12);
    expect(b.values[0]).toBe(100);
    expect(b.values[1]).toBeCloseTo(80, 12);
    expect(a.targets).toBe(targets);
  });

  it('gives a truncated history the same values as the full one up to its end', () => {
    const full = Float64Array.from({ length: 40 }, (_, i) => Math.sin(i) * 3 + i / 10);
    const [long] = smoothSeries([{ unit: 1, values: full }], 2, 0.3);
    const [short] = smoothSeries([{ unit: 1, values: full.slice(0, 24) }], 2, 0.3);
    expect(Array.from(short.values)).toEqual(Array.from(long.values.subarray(0, 24)));
  });

  it('leaves the data alone at alpha 1 and rejects alpha outside (0, 1]', () => {
    const values = Float64Array.of(1, 2, 3);
    expect(smoothSeries([{ unit: 1, values }], 1, 1)[0].values).toBe(values);
    expect(() => smoothSeries([{ unit: 1, values }], 1, 0)).toThrow(/alpha/);
    expect(() => smoothSeries([{ unit: 1, values }], 1, 1.5)).toThrow(/alpha/);
  });
});
