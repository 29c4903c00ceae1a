import { describe, expect, it } from 'vitest';
import { UpkeepError, ValidationError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { averagePrecision, rootMeanSquaredError } from './metrics.js';
import {
  gridCandidates,
  higherIsBetter,
  type Params,
  randomCandidates,
  type SearchProgress,
  score,
  searchCandidates,
  searchModel,
} from './search.js';
import { type Fold, kFold } from './splits.js';

const twoFolds: Fold[] = [
  { train: Int32Array.from([3, 4, 5]), test: Int32Array.from([0, 1, 2]) },
  { train: Int32Array.from([0, 1, 2]), test: Int32Array.from([3, 4, 5]) },
];
const truth = Float64Array.from([1, 2, 3, 4, 5, 6]);

/** Predicts the truth plus `shift`: the out-of-fold RMSE is |shift| exactly. */
const shifted = (params: Params, fold: Fold) =>
  Float64Array.from(fold.test, (row) => (truth[row] as number) + (params.shift as number));

describe('gridCandidates', () => {
  it('lists every combination, the last option varying fastest', () => {
    expect(gridCandidates({ C: [0.1, 1], classWeight: [null, 'balanced'] })).toEqual([
      { C: 0.1, classWeight: null },
      { C: 0.1, classWeight: 'balanced' },
      { C: 1, classWeight: null },
      { C: 1, classWeight: 'balanced' },
    ]);
    expect(gridCandidates({})).toEqual([{}]);
  });

  it('rejects an empty value list and non-finite values, naming the option', () => {
    expect(() => gridCandidates({ C: [] })).toThrow(/grid\.C must be a non-empty array/);
    expect(() => gridCandidates({ C: [1, Number.NaN] })).toThrow(/grid\.C\[1\] must be a finite number/);
  });
});

describe('randomCandidates', () => {
  const space = {
    C: { type: 'logUniform', low: 0.001, high: 100 },
    ridge: { type: 'uniform', low: -1, high: 1 },
    depth: { type: 'int', low: 2, high: 4 },
    weight: { type: 'choice', values: ['balanced', null] },
  } as const;

  it('draws within the bounds (int bounds inclusive) and repeats for the same seed', () => {
    const first = randomCandidates(space, 200, new Rng(7));
    expect(randomCandidates(space, 200, new Rng(7))).toEqual(first);
    expect(randomCandidates(space, 200, new Rng(8))).not.toEqual(first);
    const depths = new Set<number>();
    for (const candidate of first) {
      expect(candidate.C).toBeGreaterThanOrEqual(0.001);
      expect(candidate.C).toBeLessThanOrEqual(100);
      expect(candidate.ridge).toBeGreaterThanOrEqual(-1);
      expect(candidate.ridge).toBeLessThanOrEqual(1);
      expect(['balanced', null]).toContain(candidate.weight);
      depths.add(candidate.depth as number);
    }
    expect([...depths].sort()).toEqual([2, 3, 4]);
    // Log-uniform: about half the draws below the geometric midpoint √(0.001 · 100) = 0.316.
    const below = first.filter((candidate) => (candidate.C as number) < Math.sqrt(0.1)).length;
    expect(below).toBeGreaterThan(70);
    expect(below).toBeLessThan(130);
  });

  it('rejects bad distributions and trial counts', () => {
    expect(() => randomCandidates({ C: { type: 'logUniform', low: 0, high: 1 } }, 3, new Rng())).toThrow(
      /space\.C needs finite bounds with low ≤ high and low > 0/,
    );
    expect(() => randomCandidates({ C: { type: 'uniform', low: 2, high: 1 } }, 3, new Rng())).toThrow(/space\.C/);
    expect(() => randomCandidates({}, 0, new Rng())).toThrow(/trials must be a positive integer, got 0/);
  });
});

describe('score', () => {
  it('knows which direction is better', () => {
    expect(higherIsBetter('average-precision')).toBe(true);
    expect(higherIsBetter('r2')).toBe(true);
    expect(higherIsBetter('rmse')).toBe(false);
    expect(higherIsBetter('log-loss')).toBe(false);
  });

  it('computes the named metric', () => {
    expect(score('rmse', [1, 2], [1, 4])).toBeCloseTo(Math.sqrt(2), 15);
    // sklearn: average_precision_score([0, 1, 1, 0], [0.1, 0.9, 0.4, 0.5]) = 0.8333333333333333
    expect(score('average-precision', [0, 1, 1, 0], [0.1, 0.9, 0.4, 0.5])).toBeCloseTo(0.8333333333333333, 15);
  });
});

describe('searchCandidates', () => {
  it('scores out-of-fold predictions and keeps the best (lowest RMSE = smallest |shift|)', () => {
    const result = searchCandidates({
      candidates: [{ shift: 2 }, { shift: -0.5 }, { shift: 1 }],
      folds: twoFolds,
      yTrue: truth,
      scoring: 'rmse',
      predict: shifted,
    });
    expect(result.trials.map((trial) => trial.score)).toEqual([2, 0.5, 1]);
    expect(result.trials[0]?.foldScores).toEqual([2, 2]);
    expect(result.bestIndex).toBe(1);
    expect(result.best.params).toEqual({ shift: -0.5 });
    expect(Array.from(result.predictions)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    expect(Array.from(result.testedRows)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('scores only the rows some fold tested (a holdout) and marks the others NaN', () => {
    const result = searchCandidates({
      candidates: [{ shift: 3 }],
      folds: [twoFolds[0] as Fold],
      yTrue: truth,
      scoring: 'rmse',
      predict: shifted,
    });
    expect(result.best.score).toBe(3);
    expect(Array.from(result.testedRows)).toEqual([0, 1, 2]);
    expect(Number.isNaN(result.predictions[4] as number)).toBe(true);
  });

  it('records a candidate whose fit fails and goes on; reports every fit', () => {
    const progress: SearchProgress[] = [];
    const result = searchCandidates({
      candidates: [{ shift: 'bad' }, { shift: 1 }],
      folds: twoFolds,
      yTrue: truth,
      scoring: 'rmse',
      predict: (params, fold) => {
        if (typeof params.shift !== 'number') throw new ValidationError(`shift must be a number, got "bad"`);
        return shifted(params, fold);
      },
      onProgress: (step) => progress.push(step),
    });
    expect(result.trials[0]).toMatchObject({ score: null, error: 'shift must be a number, got "bad"' });
    expect(result.best.params).toEqual({ shift: 1 });
    expect(progress.at(-1)).toMatchObject({ completedFits: 4, totalFits: 4, candidate: 1, score: 1 });
    expect(progress.filter((step) => step.score === undefined).map((step) => step.completedFits)).toEqual([3, 4]);
  });

  it('throws the first error when every candidate fails, and passes unexpected errors through', () => {
    const failing = () => {
      throw new ValidationError('C must be a finite number > 0, got -1');
    };
    expect(() =>
      searchCandidates({ candidates: [{}, {}], folds: twoFolds, yTrue: truth, scoring: 'rmse', predict: failing }),
    ).toThrow(/C must be a finite number > 0, got -1/);
    const bug = () => {
      throw new TypeError('oops');
    };
    expect(() =>
      searchCandidates({ candidates: [{}], folds: twoFolds, yTrue: truth, scoring: 'rmse', predict: bug }),
    ).toThrow(TypeError);
  });

  it('rejects overlapping folds', () => {
    const overlapping: Fold[] = [
      { train: Int32Array.from([2]), test: Int32Array.from([0, 1]) },
      { train: Int32Array.from([0]), test: Int32Array.from([1, 2]) },
    ];
    expect(() =>
      searchCandidates({ candidates: [{}], folds: overlapping, yTrue: [1, 2, 3], scoring: 'rmse', predict: shifted }),
    ).toThrow(/row 1 is tested by more than one fold/);
  });
});

/** Least squares for one input: slope = Sxy / Sxx, intercept = ȳ − slope·x̄ (closed form). */
function simpleLine(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } {
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < x.length; i++) {
    meanX += (x[i] as number) / x.length;
    meanY += (y[i] as number) / x.length;
  }
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    sxx += ((x[i] as number) - meanX) ** 2;
    sxy += ((x[i] as number) - meanX) * ((y[i] as number) - meanY);
  }
  return { slope: sxy / sxx, intercept: meanY - (sxy / sxx) * meanX };
}

describe('searchModel over registered models', () => {
  const rng = new Rng(3);
  const rows = 60;
  const x = Float64Array.from({ length: rows }, () => rng.normal());
  const y = Float64Array.from(x, (value) => 4 + 3 * value + 0.5 * rng.normal());
  const X = { rows, cols: 1, data: x, featureNames: ['load'] };

  it('LinearRegression: out-of-fold predictions equal closed-form fits on each fold; ridge 0 wins', () => {
    const result = searchModel({
      className: 'LinearRegression',
      X,
      y,
      strategy: { kind: 'grid', grid: { ridge: [0, 1000] } },
      folds: 4,
      seed: 11,
    });
    const folds = kFold(rows, { folds: 4, seed: 11 });
    const expected = new Float64Array(rows);
    for (const fold of folds) {
      const line = simpleLine(
        Array.from(fold.train, (row) => x[row] as number),
        Array.from(fold.train, (row) => y[row] as number),
      );
      for (const row of fold.test) expected[row] = line.intercept + line.slope * (x[row] as number);
    }
    for (let row = 0; row < rows; row++) expect(result.predictions[row]).toBeCloseTo(expected[row] as number, 10);
    expect(result.best.params).toEqual({ ridge: 0 });
    expect(result.best.score).toBeCloseTo(rootMeanSquaredError(y, expected), 10);
    expect(result.trials[1]?.score).toBeGreaterThan(result.trials[0]?.score as number);
  });

  it('LogisticRegression: scores positive-class probabilities by average precision on stratified folds', () => {
    const labels = Float64Array.from(y, (value) => (value > 5 ? 1 : 0));
    const result = searchModel({
      className: 'LogisticRegression',
      X,
      y: labels,
      strategy: { kind: 'random', space: { C: { type: 'logUniform', low: 0.01, high: 10 } }, trials: 3, seed: 2 },
      folds: 3,
    });
    expect(result.scoring).toBe('average-precision');
    expect(result.trials).toHaveLength(3);
    expect(result.best.score).toBeCloseTo(averagePrecision(labels, result.predictions), 15);
    expect(result.best.score).toBeGreaterThan(0.8);
  });

  it('names what is wrong: unknown class, unfit scoring, mismatched lengths', () => {
    const grid = { kind: 'grid', grid: {} } as const;
    expect(() => searchModel({ className: 'Nope', X, y, strategy: grid })).toThrow(/no model class 'Nope'/);
    expect(() => searchModel({ className: 'LinearRegression', X, y, strategy: grid, scoring: 'roc-auc' })).toThrow(
      /scoring "roc-auc" does not fit a regressor/,
    );
    expect(() => searchModel({ className: 'LinearRegression', X, y: [1, 2], strategy: grid })).toThrow(
      /y has 2 values but X has 60 rows/,
    );
    expect(() => searchModel({ className: 'LinearRegression', X, y, strategy: grid })).not.toThrow(UpkeepError);
  });
});
