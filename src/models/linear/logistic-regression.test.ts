import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type DesignMatrix, designMatrix } from '../input.js';
import { LogisticRegression, type LogisticRegressionOptions } from './logistic-regression.js';

interface GoldenFit {
  options: { C?: number; class_weight?: 'balanced' | Record<string, number>; fit_intercept?: boolean };
  intercepts: number[];
  coefficients: number[][];
  nIter: number;
  probaHead: number[][];
  newtonReference?: number[];
}

// expected values: /usr/bin/python3 test/fixtures/golden/make_logistic_golden.py
// (sklearn LogisticRegression(solver="lbfgs", tol=1e-10, max_iter=100000); "newtonReference" = the same objective
// solved by numpy Newton iterations to the rounding level)
const golden = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/golden/logistic.json', import.meta.url), 'utf8'),
) as {
  cases: {
    synthetic: { X: number[][]; y: number[]; sampleWeight: number[]; fits: Record<string, GoldenFit> };
    multiclass: { X: number[][]; y: number[]; fits: Record<string, GoldenFit> };
    ai4i?: { featureNames: string[]; rows: number; positives: number; fits: Record<string, GoldenFit> };
  };
};

function optionsOf(fit: GoldenFit): Partial<LogisticRegressionOptions> {
  const classWeight = fit.options.class_weight;
  return {
    C: fit.options.C ?? 1,
    fitIntercept: fit.options.fit_intercept ?? true,
    classWeight: classWeight === undefined ? null : classWeight,
  };
}

/** |a − b| ≤ tolerance · max(1, |b|) entry by entry, with a message naming the entry. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, label: string): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) {
    const error = Math.abs(actual[j] - expected[j]) / Math.max(1, Math.abs(expected[j]));
    if (!(error <= tolerance))
      throw new Error(`${label}[${j}]: got ${actual[j]}, expected ${expected[j]} (error ${error})`);
  }
}

function checkBinary(model: LogisticRegression, fit: GoldenFit, X: DesignMatrix): void {
  const { state } = model;
  expect(state.converged).toBe(true);
  expectClose(state.coefficients, fit.coefficients[0], 1e-4, 'coefficients vs sklearn');
  if (fit.options.fit_intercept !== false) expectClose(state.intercepts, fit.intercepts, 1e-4, 'intercept vs sklearn');
  const reference = fit.newtonReference as number[];
  const ours =
    fit.options.fit_intercept === false ? Array.from(state.coefficients) : [state.intercepts[0], ...state.coefficients];
  expectClose(ours, reference, 1e-8, 'parameters vs Newton reference');
  const head = model.predictProba({ rows: 5, cols: X.cols, data: X.data.subarray(0, 5 * X.cols) });
  expectClose(head.data, fit.probaHead.flat(), 1e-4, 'probabilities vs sklearn');
}

describe('LogisticRegression against scikit-learn (synthetic, standardised)', () => {
  const synthetic = golden.cases.synthetic;
  const X = designMatrix(synthetic.X);

  for (const name of ['plain', 'balancedStrong', 'explicitWeighted', 'noIntercept']) {
    it(`${name}: coefficients within 1e-4 of sklearn and 1e-8 of the Newton reference`, () => {
      const fit = synthetic.fits[name];
      const sampleWeight = name === 'explicitWeighted' ? synthetic.sampleWeight : undefined;
      const model = new LogisticRegression(optionsOf(fit)).fit(X, synthetic.y, { sampleWeight });
      checkBinary(model, fit, X);
      expect(model.state.iterations).toBeGreaterThan(0);
      expect(model.state.iterations).toBeLessThan(20);
    });
  }

  it('multinomial: three classes by L-BFGS match sklearn within 1e-4', () => {
    const multiclass = golden.cases.multiclass;
    const fit = multiclass.fits.multinomial;
    const model = new LogisticRegression({ C: 0.5 }).fit(designMatrix(multiclass.X), multiclass.y);
    expect(model.classes).toEqual([0, 1, 2]);
    expect(model.state.converged).toBe(true);
    expectClose(model.state.coefficients, fit.coefficients.flat(), 1e-4, 'coefficients');
    expectClose(model.state.intercepts, fit.intercepts, 1e-4, 'intercepts');
    const head = model.predictProba({ rows: 5, cols: 5, data: designMatrix(multiclass.X).data.subarray(0, 25) });
    expectClose(head.data, fit.probaHead.flat(), 1e-4, 'probabilities');
  });

  it('reaches the same optimum with a subsampled Hessian and a warm start (the tall-data path)', () => {
    const fit = synthetic.fits.plain;
    const model = new LogisticRegression({ hessianRows: 60, blockRows: 10, tol: 1e-9 }).fit(X, synthetic.y);
    expect(model.state.subsampleIterations).toBeGreaterThan(0);
    expect(model.state.converged).toBe(true);
    expectClose(
      [model.state.intercepts[0], ...model.state.coefficients],
      fit.newtonReference as number[],
      1e-8,
      'parameters',
    );
  });

  it('gives the same answer whatever the block size', () => {
    const reference = new LogisticRegression().fit(X, synthetic.y).state;
    const other = new LogisticRegression({ blockRows: 3 }).fit(X, synthetic.y).state;
    expectClose(other.coefficients, Array.from(reference.coefficients), 1e-10, 'coefficients');
  });
});

const ai4iPath = new URL('../../../../shared/datasets/ai4i2020/train.csv', import.meta.url);
const ai4iFeatures = [
  'Air temperature [K]',
  'Process temperature [K]',
  'Rotational speed [rpm]',
  'Torque [Nm]',
  'Tool wear [min]',
];

/** The AI4I design of the golden script: five sensors and Type one-hot (H, L, M), standardised (population std). */
function loadAi4i(): { X: DesignMatrix; y: number[] } {
  const records = parse(readFileSync(ai4iPath), { columns: true }) as Record<string, string>[];
  const names = [...ai4iFeatures, 'Type_H', 'Type_L', 'Type_M'];
  const rows = records.map((record) => [
    ...ai4iFeatures.map((column) => Number(record[column])),
    ...['H', 'L', 'M'].map((type) => (record.Type === type ? 1 : 0)),
  ]);
  for (let j = 0; j < names.length; j++) {
    const mean = rows.reduce((sum, row) => sum + row[j], 0) / rows.length;
    const std = Math.sqrt(rows.reduce((sum, row) => sum + (row[j] - mean) ** 2, 0) / rows.length);
    for (const row of rows) row[j] = (row[j] - mean) / std;
  }
  return { X: designMatrix(rows, names), y: records.map((record) => Number(record['Machine failure'])) };
}

describe.skipIf(!existsSync(ai4iPath))('LogisticRegression against scikit-learn (AI4I 2020)', () => {
  if (!existsSync(ai4iPath)) return;
  const ai4i = golden.cases.ai4i;
  if (!ai4i) throw new Error('logistic.json has no ai4i case: rerun make_logistic_golden.py with the dataset present');
  const { X, y } = loadAi4i();

  for (const name of ['plain', 'balanced']) {
    it(`${name}: coefficients within 1e-4 of sklearn and 1e-8 of the Newton reference`, () => {
      expect(X.rows).toBe(ai4i.rows);
      const model = new LogisticRegression(optionsOf(ai4i.fits[name])).fit(X, y);
      checkBinary(model, ai4i.fits[name], X);
      expect(Object.keys(model.summary().coefficients as object)).toEqual(ai4i.featureNames);
    });
  }
});

if (!existsSync(ai4iPath)) {
  describe('LogisticRegression against scikit-learn (AI4I 2020)', () => {
    it.skip(`skipped: ${ai4iPath.pathname} is absent`, () => {});
  });
}

describe('LogisticRegression behaviour', () => {
  it('predicts labels and probabilities that sum to one, with arbitrary label values', () => {
    const X = designMatrix([[-2], [-1], [-0.5], [0.5], [1], [2]]);
    const model = new LogisticRegression({ C: 10 }).fit(X, [7, 7, 9, 7, 9, 9]);
    expect(model.classes).toEqual([7, 9]);
    const proba = model.predictProba(designMatrix([[-3], [3]]));
    expect(proba.cols).toBe(2);
    expect(proba.data[0] + proba.data[1]).toBeCloseTo(1, 15);
    expect(Array.from(model.predict(designMatrix([[-3], [3]])))).toEqual([7, 9]);
  });

  it('reports progress once per iteration with the loss decreasing', () => {
    const synthetic = golden.cases.synthetic;
    const losses: number[] = [];
    new LogisticRegression().fit(designMatrix(synthetic.X), synthetic.y, {
      onProgress: (progress) => losses.push(progress.loss as number),
    });
    expect(losses.length).toBeGreaterThan(2);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThanOrEqual(losses[i - 1]);
  });

  it('rejects one-class targets, bad options and unknown class-weight labels with clear messages', () => {
    const X = designMatrix([[0], [1], [2]]);
    expect(() => new LogisticRegression().fit(X, [1, 1, 1])).toThrow(
      /^y has only one class \(1\): a classifier needs at least two$/,
    );
    expect(() => new LogisticRegression({ C: 0 }).fit(X, [0, 1, 1])).toThrow(/^C must be a finite number > 0, got 0$/);
    expect(() => new LogisticRegression({ classWeight: { '5': 2 } }).fit(X, [0, 1, 1])).toThrow(
      /^classWeight\.5 names a class not in y \(classes: 0, 1\)$/,
    );
  });

  it('flags non-convergence on separable data without a penalty instead of looping forever', () => {
    const X = designMatrix([[-2], [-1], [1], [2]]);
    const model = new LogisticRegression({ penalty: 'none', maxIterations: 15 }).fit(X, [0, 0, 1, 1]);
    expect(model.state.converged).toBe(false);
    expect(model.state.warnings[0]).toMatch(/did not converge in 15 iterations|no step decreased the loss/);
    expect(model.predict(X)).toEqual(Float64Array.from([0, 0, 1, 1]));
  });
});

describe('LogisticRegression documentation example', () => {
  it('prints what the @example says', () => {
    const X = designMatrix([[-2], [-1], [-0.5], [0.5], [1], [2]], ['torque']);
    const model = new LogisticRegression({ C: 10 }).fit(X, [0, 0, 1, 0, 1, 1]);
    expect(Array.from(model.predict(designMatrix([[-3], [3]], ['torque'])))).toEqual([0, 1]);
    const proba = model.predictProba(designMatrix([[3]], ['torque'])).data;
    expect(proba[0]).toBeCloseTo(0.024669, 6);
    expect(proba[1]).toBeCloseTo(0.975331, 6);
    expect((model.summary().coefficients as Record<string, number>).torque).toBeCloseTo(1.225747, 6);
    expect(model.state.iterations).toBe(4);
  });
});
