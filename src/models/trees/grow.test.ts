import { describe, expect, it } from 'vitest';
import { type BoostingData, type BoostingOptions, boost, defaultBoostingOptions } from './boosting.js';
import { squaredError } from './objectives.js';
import { predictMargins, treeCount } from './tree.js';

/** Options for exact hand-checkable trees: no shrinkage, no penalty, any child size. */
const exact = (overrides: Partial<BoostingOptions>): BoostingOptions => ({
  ...defaultBoostingOptions,
  nEstimators: 1,
  learningRate: 1,
  lambda: 0,
  minChildWeight: 0,
  ...overrides,
});

function rowsOf(columns: number[][], y: number[]): BoostingData {
  const rows = y.length;
  const cols = columns.length;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = columns[j][i];
  return { data, rows, cols, labels: Float64Array.from(y), weights: new Float64Array(rows).fill(1) };
}

describe('tree growth on tiny hand-built data', () => {
  it('splits a step between its neighbouring values and fits both sides exactly', () => {
    // y jumps from 0 to 10 between x = 3 and x = 4: one split at 3.5; base 5, leaves −5 and +5.
    const train = rowsOf([[1, 2, 3, 4, 5, 6]], [0, 0, 0, 10, 10, 10]);
    const { ensemble, baseMargin } = boost(train, squaredError, exact({ maxDepth: 1 }));
    expect(Array.from(baseMargin)).toEqual([5]);
    expect(Array.from(ensemble.left)).toEqual([1, -1, -1]);
    expect(ensemble.feature[0]).toBe(0);
    expect(ensemble.threshold[0]).toBe(3.5);
    expect(Array.from(ensemble.value.subarray(1))).toEqual([-5, 5]);
    // Gain = G_L²/H_L + G_R²/H_R − G²/H with g = base − y: (15²/3 + 15²/3 − 0) = 150.
    expect(ensemble.gain[0]).toBe(150);
    expect(Array.from(ensemble.cover)).toEqual([6, 3, 3]);
  });

  it('picks the informative feature', () => {
    // Feature 0 is noise; feature 1 separates the targets at 0.5.
    const train = rowsOf(
      [
        [3, 1, 4, 1, 5, 9],
        [0, 1, 0, 1, 0, 1],
      ],
      [2, 8, 2, 8, 2, 8],
    );
    const { ensemble } = boost(train, squaredError, exact({ maxDepth: 1 }));
    expect(ensemble.feature[0]).toBe(1);
    expect(ensemble.threshold[0]).toBe(0.5);
    expect(Array.from(ensemble.value.subarray(1))).toEqual([-3, 3]);
  });

  it('learns where missing values go', () => {
    // Rows with x missing have large targets like x ≥ 4: the default direction is right.
    const train = rowsOf([[1, 2, 3, 4, 5, Number.NaN, Number.NaN]], [0, 0, 0, 7, 7, 7, 7]);
    const { ensemble, baseMargin } = boost(train, squaredError, exact({ maxDepth: 1 }));
    expect(ensemble.threshold[0]).toBe(3.5);
    expect(ensemble.defaultLeft[0]).toBe(0);
    const margins = predictMargins(
      ensemble,
      { outputs: 1, featureCount: 1, baseMargin, precision: 'float64' },
      Float64Array.of(Number.NaN, 0),
      2,
      1,
    );
    expect(Array.from(margins)).toEqual([7, 0]);
    // And left when they look like the small side.
    const flipped = rowsOf([[1, 2, 3, 4, 5, Number.NaN, Number.NaN]], [0, 0, 0, 7, 7, 0, 0]);
    expect(boost(flipped, squaredError, exact({ maxDepth: 1 })).ensemble.defaultLeft[0]).toBe(1);
  });

  it('grows level by level (depthwise) or best leaf first (lossguide)', () => {
    // x = 1..8, y = 0 0 1 1 20 20 30 30 (sum 102). Root gains (Σ_L²/n_L + Σ_R²/n_R − Σ²/n): at 4.5:
    // 2²/4 + 100²/4 − 102²/8 = 1200.5; at 6.5: 42²/6 + 60²/2 − 1300.5 = 793.5 → 4.5. Then the left child's best
    // gain (at 2.5) is 0 + 2²/2 − 2²/4 = 1 and the right child's (at 6.5) 40²/2 + 60²/2 − 100²/4 = 100.
    // Depth-wise with depth 2 splits both; loss-guided with 3 leaves splits only the right child.
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const y = [0, 0, 1, 1, 20, 20, 30, 30];
    const depthwise = boost(rowsOf([x], y), squaredError, exact({ maxDepth: 2 })).ensemble;
    expect(Array.from(depthwise.threshold.subarray(0, 3))).toEqual([4.5, 2.5, 6.5]);
    expect(Array.from(depthwise.gain.subarray(0, 3))).toEqual([1200.5, 1, 100]);
    expect(depthwise.left.length).toBe(7);
    const lossguide = boost(
      rowsOf([x], y),
      squaredError,
      exact({ growPolicy: 'lossguide', maxDepth: 0, maxLeaves: 3 }),
    ).ensemble;
    expect(lossguide.left.length).toBe(5);
    // Root, then its right child (node 2) is split at 6.5; the left child (node 1) stays a leaf.
    expect(lossguide.threshold[0]).toBe(4.5);
    expect(lossguide.left[1]).toBe(-1);
    expect(lossguide.threshold[2]).toBe(6.5);
  });

  it('a split must clear gamma and minChildWeight', () => {
    const train = rowsOf([[1, 2, 3, 4]], [0, 0, 1, 1]);
    // Gain of the only useful split: (1² /2 + 1²/2) − 0 = 1 (g = 0.5 − y).
    expect(boost(train, squaredError, exact({ maxDepth: 1 })).ensemble.gain[0]).toBe(1);
    expect(boost(train, squaredError, exact({ maxDepth: 1, gamma: 1.5 })).ensemble.left.length).toBe(1);
    expect(boost(train, squaredError, exact({ maxDepth: 1, minChildWeight: 3 })).ensemble.left.length).toBe(1);
  });

  it('shrinks leaves by the learning rate and the L2 penalty', () => {
    const train = rowsOf([[1, 2, 3, 4, 5, 6]], [0, 0, 0, 10, 10, 10]);
    // Leaf weight −G/(H + λ) = ±15/(3 + 1) = ±3.75, times learning rate 0.5.
    const { ensemble } = boost(train, squaredError, exact({ maxDepth: 1, lambda: 1, learningRate: 0.5 }));
    expect(Array.from(ensemble.value.subarray(1))).toEqual([-1.875, 1.875]);
  });

  it('stops early when the validation loss stops improving and keeps the best round', () => {
    const train = rowsOf([[1, 2, 3, 4, 5, 6]], [0, 0, 0, 10, 10, 10]);
    // The validation rows disagree with training at x = 6: after the first rounds every tree makes it worse.
    const validation = rowsOf([[2, 5, 6]], [0, 10, 0]);
    const result = boost(
      train,
      squaredError,
      exact({ maxDepth: 1, learningRate: 0.3, nEstimators: 50, earlyStoppingRounds: 3 }),
      {
        validation,
      },
    );
    expect(result.validationLoss.length).toBeLessThan(50);
    const best = result.validationLoss.indexOf(Math.min(...result.validationLoss));
    expect(result.rounds).toBe(best + 1);
    expect(treeCount(result.ensemble)).toBe(best + 1);
    expect(result.validationLoss.length).toBe(best + 1 + 3);
  });
});
