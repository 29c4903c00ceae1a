/**
 * The boosting loop of the gradient-boosted tree models (Friedman, "Greedy Function Approximation: A Gradient
 * Boosting Machine", Ann. Statist. 29(5), 2001; second-order form of Chen & Guestrin, KDD 2016): bin the features
 * once, then each round compute gradient pairs at the current margins, grow one tree per output on a row sample
 * (XGBoost's `subsample`, Bernoulli per row) and column sample (`colsample_bytree`), and add its shrunk leaf values
 * to the margins. With a validation set, boosting stops once its loss has not improved for `earlyStoppingRounds`
 * rounds and the model keeps the trees up to the best round.
 *
 * Cost per round: O(rows · outputs) for gradients and margin updates plus the trees' cost (see `grow.ts`).
 */

import { describeValue, ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { type BinCuts, type BinnedMatrix, binMatrix, computeBinCuts, MAX_VALUE_BINS } from './binning.js';
import { binnedLeaf, type GrowParams, marginSegments, sampleFeatures, TreeGrower } from './grow.js';
import { type HistogramLayout, histogramLayout } from './histogram.js';
import type { Objective } from './objectives.js';
import { createRowKernels, type RowKernels } from './row-kernels.js';
import { EnsembleBuilder, type TreeEnsemble, truncateEnsemble } from './tree.js';

/** Hyperparameters shared by every gradient-boosted tree model (XGBoost's names, camel-cased, and defaults). */
export interface BoostingOptions {
  /** Boosting rounds (trees per output). Default 100. */
  nEstimators: number;
  /** Shrinkage applied to every leaf (XGBoost's `eta`). Default 0.3. */
  learningRate: number;
  /** Maximum tree depth; 0 = no limit (only with growPolicy 'lossguide' or maxLeaves). Default 6. */
  maxDepth: number;
  /** Maximum leaves per tree; 0 = no limit. Default 0. */
  maxLeaves: number;
  /** 'depthwise' (level by level, XGBoost's default) or 'lossguide' (best leaf first, LightGBM's). */
  growPolicy: 'depthwise' | 'lossguide';
  /** Minimum Σ hessian in a child (XGBoost's `min_child_weight`). Default 1. */
  minChildWeight: number;
  /** L2 penalty on leaf weights (`reg_lambda`). Default 1. */
  lambda: number;
  /** L1 penalty on leaf weights (`reg_alpha`). Default 0. */
  alpha: number;
  /** Minimum loss reduction to split (`min_split_loss`). Default 0. */
  gamma: number;
  /** Fraction of rows each tree sees, drawn per tree. Default 1. */
  subsample: number;
  /** Fraction of columns per tree, per level (of the tree's) and per node (of the level's). Default 1. */
  colsampleByTree: number;
  colsampleByLevel: number;
  colsampleByNode: number;
  /** Value bins per feature, 2..255. Default 255. */
  maxBins: number;
  /** Rows sampled to place the bin cuts. Default 200,000. */
  binSampleRows: number;
  /** Stop after this many rounds without improvement of the validation loss; null = never. Default null. */
  earlyStoppingRounds: number | null;
  /** Share of the training rows held out (stratified for classifiers) for early stopping. Default 0.1. */
  validationFraction: number;
  /**
   * Starting prediction: a probability for two classes (the margin every class starts from for softmax), a value
   * for regressors; null estimates it from the targets (the log-odds of the positive rate, the class priors, or the
   * mean). Default null here; the classifier's default is 0.5.
   */
  baseScore: number | null;
  /** Seed of the row, column and bin-sample draws. Default 0. */
  seed: number;
  /**
   * Threads for the row passes (histograms, partitions): 1, or 2 to add one `worker_threads` worker on large data.
   * The model is bit-for-bit the same either way. Default 2.
   */
  nThreads: number;
}

export const defaultBoostingOptions: BoostingOptions = {
  nEstimators: 100,
  learningRate: 0.3,
  maxDepth: 6,
  maxLeaves: 0,
  growPolicy: 'depthwise',
  minChildWeight: 1,
  lambda: 1,
  alpha: 0,
  gamma: 0,
  subsample: 1,
  colsampleByTree: 1,
  colsampleByLevel: 1,
  colsampleByNode: 1,
  maxBins: MAX_VALUE_BINS,
  binSampleRows: 200_000,
  earlyStoppingRounds: null,
  validationFraction: 0.1,
  baseScore: null,
  seed: 0,
  nThreads: 2,
};

function requireInteger(name: string, value: unknown, minimum: number, maximum = Number.MAX_SAFE_INTEGER): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= minimum && value <= maximum)) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `≥ ${minimum}` : `from ${minimum} to ${maximum}`;
    throw new ValidationError(`${name} must be an integer ${range}, got ${describeValue(value)}`);
  }
}

function requireNumber(name: string, value: unknown, test: (x: number) => boolean, what: string): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && test(value))) {
    throw new ValidationError(`${name} must be ${what}, got ${describeValue(value)}`);
  }
}

/** Throws `ValidationError` naming the first bad option. */
export function checkBoostingOptions(options: BoostingOptions): void {
  requireInteger('nEstimators', options.nEstimators, 1);
  requireNumber('learningRate', options.learningRate, (x) => x > 0, 'a finite number > 0');
  requireInteger('maxDepth', options.maxDepth, 0, 64);
  requireInteger('maxLeaves', options.maxLeaves, 0);
  if (options.maxLeaves === 1) throw new ValidationError('maxLeaves must be 0 (no limit) or ≥ 2, got 1');
  if (options.growPolicy !== 'depthwise' && options.growPolicy !== 'lossguide') {
    throw new ValidationError(
      `growPolicy must be 'depthwise' or 'lossguide', got ${describeValue(options.growPolicy)}`,
    );
  }
  if (options.maxDepth === 0 && options.maxLeaves === 0) {
    throw new ValidationError('maxDepth 0 (no limit) needs maxLeaves > 0 to bound the trees');
  }
  requireNumber('minChildWeight', options.minChildWeight, (x) => x >= 0, 'a finite number ≥ 0');
  requireNumber('lambda', options.lambda, (x) => x >= 0, 'a finite number ≥ 0');
  requireNumber('alpha', options.alpha, (x) => x >= 0, 'a finite number ≥ 0');
  requireNumber('gamma', options.gamma, (x) => x >= 0, 'a finite number ≥ 0');
  for (const name of ['subsample', 'colsampleByTree', 'colsampleByLevel', 'colsampleByNode'] as const) {
    requireNumber(name, options[name], (x) => x > 0 && x <= 1, 'a number in (0, 1]');
  }
  requireInteger('maxBins', options.maxBins, 2, MAX_VALUE_BINS);
  requireInteger('binSampleRows', options.binSampleRows, 1);
  if (options.earlyStoppingRounds !== null) requireInteger('earlyStoppingRounds', options.earlyStoppingRounds, 1);
  requireNumber('validationFraction', options.validationFraction, (x) => x > 0 && x < 1, 'a number in (0, 1)');
  if (options.baseScore !== null) requireNumber('baseScore', options.baseScore, () => true, 'a finite number or null');
  requireInteger('seed', options.seed, 0, 0xffffffff);
  requireInteger('nThreads', options.nThreads, 1, 2);
}

/** Rows to learn from (or validate on): row-major features, targets (class index or value) and weights. */
export interface BoostingData {
  readonly data: Float64Array | Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly labels: Float64Array;
  readonly weights: Float64Array;
}

/** What boosting produced. */
export interface BoostingResult {
  readonly ensemble: TreeEnsemble;
  readonly baseMargin: Float64Array;
  /** Rounds kept (trees per output). */
  readonly rounds: number;
  /** Validation loss after each round run (empty without a validation set). */
  readonly validationLoss: Float64Array;
}

/** Progress after each round. */
export type BoostingProgress = (round: number, rounds: number, validationLoss: number | undefined) => void;

/** What `boost` takes besides the training rows, objective and options. */
export interface BoostingExtras {
  /** Rows for early stopping (and the validation loss per round). */
  validation?: BoostingData | null;
  onProgress?: BoostingProgress;
  /**
   * The columns in a canonical order (e.g. sorted by name): column sampling draws over this order and equal gains
   * go to the earlier column, so the same columns in another order give the same model. Default 0..cols−1.
   */
  featureOrder?: Int32Array;
}

/** Columns sorted by name (ties by position): the canonical order for `BoostingExtras.featureOrder`. */
export function nameOrder(names: readonly string[]): Int32Array {
  const order = Array.from(names.keys()).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : a - b));
  return Int32Array.from(order);
}

/**
 * Boosts trees on `train` for `objective`. Leaves NaN features as missing (bin 0). O(rounds · tree cost).
 */
export function boost(
  train: BoostingData,
  objective: Objective,
  options: BoostingOptions,
  extras: BoostingExtras = {},
): BoostingResult {
  checkBoostingOptions(options);
  const rng = new Rng(options.seed);
  const { rows, cols } = train;
  const cuts = computeBinCuts(
    train.data instanceof Float64Array ? train.data : Float64Array.from(train.data),
    rows,
    cols,
    { maxBins: options.maxBins, sampleRows: options.binSampleRows, rng },
  );
  const binned = binMatrix(train.data, rows, cols, cuts);
  const layout = histogramLayout(cuts);
  const kernels = createRowKernels(binned, layout, objective.outputs, options.nThreads, {
    labels: train.labels,
    weights: train.weights,
    gradientRange: objective.gradientRange,
    wasmGradients: objective.wasmGradients,
  });
  try {
    return boostBinned(train, binned, cuts, layout, kernels, objective, options, extras, rng);
  } finally {
    kernels.close();
  }
}

function boostBinned(
  train: BoostingData,
  binned: BinnedMatrix,
  cuts: BinCuts,
  layout: HistogramLayout,
  kernels: RowKernels,
  objective: Objective,
  options: BoostingOptions,
  extras: BoostingExtras,
  rng: Rng,
): BoostingResult {
  const { rows, cols, labels, weights } = train;
  const outputs = objective.outputs;
  const validation = extras.validation ?? null;
  const onProgress = extras.onProgress ?? (() => {});
  const growParams: GrowParams = options;
  const grower = new TreeGrower(kernels, layout, cuts, growParams, rng);

  const baseMargin = objective.baseMargin(labels, weights, options.baseScore);
  const margins = kernels.margins;
  if (outputs === 1) margins.fill(baseMargin[0]);
  else for (let i = 0; i < rows; i++) margins.set(baseMargin, i * outputs);

  const validationBins = validation ? binMatrix(validation.data, validation.rows, cols, cuts) : null;
  const validationMargins = validation ? new Float64Array(validation.rows * outputs) : null;
  if (validation && validationMargins) {
    for (let i = 0; i < validation.rows; i++) validationMargins.set(baseMargin, i * outputs);
  }

  let allFeatures = extras.featureOrder;
  if (allFeatures === undefined) {
    allFeatures = new Int32Array(cols);
    for (let f = 0; f < cols; f++) allFeatures[f] = f;
  } else if (
    allFeatures.length !== cols ||
    new Set(allFeatures).size !== cols ||
    allFeatures.some((f) => f < 0 || f >= cols)
  ) {
    throw new ValidationError(`featureOrder must list each of the ${cols} columns once`);
  }
  const sampled = new Int32Array(rows);
  for (let i = 0; i < rows; i++) sampled[i] = i;
  const rowIndex = kernels.rowIndex;
  const inSample = options.subsample < 1 ? new Uint8Array(rows) : null;
  const builder = new EnsembleBuilder();
  const validationLoss: number[] = [];
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestRound = -1;

  for (let round = 0; round < options.nEstimators; round++) {
    kernels.computeGradients();
    let sampleCount = rows;
    if (inSample) {
      sampleCount = 0;
      for (let i = 0; i < rows; i++) {
        const keep = rng.next() < options.subsample;
        inSample[i] = keep ? 1 : 0;
        if (keep) sampled[sampleCount++] = i;
      }
    }
    for (let k = 0; k < outputs; k++) {
      const treeFeatures = sampleFeatures(allFeatures, options.colsampleByTree, rng);
      rowIndex.set(sampled.subarray(0, sampleCount));
      const grown = grower.grow(sampleCount, k, treeFeatures);
      const { tree, splitBin } = grown;
      kernels.addTreeValues(marginSegments(grown), sampleCount, k, grown);
      // Rows it did not see, and validation rows: route their bins down the tree.
      if (inSample) {
        for (let i = 0; i < rows; i++) {
          if (inSample[i] === 0)
            margins[i * outputs + k] += tree.value[binnedLeaf(tree, splitBin, binned.bins, i * cols)];
        }
      }
      if (validationBins && validationMargins) {
        for (let i = 0; i < validationBins.rows; i++) {
          validationMargins[i * outputs + k] += tree.value[binnedLeaf(tree, splitBin, validationBins.bins, i * cols)];
        }
      }
      builder.addTree(k, tree);
    }
    let loss: number | undefined;
    if (validation && validationMargins) {
      loss = objective.loss(validationMargins, validation.labels, validation.weights);
      validationLoss.push(loss);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestRound = round;
      }
    }
    onProgress(round + 1, options.nEstimators, loss);
    if (
      options.earlyStoppingRounds !== null &&
      validation !== null &&
      round - bestRound >= options.earlyStoppingRounds
    ) {
      break;
    }
  }
  let ensemble = builder.build();
  let rounds = builder.treeCount / outputs;
  if (options.earlyStoppingRounds !== null && validation !== null && bestRound + 1 < rounds) {
    rounds = bestRound + 1;
    ensemble = truncateEnsemble(ensemble, rounds * outputs);
  }
  return { ensemble, baseMargin, rounds, validationLoss: Float64Array.from(validationLoss) };
}

/**
 * Holds out about `fraction` of the rows for early stopping: per class when `classes` > 0 (labels are class
 * indices), so rare failures appear on both sides; at random otherwise. Both parts keep at least one row.
 * Returns [train, validation]. O(rows · cols).
 */
export function splitValidation(
  data: BoostingData,
  fraction: number,
  classes: number,
  rng: Rng,
): [BoostingData, BoostingData] {
  const { rows, cols } = data;
  if (rows < 2) throw new ValidationError(`early stopping needs at least 2 rows to hold some out, got ${rows}`);
  const isValidation = new Uint8Array(rows);
  const groups = classes > 0 ? classes : 1;
  const members: number[][] = Array.from({ length: groups }, () => []);
  for (let i = 0; i < rows; i++) members[classes > 0 ? data.labels[i] : 0].push(i);
  let held = 0;
  for (const group of members) {
    rng.shuffle(group);
    const take = Math.round(fraction * group.length);
    for (let i = 0; i < take; i++) isValidation[group[i]] = 1;
    held += take;
  }
  if (held === 0) isValidation[rng.int(rows)] = 1;
  if (held === rows) isValidation[rng.int(rows)] = 0;
  const part = (flag: number): BoostingData => {
    let count = 0;
    for (let i = 0; i < rows; i++) if (isValidation[i] === flag) count++;
    const part = new Float64Array(count * cols);
    const labels = new Float64Array(count);
    const weights = new Float64Array(count);
    let position = 0;
    for (let i = 0; i < rows; i++) {
      if (isValidation[i] !== flag) continue;
      for (let j = 0; j < cols; j++) part[position * cols + j] = data.data[i * cols + j];
      labels[position] = data.labels[i];
      weights[position] = data.weights[i];
      position++;
    }
    return { data: part, rows: count, cols, labels, weights };
  };
  return [part(0), part(1)];
}
