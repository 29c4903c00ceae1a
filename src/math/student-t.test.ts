import { describe, expect, it } from 'vitest';
import { logGamma, studentTCdf, studentTQuantile } from './student-t.js';

describe("Student's t", () => {
  // expected values: /usr/bin/python3 -c "from scipy.stats import t; print(repr(t.ppf(p, df)))" (scipy 1.10.1).
  // scipy's ppf is itself only good to ~1e-9 here (t.cdf(t.ppf(0.975, 5), 5) − 0.975 = 3e-11), hence 1e-8;
  // the round trip below checks our own accuracy more tightly.
  const quantiles: [number, number, number][] = [
    [0.975, 1, 12.706204736432095],
    [0.975, 2, 4.302652729911275],
    [0.975, 5, 2.5705818366147395],
    [0.975, 30, 2.0422724563012373],
    [0.95, 10, 1.8124611228107335],
    [0.995, 3, 5.84090929975643],
    [0.6, 7, 0.2631668613520166],
    [0.025, 12, -2.178812829663418],
    [0.975, 1000, 1.9623390808264074],
    [0.999999, 4, 41.57785415015412],
  ];
  for (const [p, df, expected] of quantiles) {
    it(`quantile(${p}, ${df}) = ${expected}`, () => {
      expect(Math.abs(studentTQuantile(p, df) - expected) / Math.abs(expected)).toBeLessThan(1e-8);
    });
  }

  it('inverts its own CDF to 1e-13', () => {
    for (const [p, df] of quantiles) expect(Math.abs(studentTCdf(studentTQuantile(p, df), df) - p)).toBeLessThan(1e-13);
  });

  it('CDF matches scipy', () => {
    // /usr/bin/python3 -c "from scipy.stats import t; print(repr(t.cdf(2.5, 7)), repr(t.cdf(-1.3, 3.5)))"
    expect(studentTCdf(2.5, 7)).toBeCloseTo(0.9795038907071236, 13);
    expect(studentTCdf(-1.3, 3.5)).toBeCloseTo(0.13629770790218498, 13);
  });

  it('log-gamma matches factorials', () => {
    // Γ(n) = (n − 1)!: ln Γ(10) = ln 362880; Γ(1/2) = √π
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
  });

  it('handles the edges', () => {
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(1, 3)).toBe(Number.POSITIVE_INFINITY);
    expect(studentTQuantile(0.9, 0)).toBeNaN();
  });
});
