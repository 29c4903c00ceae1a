import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { type DesignMatrix, designMatrix } from '../input.js';
import { modelRegistry } from '../registry.js';
import { GbdtClassifier } from './gbdt-classifier.js';
import { GbdtRegressor } from './gbdt-regressor.js';
import { topContributions } from './treeshap.js';

function matrix(rows: number, cols: number, fill: (i: number, j: number) => number, names?: string[]): DesignMatrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = fill(i, j);
  return names ? { rows, cols, data, featureNames: names } : { rows, cols, data };
}

/** Two informative features and one of noise; a noisy logistic label. */
function failureData(rows: number, seed: number) {
  const rng = new Rng(seed);
  const X = matrix(rows, 3, () => rng.normal(), ['torque', 'wear', 'noise']);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const margin = 2 * X.data[i * 3] + (X.data[i * 3 + 1] > 0.5 ? 2 : -1) + 0.3 * rng.normal();
    y[i] = margin > 0.5 ? 1 : 0;
  }
  return { X, y };
}

describe('GbdtRegressor', () => {
  it('recovers a step function', () => {
    // y = 0 below 2, 5 on [2, 6), −3 from 6: three plateaus of a noiseless step.
    const step = (x: number) => (x < 2 ? 0 : x < 6 ? 5 : -3);
    const X = matrix(200, 1, (i) => i / 20);
    const y = Float64Array.from({ length: 200 }, (_, i) => step(i / 20));
    const model = new GbdtRegressor({ nEstimators: 60, maxDepth: 2, learningRate: 0.5 }).fit(X, y);
    const probe = matrix(9, 1, (i) => 0.5 + i * 1.1);
    const predicted = model.predict(probe);
    for (let i = 0; i < 9; i++) expect(predicted[i]).toBeCloseTo(step(0.5 + i * 1.1), 3);
    // The first tree's root cuts one of the steps halfway between neighbouring x values (1.95|2 or 5.95|6).
    const root = model.state.trees.threshold[0];
    expect([Math.fround(1.975), Math.fround(5.975)]).toContain(root);
  });

  it('clips remaining-useful-life predictions at 0', () => {
    const X = matrix(50, 1, (i) => i);
    const y = Float64Array.from({ length: 50 }, (_, i) => Math.max(0, 20 - i));
    const rul = new GbdtRegressor({ task: 'rul', nEstimators: 20, baseScore: -5 }).fit(X, y);
    expect(rul.task).toBe('rul');
    expect(Math.min(...rul.predict(X))).toBeGreaterThanOrEqual(0);
  });

  it('treats a weight of 2 like a duplicated row', () => {
    // With fewer distinct values than bins the cuts do not depend on counts, so the models agree to rounding.
    const X = matrix(40, 2, (i, j) => ((i * (j + 3)) % 11) + j);
    const y = Float64Array.from({ length: 40 }, (_, i) => (i % 7) - (i % 3));
    const weights = new Float64Array(40).fill(1);
    weights[5] = 2;
    const weighted = new GbdtRegressor({ nEstimators: 10 }).fit(X, y, { sampleWeight: weights });
    const duplicated = matrix(41, 2, (i, j) => X.data[(i === 40 ? 5 : i) * 2 + j]);
    const yDuplicated = Float64Array.from({ length: 41 }, (_, i) => y[i === 40 ? 5 : i]);
    const plain = new GbdtRegressor({ nEstimators: 10 }).fit(duplicated, yDuplicated);
    const a = weighted.predict(X);
    const b = plain.predict(X);
    for (let i = 0; i < 40; i++) expect(a[i]).toBeCloseTo(b[i], 9);
  });
});

describe('GbdtClassifier', () => {
  it('separates failures from normal operation', () => {
    const train = failureData(2000, 1);
    const test = failureData(1000, 2);
    const model = new GbdtClassifier({ nEstimators: 50, maxDepth: 3, learningRate: 0.2 }).fit(train.X, train.y);
    const predicted = model.predict(test.X);
    let correct = 0;
    for (let i = 0; i < 1000; i++) if (predicted[i] === test.y[i]) correct++;
    expect(correct / 1000).toBeGreaterThan(0.93);
    const importance = model.featureImportance('totalGain');
    expect(Object.keys(importance)[2]).toBe('noise');
    const probabilities = model.predictProba(test.X);
    const margins = model.predictMargin(test.X);
    expect(probabilities.data[1]).toBeCloseTo(1 / (1 + Math.exp(-margins.data[0])), 14);
  });

  it('weights the positive class with scalePosWeight', () => {
    const { X, y } = failureData(600, 3);
    const plain = new GbdtClassifier({ nEstimators: 10 }).fit(X, y).predictProba(X);
    const scaledModel = new GbdtClassifier({ nEstimators: 10, scalePosWeight: 5 }).fit(X, y);
    const scaled = scaledModel.predictProba(X);
    // The same as weighting each positive row 5 (bit for bit: the weights are the same numbers).
    const weights = Float64Array.from(y, (label) => (label === 1 ? 5 : 1));
    const weighted = new GbdtClassifier({ nEstimators: 10 }).fit(X, y, { sampleWeight: weights }).predictProba(X);
    expect(Array.from(scaled.data)).toEqual(Array.from(weighted.data));
    // Positives (and borderline negatives) score higher.
    let plainPositive = 0;
    let scaledPositive = 0;
    for (let i = 0; i < 600; i++) {
      if (y[i] !== 1) continue;
      plainPositive += plain.data[2 * i + 1];
      scaledPositive += scaled.data[2 * i + 1];
    }
    expect(scaledPositive).toBeGreaterThan(plainPositive);
    expect(() =>
      new GbdtClassifier({ scalePosWeight: 2 }).fit(
        X,
        Float64Array.from(y, (v, i) => v + (i % 3 === 0 ? 2 : 0)),
      ),
    ).toThrow(/^scalePosWeight applies to two classes, y has 4/);
  });

  it('classifies several failure modes with softmax', () => {
    const rng = new Rng(4);
    const X = matrix(900, 2, () => rng.normal(), ['heat', 'strain']);
    // Mode 0: neither high; 1: heat high; 2: strain high (whichever is larger).
    const y = Float64Array.from({ length: 900 }, (_, i) => {
      const heat = X.data[2 * i];
      const strain = X.data[2 * i + 1];
      return heat < 0.3 && strain < 0.3 ? 10 : heat > strain ? 20 : 30;
    });
    const model = new GbdtClassifier({ nEstimators: 30, maxDepth: 3 }).fit(X, y);
    expect(model.classes).toEqual([10, 20, 30]);
    const probabilities = model.predictProba(X);
    expect(probabilities.cols).toBe(3);
    for (let i = 0; i < 5; i++) {
      const row = probabilities.data.subarray(3 * i, 3 * i + 3);
      expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 14);
    }
    const predicted = model.predict(X);
    let correct = 0;
    for (let i = 0; i < 900; i++) if (predicted[i] === y[i]) correct++;
    expect(correct / 900).toBeGreaterThan(0.95);
    expect(model.state.trees.treeGroups.length).toBe(90);
    expect(Array.from(model.state.trees.treeGroups.subarray(0, 6))).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('stops early on held-out rows and records the validation loss', () => {
    const { X, y } = failureData(800, 5);
    const model = new GbdtClassifier({ nEstimators: 500, learningRate: 0.5, earlyStoppingRounds: 10 }).fit(X, y);
    const losses = model.state.validationLoss;
    expect(losses.length).toBeLessThan(500);
    expect(model.state.rounds).toBe(losses.indexOf(Math.min(...losses)) + 1);
    expect(model.summary()).toMatchObject({ rounds: model.state.rounds, objective: 'binary:logistic' });
  });

  it('reports progress per round', () => {
    const { X, y } = failureData(100, 6);
    const seen: number[] = [];
    new GbdtClassifier({ nEstimators: 4 }).fit(X, y, { onProgress: ({ iteration }) => seen.push(iteration) });
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('saves and loads to bit-identical predictions through the registry', () => {
    const { X, y } = failureData(300, 7);
    const model = new GbdtClassifier({ nEstimators: 12, growPolicy: 'lossguide', maxLeaves: 5 }).fit(X, y);
    const loaded = modelRegistry.load(JSON.parse(JSON.stringify(model))) as GbdtClassifier;
    const a = model.predictProba(X).data;
    const b = loaded.predictProba(X).data;
    for (let i = 0; i < a.length; i++) expect(Object.is(a[i], b[i])).toBe(true);
  });

  it('rejects bad options with the option and value in the message', () => {
    const { X, y } = failureData(50, 8);
    const fitWith = (options: object) => () => new GbdtClassifier(options).fit(X, y);
    expect(fitWith({ learningRate: 0 })).toThrow(ValidationError);
    expect(fitWith({ learningRate: 0 })).toThrow(/^learningRate must be a finite number > 0, got 0$/);
    expect(fitWith({ maxDepth: 2.5 })).toThrow(/^maxDepth must be an integer from 0 to 64, got 2.5$/);
    expect(fitWith({ subsample: 1.5 })).toThrow(/^subsample must be a number in \(0, 1\], got 1.5$/);
    expect(fitWith({ growPolicy: 'best' })).toThrow(/^growPolicy must be 'depthwise' or 'lossguide', got "best"$/);
    expect(fitWith({ maxDepth: 0 })).toThrow(/maxDepth 0 \(no limit\) needs maxLeaves > 0/);
    expect(fitWith({ classWeight: { 7: 2 } })).toThrow(/^classWeight.7 names a class not in y/);
    expect(fitWith({ baseScore: 1.2 })).toThrow(/^baseScore must be a probability in \(0, 1\), got 1.2$/);
  });
});

describe('the doc comments’ examples', () => {
  it('GbdtClassifier @example prints what it says', () => {
    const X = designMatrix(
      [
        [10, 1],
        [20, 2],
        [30, 1],
        [40, 2],
        [50, 1],
        [60, 2],
      ],
      ['torque', 'wear'],
    );
    const model = new GbdtClassifier({ nEstimators: 5, maxDepth: 1, minChildWeight: 0 }).fit(X, [0, 0, 0, 1, 1, 1]);
    expect(Array.from(model.predict(X))).toEqual([0, 0, 0, 1, 1, 1]);
    const failure = Array.from(
      model.predictProba(X).data.filter((_, k) => k % 2 === 1),
      (p) => Number(p.toFixed(3)),
    );
    expect(failure).toEqual([0.263, 0.263, 0.263, 0.737, 0.737, 0.737]);
    const importance = model.featureImportance();
    expect(Object.keys(importance)).toEqual(['torque', 'wear']);
    expect(importance.torque).toBeCloseTo(1.652, 3);
    expect(importance.wear).toBe(0);
    const explanation = model.explain(X);
    const top = topContributions(explanation, explanation.featureNames, 5);
    expect(top).toHaveLength(1);
    expect(top[0].feature).toBe('torque');
    expect(top[0].contribution).toBeCloseTo(1.029, 3);
  });

  it('GbdtRegressor @example prints what it says', () => {
    const X = designMatrix([[0], [10], [20], [30], [40], [50]], ['cycles']);
    const model = new GbdtRegressor({ task: 'rul', nEstimators: 20, maxDepth: 2 }).fit(X, [50, 40, 30, 20, 10, 0]);
    const predicted = model.predict(designMatrix([[5], [45], [80]], ['cycles']));
    expect(Array.from(predicted, (value) => Number(value.toFixed(2)))).toEqual([39.85, 1.01, 1.01]);
  });
});
