/**
 * Hyperparameter search scored on out-of-fold predictions: every candidate option set is fitted on each fold's
 * training rows and predicts its test rows; the predictions of all folds together are scored once (as scikit-learn's
 * `cross_val_predict` followed by a metric), so a candidate's score uses every row exactly once. Grid search tries
 * every combination; random search draws a fixed number of candidates from distributions with the injected `Rng`.
 * Folds are stratified for classifiers and grouped when groups are given (a machine never on both sides).
 */
import { describeValue, UpkeepError, ValidationError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { type AnyModel, Classifier, SupervisedModel } from '../models/base.js';
import type { DesignMatrix } from '../models/input.js';
import type { ParamValue } from '../models/kinds.js';
import { type ModelRegistry, modelRegistry } from '../models/registry.js';
import {
  averagePrecision,
  brierScore,
  logLoss,
  meanAbsoluteError,
  r2Score,
  rocAuc,
  rootMeanSquaredError,
} from './metrics.js';
import { type Fold, type GroupKeys, groupKFold, kFold, stratifiedKFold } from './splits.js';

export type { ParamValue };
export type Params = Record<string, ParamValue>;

/** Every combination of these values is a candidate (keys in the order given, the last varying fastest). */
export type Grid = Readonly<Record<string, readonly ParamValue[]>>;

/** Where random search draws one option from. Bounds are inclusive. */
export type Distribution =
  | { readonly type: 'choice'; readonly values: readonly ParamValue[] }
  | { readonly type: 'uniform'; readonly low: number; readonly high: number }
  /** Uniform in log space: for scales such as C or a ridge penalty. */
  | { readonly type: 'logUniform'; readonly low: number; readonly high: number }
  | { readonly type: 'int'; readonly low: number; readonly high: number };

/** How candidates are scored: classification metrics take positive-class probabilities, regression ones predictions. */
export type Scoring = 'average-precision' | 'roc-auc' | 'log-loss' | 'brier' | 'rmse' | 'mae' | 'r2';

export const CLASSIFICATION_SCORINGS: readonly Scoring[] = ['average-precision', 'roc-auc', 'log-loss', 'brier'];
export const REGRESSION_SCORINGS: readonly Scoring[] = ['rmse', 'mae', 'r2'];

/** True when a larger value of the metric is better. */
export function higherIsBetter(scoring: Scoring): boolean {
  return scoring === 'average-precision' || scoring === 'roc-auc' || scoring === 'r2';
}

/** The metric on the given rows (labels 0/1 for classification scorings). O(n log n). */
export function score(scoring: Scoring, yTrue: ArrayLike<number>, predicted: ArrayLike<number>): number {
  switch (scoring) {
    case 'average-precision':
      return averagePrecision(yTrue, predicted);
    case 'roc-auc':
      return rocAuc(yTrue, predicted);
    case 'log-loss':
      return logLoss(yTrue, predicted);
    case 'brier':
      return brierScore(yTrue, predicted);
    case 'rmse':
      return rootMeanSquaredError(yTrue, predicted);
    case 'mae':
      return meanAbsoluteError(yTrue, predicted);
    case 'r2':
      return r2Score(yTrue, predicted);
    default:
      throw new ValidationError(
        `scoring must be one of ${[...CLASSIFICATION_SCORINGS, ...REGRESSION_SCORINGS].join(', ')}, got ${describeValue(scoring)}`,
      );
  }
}

function checkParamValue(path: string, value: unknown): void {
  const ok = value === null || ['string', 'boolean'].includes(typeof value) || Number.isFinite(value);
  if (!ok)
    throw new ValidationError(`${path} must be a finite number, string, boolean or null, got ${describeValue(value)}`);
}

/** All combinations of a grid, in order. O(product of the value counts). */
export function gridCandidates(grid: Grid): Params[] {
  let candidates: Params[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    if (!Array.isArray(values) || values.length === 0) {
      throw new ValidationError(`grid.${name} must be a non-empty array of values`);
    }
    values.forEach((value, index) => {
      checkParamValue(`grid.${name}[${index}]`, value);
    });
    const next: Params[] = [];
    for (const candidate of candidates) for (const value of values) next.push({ ...candidate, [name]: value });
    candidates = next;
  }
  return candidates;
}

function checkBounds(name: string, distribution: { low: number; high: number }, positive: boolean): void {
  const { low, high } = distribution;
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high && (!positive || low > 0))) {
    throw new ValidationError(
      `space.${name} needs finite bounds with low ≤ high${positive ? ' and low > 0' : ''}, got ${describeValue(low)} and ${describeValue(high)}`,
    );
  }
}

/** `trials` candidates drawn independently from the distributions, options in key order. O(trials · options). */
export function randomCandidates(space: Readonly<Record<string, Distribution>>, trials: number, rng: Rng): Params[] {
  if (!Number.isInteger(trials) || trials < 1) {
    throw new ValidationError(`trials must be a positive integer, got ${describeValue(trials)}`);
  }
  const entries = Object.entries(space);
  for (const [name, distribution] of entries) {
    if (distribution?.type === 'choice') {
      if (!Array.isArray(distribution.values) || distribution.values.length === 0) {
        throw new ValidationError(`space.${name}.values must be a non-empty array`);
      }
      distribution.values.forEach((value, index) => {
        checkParamValue(`space.${name}.values[${index}]`, value);
      });
    } else if (distribution?.type === 'uniform' || distribution?.type === 'int') {
      checkBounds(name, distribution, false);
    } else if (distribution?.type === 'logUniform') {
      checkBounds(name, distribution, true);
    } else {
      throw new ValidationError(
        `space.${name}.type must be choice, uniform, logUniform or int, got ${describeValue((distribution as { type?: unknown })?.type)}`,
      );
    }
  }
  const candidates: Params[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const candidate: Params = {};
    for (const [name, distribution] of entries) {
      if (distribution.type === 'choice') candidate[name] = distribution.values[rng.int(distribution.values.length)];
      else if (distribution.type === 'uniform') {
        candidate[name] = distribution.low + (distribution.high - distribution.low) * rng.next();
      } else if (distribution.type === 'logUniform') {
        const logLow = Math.log(distribution.low);
        candidate[name] = Math.exp(logLow + (Math.log(distribution.high) - logLow) * rng.next());
      } else {
        const low = Math.ceil(distribution.low);
        candidate[name] = low + rng.int(Math.floor(distribution.high) - low + 1);
      }
    }
    candidates.push(candidate);
  }
  return candidates;
}

/** Fits a candidate on a fold's training rows and returns its predictions for the fold's test rows, in that order. */
export type FoldPredictor = (params: Params, fold: Fold, foldIndex: number) => Float64Array;

export interface SearchProgress {
  /** Fits done so far, of `totalFits` (candidates × folds). */
  completedFits: number;
  totalFits: number;
  candidate: number;
  candidates: number;
  params: Params;
  /** Set when the candidate's last fold is done (null if it failed). */
  score?: number | null;
}

export interface Trial {
  params: Params;
  /** Out-of-fold score; null when fitting failed. */
  score: number | null;
  /** The metric on each fold's test rows alone (null where it is undefined, e.g. one class only). */
  foldScores: (number | null)[];
  /** Why fitting failed (an `UpkeepError` message). */
  error?: string;
}

export interface SearchResult {
  scoring: Scoring;
  higherIsBetter: boolean;
  folds: number;
  trials: Trial[];
  /** Index into `trials` of the best candidate (ties: the first). */
  bestIndex: number;
  best: Trial;
  /** The best candidate's out-of-fold prediction per row; NaN for rows no fold tested. */
  predictions: Float64Array;
  /** Rows some fold tested, ascending. */
  testedRows: Int32Array;
}

export interface CandidateSearchOptions {
  candidates: readonly Params[];
  folds: readonly Fold[];
  /** Outcomes per row: 0/1 labels for classification scorings. */
  yTrue: ArrayLike<number>;
  scoring: Scoring;
  predict: FoldPredictor;
  onProgress?: (progress: SearchProgress) => void;
}

/** Rows tested by some fold, ascending; a row tested twice is an error. O(n). */
function testedRowsOf(folds: readonly Fold[], rowCount: number): Int32Array {
  const seen = new Uint8Array(rowCount);
  let count = 0;
  folds.forEach((fold, foldIndex) => {
    for (let i = 0; i < fold.test.length; i++) {
      const row = fold.test[i] as number;
      if (!(row >= 0 && row < rowCount)) {
        throw new ValidationError(`folds[${foldIndex}].test holds row ${row}, outside 0..${rowCount - 1}`);
      }
      if (seen[row]) throw new ValidationError(`row ${row} is tested by more than one fold`);
      seen[row] = 1;
      count++;
    }
  });
  const rows = new Int32Array(count);
  let position = 0;
  for (let row = 0; row < rowCount; row++) if (seen[row]) rows[position++] = row;
  return rows;
}

function gather(values: ArrayLike<number>, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i] as number] as number;
  return out;
}

function safeScore(scoring: Scoring, yTrue: ArrayLike<number>, predicted: ArrayLike<number>): number | null {
  try {
    const value = score(scoring, yTrue, predicted);
    return Number.isFinite(value) ? value : null;
  } catch (error) {
    if (error instanceof ValidationError) return null;
    throw error;
  }
}

/**
 * Scores each candidate on out-of-fold predictions and returns them all with the best one's predictions. A candidate
 * whose fit throws an `UpkeepError` (an invalid option value) is recorded with its message and scored null; if every
 * candidate fails, the first error is thrown. O(candidates × folds × cost of one fit).
 */
export function searchCandidates(options: CandidateSearchOptions): SearchResult {
  const { candidates, folds, yTrue, scoring, predict } = options;
  if (candidates.length === 0) throw new ValidationError('a search needs at least one candidate');
  if (folds.length === 0) throw new ValidationError('a search needs at least one fold');
  const rowCount = yTrue.length;
  const testedRows = testedRowsOf(folds, rowCount);
  const testedTruth = gather(yTrue, testedRows);
  const better = higherIsBetter(scoring);
  const totalFits = candidates.length * folds.length;
  const trials: Trial[] = [];
  let bestIndex = -1;
  let bestPredictions = new Float64Array(rowCount).fill(Number.NaN);
  let firstError: unknown;
  let completedFits = 0;

  candidates.forEach((params, candidate) => {
    const predictions = new Float64Array(rowCount).fill(Number.NaN);
    const foldScores: (number | null)[] = [];
    let error: string | undefined;
    for (let foldIndex = 0; foldIndex < folds.length; foldIndex++) {
      const fold = folds[foldIndex] as Fold;
      try {
        const foldPredictions = predict(params, fold, foldIndex);
        if (foldPredictions.length !== fold.test.length) {
          throw new ValidationError(
            `fold ${foldIndex}: got ${foldPredictions.length} predictions for ${fold.test.length} test rows`,
          );
        }
        for (let i = 0; i < fold.test.length; i++) predictions[fold.test[i] as number] = foldPredictions[i] as number;
        foldScores.push(safeScore(scoring, gather(yTrue, fold.test), foldPredictions));
      } catch (caught) {
        if (!(caught instanceof UpkeepError)) throw caught;
        firstError ??= caught;
        error = caught.message;
        completedFits += folds.length - foldIndex;
        break;
      }
      completedFits++;
      options.onProgress?.({ completedFits, totalFits, candidate, candidates: candidates.length, params });
    }
    const trialScore = error === undefined ? safeScore(scoring, testedTruth, gather(predictions, testedRows)) : null;
    const trial: Trial = { params, score: trialScore, foldScores };
    if (error !== undefined) trial.error = error;
    trials.push(trial);
    options.onProgress?.({
      completedFits,
      totalFits,
      candidate,
      candidates: candidates.length,
      params,
      score: trialScore,
    });
    if (trialScore !== null) {
      const bestScore = bestIndex >= 0 ? (trials[bestIndex]?.score as number) : undefined;
      if (bestScore === undefined || (better ? trialScore > bestScore : trialScore < bestScore)) {
        bestIndex = candidate;
        bestPredictions = predictions;
      }
    }
  });

  if (bestIndex < 0) {
    if (firstError) throw firstError;
    throw new ValidationError(`no candidate could be scored by ${scoring} (does every test part hold both classes?)`);
  }
  return {
    scoring,
    higherIsBetter: better,
    folds: folds.length,
    trials,
    bestIndex,
    best: trials[bestIndex] as Trial,
    predictions: bestPredictions,
    testedRows,
  };
}

/** Rows of a row-major matrix, in the given order. O(rows × cols). */
export function takeRows(X: DesignMatrix, rows: ArrayLike<number>): DesignMatrix {
  const { cols } = X;
  const data = new Float64Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) {
    const source = (rows[i] as number) * cols;
    data.set(X.data.subarray(source, source + cols), i * cols);
  }
  return X.featureNames
    ? { rows: rows.length, cols, data, featureNames: X.featureNames }
    : { rows: rows.length, cols, data };
}

/** The probability of the larger label from a fitted binary classifier, or the prediction of a regressor. */
export function positiveScores(model: AnyModel, X: DesignMatrix): Float64Array {
  if (model instanceof Classifier) {
    const probabilities = model.predictProba(X);
    if (probabilities.cols !== 2) {
      throw new ValidationError(`search needs a binary classifier, got ${probabilities.cols} classes`);
    }
    const positive = new Float64Array(probabilities.rows);
    for (let i = 0; i < probabilities.rows; i++) positive[i] = probabilities.data[i * 2 + 1] as number;
    return positive;
  }
  if (model instanceof SupervisedModel) return model.predict(X);
  throw new ValidationError(`model '${model.className}' is not a supervised model: it cannot be searched`);
}

export type SearchStrategy =
  | { readonly kind: 'grid'; readonly grid: Grid }
  | {
      readonly kind: 'random';
      readonly space: Readonly<Record<string, Distribution>>;
      readonly trials: number;
      /** Default: `new Rng(seed ?? 0)`. */
      readonly rng?: Rng;
      readonly seed?: number;
    };

export interface ModelSearchOptions {
  /** A registered model class, e.g. 'LogisticRegression'. */
  className: string;
  X: DesignMatrix;
  /** Targets; for classifiers two labels, the larger one positive. */
  y: ArrayLike<number>;
  strategy: SearchStrategy;
  /** Options every candidate shares (candidates override them). */
  base?: Params;
  /** Number of folds (default 5). */
  folds?: number;
  /** A group per row (e.g. the machine): group k-fold, a group never on both sides. */
  groups?: GroupKeys;
  /** Seed of the fold shuffle (default 0). */
  seed?: number;
  /** Default: average precision for classifiers, RMSE otherwise. */
  scoring?: Scoring;
  registry?: ModelRegistry;
  onProgress?: (progress: SearchProgress) => void;
}

/** Labels 0/1 with the larger of exactly two distinct labels as 1. O(n). */
function binaryLabels(y: ArrayLike<number>): Float64Array {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < y.length; i++) {
    const value = y[i] as number;
    if (!Number.isFinite(value))
      throw new ValidationError(`y[${i}] must be a finite number, got ${describeValue(value)}`);
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const labels = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const value = y[i] as number;
    if (value !== low && value !== high) {
      throw new ValidationError(`y must hold two labels for a classifier search, found ${low}, ${high} and ${value}`);
    }
    labels[i] = value === high ? 1 : 0;
  }
  return labels;
}

/**
 * Grid or random search over a registered model on a design matrix: folds are group k-fold when `groups` is given,
 * stratified k-fold for classifiers, plain k-fold otherwise (shuffled with `seed`).
 *
 * @example
 * const result = searchModel({ className: 'LogisticRegression', X, y, strategy: { kind: 'grid', grid: { C: [0.1, 1] } } });
 * result.best.params; // { C: 1 }  — result.best.score: its out-of-fold average precision
 */
export function searchModel(options: ModelSearchOptions): SearchResult {
  const registry = options.registry ?? modelRegistry;
  const cls = registry.get(options.className);
  const probe = registry.create(options.className, {});
  const classifier = probe instanceof Classifier;
  if (!(probe instanceof SupervisedModel)) {
    throw new ValidationError(`model '${cls.className}' is not a supervised model: it cannot be searched`);
  }
  const { X } = options;
  if (options.y.length !== X.rows) {
    throw new ValidationError(`y has ${options.y.length} values but X has ${X.rows} rows`);
  }
  const scoring = options.scoring ?? (classifier ? 'average-precision' : 'rmse');
  const allowed = classifier ? CLASSIFICATION_SCORINGS : REGRESSION_SCORINGS;
  if (!allowed.includes(scoring)) {
    throw new ValidationError(
      `scoring ${describeValue(scoring)} does not fit a ${classifier ? 'classifier' : 'regressor'} (use ${allowed.join(', ')})`,
    );
  }
  const yTrue = classifier ? binaryLabels(options.y) : Float64Array.from(options.y);
  const foldCount = options.folds ?? 5;
  const seed = options.seed ?? 0;
  const folds = options.groups
    ? groupKFold(options.groups, { folds: foldCount })
    : classifier
      ? stratifiedKFold(yTrue, { folds: foldCount, seed })
      : kFold(X.rows, { folds: foldCount, seed });
  const strategy = options.strategy;
  const candidates =
    strategy.kind === 'grid'
      ? gridCandidates(strategy.grid)
      : randomCandidates(strategy.space, strategy.trials, strategy.rng ?? new Rng(strategy.seed ?? 0));
  const targets = Float64Array.from(options.y);
  return searchCandidates({
    candidates,
    folds,
    yTrue,
    scoring,
    onProgress: options.onProgress,
    predict: (params, fold) => {
      const model = registry.create(options.className, { ...options.base, ...params });
      if (!(model instanceof SupervisedModel)) throw new ValidationError(`'${options.className}' is not supervised`);
      model.fit(takeRows(X, fold.train), gather(targets, fold.train));
      return positiveScores(model, takeRows(X, fold.test));
    },
  });
}
