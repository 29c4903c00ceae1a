import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { binCount, binMatrix, computeBinCuts, MISSING_BIN, splitThreshold } from './binning.js';

describe('quantile binning', () => {
  it('gives each of few distinct values its own bin, cut halfway, and NaN bin 0', () => {
    // Column 0: distinct 1, 2, 3 → cuts 1.5, 2.5. Column 1: one value → no cuts.
    const data = Float64Array.of(1, 7, 2, 7, 2, Number.NaN, 3, 7, Number.NaN, 7);
    const cuts = computeBinCuts(data, 5, 2);
    expect(Array.from(cuts.cuts)).toEqual([1.5, 2.5]);
    expect(Array.from(cuts.offsets)).toEqual([0, 2, 2]);
    expect(binCount(cuts, 0)).toBe(4);
    expect(binCount(cuts, 1)).toBe(2);
    const { bins } = binMatrix(data, 5, 2, cuts);
    expect(Array.from(bins)).toEqual([1, 1, 2, 1, 2, MISSING_BIN, 3, 1, MISSING_BIN, 1]);
  });

  it('cuts many distinct values into equal-count bins', () => {
    // 0..999 into 4 bins of 250: cuts after 249, 499 and 749 (halfway to the next value).
    const data = Float64Array.from({ length: 1000 }, (_, i) => i);
    const cuts = computeBinCuts(data, 1000, 1, { maxBins: 4 });
    expect(Array.from(cuts.cuts)).toEqual([249.5, 499.5, 749.5]);
  });

  it('never splits a heavily repeated value across bins', () => {
    // 600 zeros then 1..400: the zeros fill one bin on their own whatever the share.
    const data = Float64Array.from({ length: 1000 }, (_, i) => (i < 600 ? 0 : i - 599));
    const cuts = computeBinCuts(data, 1000, 1, { maxBins: 8 });
    expect(cuts.cuts[0]).toBe(0.5);
    expect(cuts.cuts.length).toBeLessThanOrEqual(7);
    const { bins } = binMatrix(data, 1000, 1, cuts);
    for (let i = 0; i < 600; i++) expect(bins[i]).toBe(1);
    expect(bins[600]).toBe(2);
  });

  it('routes raw values by the thresholds exactly as by bins: x < threshold(s) ⟺ bin ≤ s', () => {
    const rng = new Rng(3);
    const rows = 5000;
    const data = Float64Array.from({ length: rows }, () => Math.round(rng.normal() * 1000) / 7);
    const cuts = computeBinCuts(data, rows, 1, { maxBins: 32 });
    const { bins } = binMatrix(data, rows, 1, cuts);
    for (let s = 1; s < binCount(cuts, 0) - 1; s++) {
      const threshold = splitThreshold(cuts, 0, s);
      let disagreements = 0;
      for (let i = 0; i < rows; i++) if (data[i] < threshold !== bins[i] <= s) disagreements++;
      expect(disagreements).toBe(0);
    }
  });

  it('bins every value as 1 + the number of cuts ≤ it, whether its cuts spread out or crowd together', () => {
    const rng = new Rng(8);
    const rows = 20_000;
    // Column 0: normal values (cuts spread over the lookup grid). Column 1: heavy-tailed values, most cuts crowded
    // near 0 by a few huge ones (the binary search). Column 2: two distinct values. Every column has NaN.
    const data = new Float64Array(rows * 3);
    for (let i = 0; i < rows; i++) {
      data[3 * i] = rng.normal();
      data[3 * i + 1] = rng.normal() * 10 ** (rng.int(100) === 0 ? 12 : 0);
      data[3 * i + 2] = rng.int(2);
      if (rng.int(50) === 0) data[3 * i + rng.int(3)] = Number.NaN;
    }
    const cuts = computeBinCuts(data, rows, 3);
    // Values on and next to every cut, beyond both ends, and infinities, for each column.
    const probes: number[] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, -1e300, 1e300];
    for (const cut of cuts.cuts) probes.push(cut, cut * (1 - 1e-16) - 1e-300, cut * (1 + 1e-16) + 1e-300);
    const probeData = new Float64Array(probes.length * 3);
    for (let i = 0; i < probes.length; i++) probeData.fill(probes[i], 3 * i, 3 * i + 3);
    for (const [values, count] of [
      [data, rows],
      [probeData, probes.length],
    ] as const) {
      const { bins } = binMatrix(values, count, 3, cuts);
      for (let i = 0; i < count; i++) {
        for (let f = 0; f < 3; f++) {
          const x = values[3 * i + f];
          const own = cuts.cuts.subarray(cuts.offsets[f], cuts.offsets[f + 1]);
          const expected = Number.isNaN(x) ? MISSING_BIN : 1 + own.filter((cut) => cut <= x).length;
          if (bins[3 * i + f] !== expected) expect({ row: i, feature: f, x, bin: bins[3 * i + f] }).toBe(expected);
        }
      }
    }
  });

  it('prefers float32 cut points (they survive export to XGBoost) when they separate the neighbours', () => {
    const cuts = computeBinCuts(Float64Array.of(0.1, 0.2), 2, 1);
    expect(cuts.cuts[0]).toBe(Math.fround(0.15000000000000002));
    expect(cuts.cuts[0] > 0.1 && cuts.cuts[0] <= 0.2).toBe(true);
  });

  it('places cuts from a seeded row sample when there are more rows than sampleRows', () => {
    const data = Float64Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_007);
    const a = computeBinCuts(data, 10_000, 1, { maxBins: 16, sampleRows: 500, rng: new Rng(1) });
    const b = computeBinCuts(data, 10_000, 1, { maxBins: 16, sampleRows: 500, rng: new Rng(1) });
    expect(Array.from(a.cuts)).toEqual(Array.from(b.cuts));
    expect(a.cuts.length).toBe(15);
    expect(() => computeBinCuts(data, 10_000, 1, { sampleRows: 500 })).toThrow(/rng is required/);
  });

  it('rejects bad bin counts with the value in the message', () => {
    expect(() => computeBinCuts(Float64Array.of(1), 1, 1, { maxBins: 256 })).toThrow(ValidationError);
    expect(() => computeBinCuts(Float64Array.of(1), 1, 1, { maxBins: 1 })).toThrow(
      /^maxBins must be an integer from 2 to 255, got 1$/,
    );
  });
});
