import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import type { DesignMatrix } from '../input.js';
import { type BoostingOptions, boost, defaultBoostingOptions } from './boosting.js';
import { GbdtClassifier } from './gbdt-classifier.js';
import { GbdtRegressor } from './gbdt-regressor.js';
import { binaryLogistic, type Objective, softmax, squaredError } from './objectives.js';
import { type EnsembleShape, predictMargins, type TreeEnsemble, treeCount } from './tree.js';
import { nodeMeanValues, topContributions, treeShap } from './treeshap.js';

function randomData(rows: number, cols: number, seed: number, missingRate = 0): DesignMatrix {
  const rng = new Rng(seed);
  const data = Float64Array.from({ length: rows * cols }, () => rng.normal());
  for (let i = 0; i < data.length; i++) if (rng.next() < missingRate) data[i] = Number.NaN;
  return { rows, cols, data, featureNames: Array.from({ length: cols }, (_, j) => `s${j}`) };
}

/**
 * The path-dependent value of a feature subset S for one tree (Lundberg et al. 2018, Algorithm 1): follow the row
 * at splits on features in S (missing → default side), average both children by cover elsewhere.
 */
function subsetValue(ensemble: TreeEnsemble, tree: number, row: Float64Array, inSubset: boolean[]): number {
  const offset = ensemble.treeOffsets[tree];
  const visit = (node: number): number => {
    const at = offset + node;
    if (ensemble.left[at] < 0) return ensemble.value[at];
    const left = ensemble.left[at];
    const right = ensemble.right[at];
    const feature = ensemble.feature[at];
    if (inSubset[feature]) {
      const x = row[feature];
      if (Number.isNaN(x)) return visit(ensemble.defaultLeft[at] === 1 ? left : right);
      return visit(x < ensemble.threshold[at] ? left : right);
    }
    const coverLeft = ensemble.cover[offset + left];
    const coverRight = ensemble.cover[offset + right];
    return (visit(left) * coverLeft + visit(right) * coverRight) / ensemble.cover[at];
  };
  return visit(0);
}

/** Shapley values by enumerating all 2^M subsets: φ_i = Σ_S |S|!(M−|S|−1)!/M! (v(S ∪ i) − v(S)). O(2^M · M). */
function bruteForceShap(ensemble: TreeEnsemble, row: Float64Array, output: number): Float64Array {
  const features = row.length;
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Float64Array(features);
  for (let t = 0; t < treeCount(ensemble); t++) {
    if (ensemble.treeGroups[t] !== output) continue;
    const values = new Float64Array(1 << features);
    for (let mask = 0; mask < 1 << features; mask++) {
      const inSubset = Array.from({ length: features }, (_, j) => (mask & (1 << j)) !== 0);
      values[mask] = subsetValue(ensemble, t, row, inSubset);
    }
    for (let i = 0; i < features; i++) {
      for (let mask = 0; mask < 1 << features; mask++) {
        if (mask & (1 << i)) continue;
        let size = 0;
        for (let j = 0; j < features; j++) if (mask & (1 << j)) size++;
        const weight = (factorial(size) * factorial(features - size - 1)) / factorial(features);
        phi[i] += weight * (values[mask | (1 << i)] - values[mask]);
      }
    }
  }
  return phi;
}

/** Boosts directly (the engine keeps NaN as missing; the model classes require finite inputs). */
function boostOn(X: DesignMatrix, labels: Float64Array, objective: Objective, options: Partial<BoostingOptions>) {
  const result = boost(
    { data: X.data, rows: X.rows, cols: X.cols, labels, weights: new Float64Array(X.rows).fill(1) },
    objective,
    { ...defaultBoostingOptions, ...options },
  );
  const shape: EnsembleShape = {
    outputs: objective.outputs,
    featureCount: X.cols,
    baseMargin: result.baseMargin,
    precision: 'float64',
  };
  return { trees: result.ensemble, shape };
}

describe('TreeSHAP', () => {
  // 4 features, 5 % missing values.
  const X = randomData(400, 4, 1, 0.05);
  const y = Float64Array.from({ length: 400 }, (_, i) => {
    const row = X.data.subarray(4 * i, 4 * i + 4);
    const value =
      (Number.isNaN(row[0]) ? 1 : row[0]) * 2 + (row[1] > 0 ? 1.5 : 0) + (Number.isNaN(row[2]) ? 0 : row[2] * row[3]);
    return value > 0.8 ? 1 : 0;
  });

  it('contributions plus the bias add up to the margin (to 1e-9)', () => {
    const { trees, shape } = boostOn(X, y, binaryLogistic, { nEstimators: 40, maxDepth: 5, learningRate: 0.2 });
    const contributions = treeShap(trees, shape, X.data, X.rows, X.cols);
    const margins = predictMargins(trees, shape, X.data, X.rows, X.cols);
    let largest = 0;
    for (let i = 0; i < X.rows; i++) {
      let sum = 0;
      for (let j = 0; j <= 4; j++) sum += contributions.data[i * 5 + j];
      largest = Math.max(largest, Math.abs(sum - margins[i]));
    }
    expect(largest).toBeLessThan(1e-9);
  });

  it('the bias is the cover-weighted mean prediction plus the base margin', () => {
    const { trees, shape } = boostOn(X, y, squaredError, { nEstimators: 5, maxDepth: 3 });
    const means = nodeMeanValues(trees);
    let expected = shape.baseMargin[0];
    for (let t = 0; t < treeCount(trees); t++) expected += means[trees.treeOffsets[t]];
    expect(treeShap(trees, shape, X.data, 1, 4).data[4]).toBeCloseTo(expected, 14);
    // For one tree the mean value of the root is Σ leaf value · leaf cover / root cover.
    let weighted = 0;
    for (let node = 0; node < trees.treeOffsets[1]; node++) {
      if (trees.left[node] < 0) weighted += trees.value[node] * trees.cover[node];
    }
    expect(means[0]).toBeCloseTo(weighted / trees.cover[0], 14);
  });

  it('equals Shapley values enumerated over every feature subset, missing values included', () => {
    // Depth 6 on 4 features: paths split on the same feature more than once, which TreeSHAP unwinds.
    const { trees, shape } = boostOn(X, y, binaryLogistic, { nEstimators: 8, maxDepth: 6 });
    const fast = treeShap(trees, shape, X.data, 60, 4);
    let missingRows = 0;
    for (let i = 0; i < 60; i++) {
      const row = X.data.slice(4 * i, 4 * i + 4);
      if (row.some(Number.isNaN)) missingRows++;
      const exact = bruteForceShap(trees, row, 0);
      for (let j = 0; j < 4; j++) expect(Math.abs(fast.data[i * 5 + j] - exact[j])).toBeLessThan(1e-12);
    }
    expect(missingRows).toBeGreaterThan(3);
  });

  it('explains each class of a softmax model separately', () => {
    const labels = Float64Array.from(y, (label, i) => (label === 1 ? 2 : X.data[4 * i + 3] > 0 ? 1 : 0));
    const { trees, shape } = boostOn(X, labels, softmax(3), { nEstimators: 6, maxDepth: 3 });
    const contributions = treeShap(trees, shape, X.data, 50, 4);
    expect(contributions.outputs).toBe(3);
    const margins = predictMargins(trees, shape, X.data, 50, 4);
    for (let i = 0; i < 50; i++) {
      for (let k = 0; k < 3; k++) {
        let sum = 0;
        for (let j = 0; j <= 4; j++) sum += contributions.data[(i * 3 + k) * 5 + j];
        expect(Math.abs(sum - margins[i * 3 + k])).toBeLessThan(1e-9);
      }
      const exact = bruteForceShap(trees, X.data.slice(4 * i, 4 * i + 4), 1);
      for (let j = 0; j < 4; j++)
        expect(Math.abs(contributions.data[(i * 3 + 1) * 5 + j] - exact[j])).toBeLessThan(1e-12);
    }
  });

  it('is what the model classes return from explain(), with feature names', () => {
    const finite = randomData(200, 4, 3);
    const model = new GbdtClassifier({ nEstimators: 5, maxDepth: 3 }).fit(
      finite,
      Float64Array.from({ length: 200 }, (_, i) => (finite.data[4 * i] > 0 ? 1 : 0)),
    );
    const explanation = model.explain(finite);
    expect(explanation.featureNames).toEqual(['s0', 's1', 's2', 's3']);
    const margins = model.predictMargin(finite);
    let sum = 0;
    for (let j = 0; j <= 4; j++) sum += explanation.data[j];
    expect(sum).toBeCloseTo(margins.data[0], 12);
  });

  it('gives a feature the model never splits on no contribution', () => {
    const data = randomData(300, 3, 2);
    const target = Float64Array.from({ length: 300 }, (_, i) => data.data[3 * i] * 3);
    const model = new GbdtRegressor({ nEstimators: 10, maxDepth: 2 }).fit(data, target);
    const explanation = model.explain(data);
    for (let i = 0; i < 300; i++) {
      expect(explanation.data[i * 4 + 1]).toBe(0);
      expect(explanation.data[i * 4 + 2]).toBe(0);
    }
  });
});

describe('topContributions', () => {
  it('lists the largest non-zero contributions by absolute value', () => {
    // One row, 4 features + bias: torque +1.3, rpm −0.2, tool wear +0.9, air 0.
    const contributions = { rows: 1, outputs: 1, features: 4, data: Float64Array.of(1.3, -0.2, 0.9, 0, -2.5) };
    expect(topContributions(contributions, ['torque', 'rpm', 'tool_wear', 'air'], 0, 0, 5)).toEqual([
      { feature: 'torque', contribution: 1.3 },
      { feature: 'tool_wear', contribution: 0.9 },
      { feature: 'rpm', contribution: -0.2 },
    ]);
    expect(topContributions(contributions, ['torque', 'rpm', 'tool_wear', 'air'], 0, 0, 1)).toHaveLength(1);
  });
});
