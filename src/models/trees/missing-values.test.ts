import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { DesignMatrix } from '../input.js';
import { LinearRegression } from '../linear/linear-regression.js';
import { LogisticRegression } from '../linear/logistic-regression.js';
import { GbdtClassifier } from './gbdt-classifier.js';
import { GbdtRegressor } from './gbdt-regressor.js';

const names = ['temperature', 'vibration', 'pressure'];

/** y = 1 when temperature > 1 — or when the vibration sensor dropped out (NaN), which happens mostly before failures. */
function sensorDropouts(rows: number, seed: number): { X: DesignMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const data = new Float64Array(rows * 3);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const temperature = rng.normal();
    const failing = temperature > 1 || rng.next() < 0.15;
    data[i * 3] = temperature;
    data[i * 3 + 1] = failing && temperature <= 1 ? Number.NaN : rng.normal();
    data[i * 3 + 2] = rng.next() < 0.1 ? Number.NaN : rng.normal();
    y[i] = failing ? 1 : 0;
  }
  return { X: { rows, cols: 3, data, featureNames: names }, y };
}

describe('missing values (NaN) through the model API', () => {
  it('boosted trees declare that they accept missing values; linear models do not', () => {
    expect(GbdtClassifier.acceptsMissing).toBe(true);
    expect(GbdtRegressor.acceptsMissing).toBe(true);
    expect(new GbdtClassifier().acceptsMissing).toBe(true);
    expect(LogisticRegression.acceptsMissing).toBe(false);
    expect(LinearRegression.acceptsMissing).toBe(false);
  });

  it('a classifier trained with NaNs learns where to send them', () => {
    const { X, y } = sensorDropouts(3000, 1);
    const model = new GbdtClassifier({ nEstimators: 20, maxDepth: 3, learningRate: 0.3 }).fit(X, y);
    // Cool machine, vibration reading missing: failing (the dropout pattern); present and normal: healthy.
    const test: DesignMatrix = {
      rows: 2,
      cols: 3,
      data: Float64Array.of(0, Number.NaN, 0, 0, 0.1, 0),
      featureNames: names,
    };
    const probability = model.predictProba(test).data;
    expect(probability[1]).toBeGreaterThan(0.9);
    expect(probability[3]).toBeLessThan(0.1);
    // A split on vibration sends NaN the learned way: some split on it has its default direction chosen.
    const ensemble = model.state.trees;
    let vibrationSplits = 0;
    for (let node = 0; node < ensemble.left.length; node++) {
      if (ensemble.left[node] >= 0 && ensemble.feature[node] === 1) vibrationSplits++;
    }
    expect(vibrationSplits).toBeGreaterThan(0);
    // Saved and loaded: the same predictions on rows with NaN.
    const reloaded = GbdtClassifier.fromJSON(JSON.parse(JSON.stringify(model)));
    expect(Array.from(reloaded.predictProba(test).data)).toEqual(Array.from(probability));
  });

  it('predicts XGBoost’s shipped model with missing values as XGBoost does, through predictMargin', () => {
    const fixtures = new URL('../../../test/fixtures/xgboost/', import.meta.url);
    const model = JSON.parse(readFileSync(new URL('binary.model.json', fixtures), 'utf8')) as unknown;
    const expected = JSON.parse(readFileSync(new URL('binary.expected.json', fixtures), 'utf8')) as {
      features: string[];
      X: (number | null)[][];
      margin: number[];
    };
    const rows = expected.X.length;
    const cols = expected.features.length;
    const data = Float64Array.from(expected.X.flat(), (value) => (value === null ? Number.NaN : value));
    expect(data.some((value) => Number.isNaN(value))).toBe(true);
    const classifier = GbdtClassifier.fromXgboostJson(model);
    const margins = classifier.predictMargin({ rows, cols, data, featureNames: expected.features }).data;
    expect(Array.from(margins)).toEqual(expected.margin);
  });

  it('rejects ±Infinity even where NaN is allowed, naming the row and column', () => {
    const { X, y } = sensorDropouts(200, 2);
    const data = Float64Array.from(X.data);
    data[4 * 3 + 2] = Number.POSITIVE_INFINITY;
    const fit = () => new GbdtRegressor({ nEstimators: 2 }).fit({ ...X, data }, y);
    expect(fit).toThrow(ValidationError);
    expect(fit).toThrow("X[4, 'pressure'] must be a finite number, got Infinity");
  });

  it('linear and logistic regression still reject NaN, naming the row and column', () => {
    const { X, y } = sensorDropouts(200, 3);
    expect(() => new LogisticRegression().fit(X, y)).toThrow(ValidationError);
    expect(() => new LogisticRegression().fit(X, y)).toThrow(
      /^X\[\d+, '(vibration|pressure)'\] must be a finite number, got NaN$/,
    );
    const first = X.data.findIndex((value) => Number.isNaN(value));
    const where = `X[${Math.floor(first / 3)}, '${names[first % 3]}']`;
    expect(() => new LinearRegression().fit(X, y)).toThrow(`${where} must be a finite number, got NaN`);
  });
});
