import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvFrame } from './csv-frame.js';
import { groundTruth, makeRegression, regressionFrame, writeRegressionCsv } from './synthetic.js';

const directory = mkdtempSync(join(tmpdir(), 'upkeep-synthetic-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Ordinary least squares for one input: slope = Sxy / Sxx, intercept = ȳ − slope·x̄, with standard errors. */
function simpleLeastSquares(x: ArrayLike<number>, y: ArrayLike<number>) {
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i]!;
    meanY += y[i]!;
  }
  meanX /= n;
  meanY /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - meanX) ** 2;
    sxy += (x[i]! - meanX) * (y[i]! - meanY);
  }
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  let residualSquares = 0;
  for (let i = 0; i < n; i++) residualSquares += (y[i]! - intercept - slope * x[i]!) ** 2;
  const sigma = Math.sqrt(residualSquares / (n - 2));
  return {
    slope,
    intercept,
    sigma,
    slopeError: sigma / Math.sqrt(sxx),
    interceptError: sigma * Math.sqrt(1 / n + (meanX * meanX) / sxx),
  };
}

describe('makeRegression', () => {
  it('the noisy-sensor data: least squares recovers the coefficient and bias within noise', () => {
    const data = makeRegression({ samples: 1000, features: 1, noise: 10, bias: 13, seed: 42 });
    expect(data.featureNames).toEqual(['x']);
    const coefficient = data.coefficients[0]!;
    expect(coefficient).toBeGreaterThan(0);
    expect(coefficient).toBeLessThan(100);
    const fit = simpleLeastSquares(data.data, data.y);
    // within 4 standard errors (a 1-in-15,000 chance of failing for a correct generator)
    expect(Math.abs(fit.slope - coefficient)).toBeLessThan(4 * fit.slopeError);
    expect(Math.abs(fit.intercept - 13)).toBeLessThan(4 * fit.interceptError);
    // the residual spread is the noise: its estimate from 1000 draws is within ±10%
    expect(fit.sigma).toBeGreaterThan(9);
    expect(fit.sigma).toBeLessThan(11);
  });

  it('is exact without noise, with zero coefficients for uninformative inputs', () => {
    const data = makeRegression({ samples: 50, features: 5, informative: 2, bias: -3, seed: 1 });
    expect(data.featureNames).toEqual(['x1', 'x2', 'x3', 'x4', 'x5']);
    expect([...data.coefficients].filter((value) => value === 0).length).toBe(3);
    for (let row = 0; row < data.rows; row++) {
      let expected = -3;
      for (let j = 0; j < 5; j++) expected += data.data[row * 5 + j]! * data.coefficients[j]!;
      expect(data.y[row]).toBeCloseTo(expected, 10);
    }
  });

  it('draws standard normal inputs', () => {
    const data = makeRegression({ samples: 20_000, features: 1, seed: 3 });
    let mean = 0;
    for (const value of data.data) mean += value;
    mean /= data.data.length;
    let variance = 0;
    for (const value of data.data) variance += (value - mean) ** 2;
    variance /= data.data.length;
    // standard error of the mean 1/√20000 ≈ 0.007; of the variance √(2/20000) = 0.01
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const first = makeRegression({ samples: 10, features: 3, noise: 1, seed: 9 });
    expect(makeRegression({ samples: 10, features: 3, noise: 1, seed: 9 })).toEqual(first);
    expect(makeRegression({ samples: 10, features: 3, noise: 1, seed: 10 }).y).not.toEqual(first.y);
  });

  it('rejects bad options, naming them', () => {
    expect(() => makeRegression({ samples: 0, features: 1 })).toThrow(/^samples must be an integer ≥ 1, got 0$/);
    expect(() => makeRegression({ samples: 10, features: 2, informative: 3 })).toThrow(
      /informative must be an integer between 0 and 2, got 3/,
    );
    expect(() => makeRegression({ samples: 10, features: 1, noise: -1 })).toThrow(
      /noise must be a finite number ≥ 0, got -1/,
    );
    expect(() => makeRegression({ samples: 10, features: 1, bias: Number.NaN })).toThrow(
      /bias must be a finite number, got NaN/,
    );
    expect(() => makeRegression({ samples: 1e6, features: 1000 })).toThrow(/samples × features must be at most/);
  });
});

describe('writeRegressionCsv', () => {
  it('writes x…, y columns that read back to the same numbers', async () => {
    const path = join(directory, 'd.csv');
    const data = await writeRegressionCsv(path, { samples: 200, features: 2, noise: 0.5, bias: 1, seed: 4 });
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('x1,x2,y');
    const frame = await readCsvFrame(path);
    expect(frame.rowCount).toBe(200);
    expect(frame.columns).toEqual(regressionFrame(data).columns);
    expect(groundTruth(data)).toEqual({
      coefficients: { x1: data.coefficients[0], x2: data.coefficients[1] },
      bias: 1,
    });
  });
});
