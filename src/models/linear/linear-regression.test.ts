import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { designMatrix } from '../input.js';
import { LinearRegression } from './linear-regression.js';

interface GoldenCase {
  X: number[][];
  y: number[];
  sampleWeight?: number[];
  ridge?: number;
  expected: {
    intercept: number;
    coefficients: number[];
    rank?: number;
    r2?: number;
    residualStandardError?: number;
    standardErrors?: number[];
    interceptStandardError?: number;
  };
}

// expected values: /usr/bin/python3 test/fixtures/golden/make_lstsq_golden.py
// (numpy.linalg.lstsq on [1 | X]; sklearn Ridge(solver="svd") and LinearRegression for the ridge and collinear cases)
const golden = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/golden/lstsq.json', import.meta.url), 'utf8'),
) as {
  cases: Record<string, GoldenCase>;
};

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
}

function expectRelative(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) {
    const error = relativeError(actual[j], expected[j]);
    if (error > tolerance)
      throw new Error(`entry ${j}: got ${actual[j]}, expected ${expected[j]} (relative error ${error})`);
  }
}

describe('LinearRegression against numpy.linalg.lstsq', () => {
  for (const name of ['wellConditioned', 'noIntercept', 'weighted', 'tall'] as const) {
    it(`${name}: coefficients to 1e-9 relative, standard errors and R² to 1e-9`, () => {
      const golden_ = golden.cases[name];
      const model = new LinearRegression({ fitIntercept: name !== 'noIntercept' });
      model.fit(designMatrix(golden_.X), golden_.y, { sampleWeight: golden_.sampleWeight });
      const { state } = model;
      expectRelative(state.coefficients, golden_.expected.coefficients, 1e-9);
      if (name !== 'noIntercept') expectRelative([state.intercept], [golden_.expected.intercept], 1e-9);
      expectRelative(state.standardErrors, golden_.expected.standardErrors as number[], 1e-9);
      if (name !== 'noIntercept') {
        expectRelative([state.interceptStandardError], [golden_.expected.interceptStandardError as number], 1e-9);
      }
      expectRelative([state.rSquared], [golden_.expected.r2 as number], 1e-9);
      expectRelative([state.residualStandardError], [golden_.expected.residualStandardError as number], 1e-9);
      expect(state.rank).toBe(golden_.X[0].length);
      expect(state.warnings).toEqual([]);
    });
  }

  it('gives the same answer whatever the block size of the streaming QR', () => {
    const golden_ = golden.cases.tall;
    const X = designMatrix(golden_.X);
    const reference = new LinearRegression().fit(X, golden_.y).state;
    for (const blockRows of [1, 7, 100, 4096]) {
      const state = new LinearRegression({ blockRows }).fit(X, golden_.y).state;
      expectRelative(state.coefficients, Array.from(reference.coefficients), 1e-11);
    }
  });

  it('ridge: matches the centred augmented lstsq (sklearn Ridge) with the intercept unpenalised', () => {
    const golden_ = golden.cases.ridge;
    const state = new LinearRegression({ ridge: golden_.ridge }).fit(designMatrix(golden_.X), golden_.y).state;
    expectRelative(state.coefficients, golden_.expected.coefficients, 1e-9);
    expectRelative([state.intercept], [golden_.expected.intercept], 1e-9);
    expect(state.standardErrors.every(Number.isNaN)).toBe(true);
  });

  it('collinear columns: warns naming the dependent feature and returns the minimum-norm solution', () => {
    const golden_ = golden.cases.collinear;
    const model = new LinearRegression().fit(designMatrix(golden_.X, ['load', 'speed', 'power']), golden_.y);
    const { state } = model;
    expect(state.rank).toBe(golden_.expected.rank);
    expectRelative(state.coefficients, golden_.expected.coefficients, 1e-8);
    expectRelative([state.intercept], [golden_.expected.intercept], 1e-9);
    expect(state.warnings).toHaveLength(1);
    expect(state.warnings[0]).toMatch(
      /^features '(load|speed|power)' are linearly dependent on the others \(rank 2 of 3\): coefficients are the minimum-norm solution$/,
    );
    expect(model.summary().dependentFeatures).toHaveLength(1);
  });

  it('a constant feature gets coefficient 0 and the intercept absorbs it', () => {
    // y = 1 + 2x exactly, plus a constant column c = 5: centring removes c, so b_c = 0 (as sklearn LinearRegression).
    const X = designMatrix([
      [0, 5],
      [1, 5],
      [2, 5],
      [3, 5],
    ]);
    const state = new LinearRegression().fit(X, [1, 3, 5, 7]).state;
    expect(state.coefficients[0]).toBeCloseTo(2, 12);
    expect(state.coefficients[1]).toBeCloseTo(0, 12);
    expect(state.intercept).toBeCloseTo(1, 12);
    expect(state.rSquared).toBe(1);
  });
});

describe('LinearRegression behaviour', () => {
  it('recovers an exact line and reports it in the summary by feature name', () => {
    const model = new LinearRegression().fit(designMatrix([[0], [1], [2], [3]], ['hours']), [1, 3, 5, 7]);
    const summary = model.summary();
    expect(summary.intercept).toBeCloseTo(1, 14);
    expect((summary.coefficients as Record<string, number>).hours).toBeCloseTo(2, 14);
    expect(Array.from(model.predict(designMatrix([[10]], ['hours'])))[0]).toBeCloseTo(21, 12);
  });

  it('clips RUL predictions at zero', () => {
    const model = new LinearRegression({ task: 'rul' }).fit(designMatrix([[0], [1], [2]]), [20, 10, 0]);
    expect(model.task).toBe('rul');
    const predictions = model.predict(designMatrix([[1], [5]]));
    expect(predictions[0]).toBeCloseTo(10, 12);
    expect(predictions[1]).toBe(0);
  });

  it('rejects bad options when fitting with messages naming them', () => {
    const X = designMatrix([[0], [1], [2]]);
    expect(() => new LinearRegression({ ridge: -1 }).fit(X, [1, 2, 3])).toThrow(
      /^ridge must be a finite number ≥ 0, got -1$/,
    );
    expect(() => new LinearRegression({ blockRows: 0 }).fit(X, [1, 2, 3])).toThrow(
      /^blockRows must be a positive integer, got 0$/,
    );
  });

  it('rejects non-finite targets and weights naming the position', () => {
    const X = designMatrix([[0], [1], [2]]);
    expect(() => new LinearRegression().fit(X, [1, Number.NaN, 3])).toThrow(
      /^y\[1\] must be a finite number, got NaN$/,
    );
    expect(() => new LinearRegression().fit(X, [1, 2, 3], { sampleWeight: [1, -1, 1] })).toThrow(
      /^sampleWeight\[1\] must be a finite number ≥ 0, got -1$/,
    );
    expect(() => new LinearRegression().fit(X, [1, 2])).toThrow(/^y has 2 values but X has 3 rows$/);
  });
});

describe('LinearRegression documentation example', () => {
  it('prints what the @example says', () => {
    const X = designMatrix([[0], [1], [2], [3]], ['hours']);
    const summary = new LinearRegression().fit(X, [1, 3, 5, 7]).summary();
    expect(summary.coefficients).toEqual({ hours: 2 });
    expect(summary.intercept).toBe(1);
  });
});
