import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnprocessableError, ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { DesignMatrix } from '../input.js';
import { GbdtClassifier } from './gbdt-classifier.js';
import { GbdtRegressor } from './gbdt-regressor.js';
import { predictMargins } from './tree.js';
import { treeShap } from './treeshap.js';
import { formatXgboostJson, parseXgboostJson, toXgboostJson } from './xgboost-json.js';

// Fixtures made by XGBoost 1.7.4 (Debian python3-xgboost):
//   /usr/bin/python3 test/fixtures/xgboost/make_fixture.py
const fixtures = new URL('../../../test/fixtures/xgboost/', import.meta.url);

interface Expected {
  features: string[];
  X: (number | null)[][];
  margin: number[] | number[][];
  contribs: number[][] | number[][][];
}

function fixture(name: string): { model: unknown; expected: Expected; data: Float64Array; rows: number; cols: number } {
  const model = JSON.parse(readFileSync(new URL(`${name}.model.json`, fixtures), 'utf8')) as unknown;
  const expected = JSON.parse(readFileSync(new URL(`${name}.expected.json`, fixtures), 'utf8')) as Expected;
  const rows = expected.X.length;
  const cols = expected.features.length;
  const data = Float64Array.from(expected.X.flat(), (value) => (value === null ? Number.NaN : value));
  return { model, expected, data, rows, cols };
}

describe('XGBoost JSON models', () => {
  for (const name of ['binary', 'multiclass', 'regression']) {
    it(`${name}: margins equal XGBoost's output_margin and contributions its pred_contribs`, () => {
      const { model, expected, data, rows, cols } = fixture(name);
      const booster = parseXgboostJson(model);
      expect(booster.featureNames).toEqual(expected.features);
      const margins = predictMargins(booster.ensemble, booster.shape, data, rows, cols);
      const expectedMargins = (expected.margin as (number | number[])[]).flat();
      expect(margins.length).toBe(expectedMargins.length);
      // Inputs rounded to float32 and float32 sums in tree order, as XGBoost does: the margins agree exactly.
      expect(Array.from(margins)).toEqual(expectedMargins);
      // XGBoost computes contributions in float32: agreement to float32 rounding of values of order 1.
      const contributions = treeShap(booster.ensemble, booster.shape, data, rows, cols);
      const expectedContributions = (expected.contribs as unknown[]).flat(2) as number[];
      expect(contributions.data.length).toBe(expectedContributions.length);
      for (let i = 0; i < expectedContributions.length; i++) {
        expect(Math.abs(contributions.data[i] - expectedContributions[i])).toBeLessThan(2e-6);
      }
    });
  }

  it('loads into the model classes by feature name', () => {
    const { model, expected, data, rows, cols } = fixture('multiclass');
    const classifier = GbdtClassifier.fromXgboostJson(model);
    expect(classifier.classes).toEqual([0, 1, 2]);
    expect(classifier.featureNames).toEqual(expected.features);
    // Columns in reverse order are matched by name.
    const reversed = expected.features.slice().reverse();
    const permuted = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) permuted[i * cols + j] = data[i * cols + (cols - 1 - j)];
    const margins = classifier.predictMargin({ rows, cols, data: permuted, featureNames: reversed });
    const expectedMargins = (expected.margin as number[][]).flat();
    for (let i = 0; i < margins.data.length; i++)
      expect(Math.abs(margins.data[i] - expectedMargins[i])).toBeLessThanOrEqual(1e-6);
    // Saved and loaded as an Upkeep artifact it still predicts as XGBoost does.
    const reloaded = GbdtClassifier.fromJSON(JSON.parse(JSON.stringify(classifier)));
    expect(Array.from(reloaded.predictMargin({ rows, cols, data, featureNames: expected.features }).data)).toEqual(
      Array.from(classifier.predictMargin({ rows, cols, data, featureNames: expected.features }).data),
    );
    const regression = fixture('regression');
    const regressor = GbdtRegressor.fromXgboostJson(regression.model);
    const predicted = regressor.predict({
      rows: regression.rows,
      cols,
      data: regression.data,
      featureNames: expected.features,
    });
    const expectedRegression = regression.expected.margin as number[];
    for (let i = 0; i < predicted.length; i++)
      expect(Math.abs(predicted[i] - expectedRegression[i])).toBeLessThanOrEqual(1e-6);
    expect(() => GbdtClassifier.fromXgboostJson(regression.model)).toThrow(/load it with GbdtRegressor/);
    expect(() => GbdtRegressor.fromXgboostJson(model)).toThrow(/load it with GbdtClassifier/);
  });

  it('rejects what it cannot read with the field named', () => {
    const { model } = fixture('binary');
    interface ModelFile {
      learner: {
        objective: { name: string };
        gradient_booster: {
          name: string;
          model: { trees: { split_type: number[]; left_children: number[]; split_indices: number[] }[] };
        };
      };
    }
    const edit = (change: (copy: ModelFile) => void): unknown => {
      const copy = structuredClone(model) as ModelFile;
      change(copy);
      return copy;
    };
    expect(() => parseXgboostJson(null)).toThrow(/^model must be an object, got null$/);
    expect(() => parseXgboostJson(edit((m) => (m.learner.objective.name = 'rank:pairwise')))).toThrow(
      UnprocessableError,
    );
    expect(() => parseXgboostJson(edit((m) => (m.learner.gradient_booster.name = 'dart')))).toThrow(/only 'gbtree'/);
    expect(() => parseXgboostJson(edit((m) => (m.learner.gradient_booster.model.trees[2].split_type[0] = 1)))).toThrow(
      /trees\[2\] node 0 is a categorical split/,
    );
    expect(() => parseXgboostJson(edit((m) => m.learner.gradient_booster.model.trees[1].left_children.pop()))).toThrow(
      /^learner\.gradient_booster\.model\.trees\[1\]\.left_children has 14 entries, expected 15$/,
    );
    expect(() =>
      parseXgboostJson(edit((m) => (m.learner.gradient_booster.model.trees[0].left_children[0] = 0))),
    ).toThrow(ValidationError);
    expect(() =>
      parseXgboostJson(edit((m) => (m.learner.gradient_booster.model.trees[0].split_indices[0] = 9))),
    ).toThrow(/splits on feature 9, the model has 5 features/);
  });
});

function trainingData(rows: number, seed: number): { X: DesignMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const data = Float64Array.from({ length: rows * 3 }, () => Math.round(rng.normal() * 1e4) / 1e3);
  const y = Float64Array.from({ length: rows }, (_, i) => (data[3 * i] + 0.5 * data[3 * i + 1] > 0.2 ? 1 : 0));
  return { X: { rows, cols: 3, data, featureNames: ['torque', 'speed', 'wear'] }, y };
}

describe('exporting to XGBoost JSON', () => {
  it('reads back to the same predictions (XGBoost stores float32)', () => {
    const { X, y } = trainingData(500, 1);
    for (const model of [
      new GbdtClassifier({ nEstimators: 20, maxDepth: 4 }).fit(X, y),
      new GbdtClassifier({ nEstimators: 10, maxDepth: 3 }).fit(
        X,
        Float64Array.from(y, (v, i) => v + (X.data[3 * i + 2] > 0 ? 2 : 0)),
      ),
      new GbdtRegressor({ nEstimators: 15 }).fit(X, Float64Array.from(X.data.filter((_, k) => k % 3 === 2))),
    ]) {
      const json = JSON.parse(model.toXgboostJson());
      const imported = parseXgboostJson(json);
      expect(imported.featureNames).toEqual(['torque', 'speed', 'wear']);
      const ours = model instanceof GbdtClassifier ? model.predictMargin(X).data : model.predict(X);
      const theirs = predictMargins(imported.ensemble, imported.shape, X.data, X.rows, X.cols);
      for (let i = 0; i < ours.length; i++)
        expect(Math.abs(ours[i] - theirs[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(ours[i])));
    }
  });

  it.skipIf(!existsSync('/usr/bin/python3'))('loads in XGBoost itself and predicts our margins', () => {
    let available = true;
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import xgboost'], { stdio: 'ignore' });
    } catch {
      available = false;
    }
    if (!available) return;
    const { X, y } = trainingData(300, 2);
    const labels = Float64Array.from(y, (v, i) => v + (X.data[3 * i + 2] > 0 ? 2 : 0));
    const model = new GbdtClassifier({ nEstimators: 8, maxDepth: 3 }).fit(X, labels);
    const directory = mkdtempSync(join(tmpdir(), 'upkeep-xgb-'));
    try {
      writeFileSync(join(directory, 'm.json'), model.toXgboostJson());
      writeFileSync(join(directory, 'X.f64'), Buffer.from(X.data.buffer));
      const script = [
        'import sys, json, numpy as np, xgboost as xgb',
        'd = sys.argv[1]',
        'b = xgb.Booster(model_file=d + "/m.json")',
        'X = np.fromfile(d + "/X.f64", dtype="<f8").reshape(-1, 3)',
        'm = xgb.DMatrix(X, feature_names=["torque", "speed", "wear"])',
        'print(json.dumps([b.predict(m, output_margin=True).astype(float).ravel().tolist(), b.predict(m, pred_contribs=True).astype(float).ravel().tolist()]))',
      ].join('\n');
      const [margins, contributions] = JSON.parse(
        execFileSync('/usr/bin/python3', ['-c', script, directory], { encoding: 'utf8' }),
      ) as [number[], number[]];
      const imported = parseXgboostJson(JSON.parse(model.toXgboostJson()));
      const ours = predictMargins(imported.ensemble, imported.shape, X.data, X.rows, X.cols);
      for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - margins[i])).toBeLessThanOrEqual(1e-6);
      const shap = treeShap(imported.ensemble, imported.shape, X.data, X.rows, X.cols);
      for (let i = 0; i < shap.data.length; i++) expect(Math.abs(shap.data[i] - contributions[i])).toBeLessThan(1e-5);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

it('toXgboostJson writes one leading round of leaves for per-class base margins', () => {
  const { X, y } = trainingData(200, 3);
  const labels = Float64Array.from(y, (v, i) => (X.data[3 * i + 2] > 1 ? 2 : v));
  const model = new GbdtClassifier({ nEstimators: 2, maxDepth: 2, baseScore: null }).fit(X, labels);
  const json = JSON.parse(model.toXgboostJson()) as {
    learner: { gradient_booster: { model: { tree_info: number[] } } };
  };
  expect(json.learner.gradient_booster.model.tree_info).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
  const booster = parseXgboostJson(json);
  expect(Array.from(booster.shape.baseMargin)).toEqual([0, 0, 0]);
  // With the default even start (one base margin for every class) no extra round is needed.
  const even = new GbdtClassifier({ nEstimators: 2, maxDepth: 2 }).fit(X, labels);
  expect(JSON.parse(even.toXgboostJson()).learner.gradient_booster.model.tree_info).toEqual([0, 1, 2, 0, 1, 2]);
  expect(toXgboostJson(booster)).toMatchObject({ version: [1, 7, 4] });
  // Floating-point fields keep a decimal point even for whole numbers (XGBoost rejects `0` there).
  expect(formatXgboostJson({ sum_hessian: [3, 0.5], left_children: [1, -1] })).toBe(
    '{"sum_hessian":[3.0,0.5],"left_children":[1,-1]}',
  );
});
