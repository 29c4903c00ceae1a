/**
 * The steps `GbdtClassifier` and `GbdtRegressor` take alike: boosting a state from weighted rows, explaining rows with
 * TreeSHAP and writing the state as an XGBoost JSON model.
 */

import { Rng } from '../../core/rng.js';
import type { FitContext } from '../base.js';
import type { DesignMatrix } from '../input.js';
import { type BoostingData, type BoostingOptions, boost, nameOrder, splitValidation } from './boosting.js';
import { boosterModel, ensembleShape, type GbdtExplanation, type GbdtState } from './gbdt-state.js';
import type { Objective } from './objectives.js';
import { treeShap } from './treeshap.js';
import { formatXgboostJson, toXgboostJson } from './xgboost-json.js';

/**
 * Boosts `objective` on the rows of X with one weight per row; with early stopping a share of the rows is held out
 * (stratified by label when `classCount` > 0). Reports each round to `context.onProgress`. O(rounds · tree cost).
 */
export function fitGbdtState(
  X: DesignMatrix,
  labels: Float64Array,
  weights: Float64Array,
  objective: Objective,
  options: BoostingOptions,
  context: FitContext,
  classCount: number,
): GbdtState {
  let train: BoostingData = { data: X.data, rows: X.rows, cols: X.cols, labels, weights };
  let validation: BoostingData | null = null;
  if (options.earlyStoppingRounds !== null) {
    [train, validation] = splitValidation(train, options.validationFraction, classCount, new Rng(options.seed));
  }
  const result = boost(train, objective, options, {
    validation,
    onProgress: (iteration, maxIterations, loss) =>
      context.onProgress(loss === undefined ? { iteration, maxIterations } : { iteration, maxIterations, loss }),
    featureOrder: context.featureNames ? nameOrder(context.featureNames) : undefined,
  });
  return {
    objective: objective.name,
    trees: result.ensemble,
    baseMargin: result.baseMargin,
    precision: 'float64',
    rounds: result.rounds,
    validationLoss: result.validationLoss,
  };
}

/**
 * Exact TreeSHAP contributions of each feature to each row's margin, for rows already aligned to the fitted columns;
 * features are named `x0`, `x1`, … when the model has no names. O(rows · trees · leaves · depth²) (Lundberg et al.,
 * Nature Machine Intelligence 2, 2020).
 */
export function explainGbdt(
  state: GbdtState,
  featureCount: number,
  aligned: DesignMatrix,
  featureNames: readonly string[] | undefined,
): GbdtExplanation {
  const contributions = treeShap(
    state.trees,
    ensembleShape(state, featureCount),
    aligned.data,
    aligned.rows,
    aligned.cols,
  );
  return { ...contributions, featureNames: featureNames ?? Array.from({ length: aligned.cols }, (_, j) => `x${j}`) };
}

/**
 * The state as the text of an XGBoost JSON model file; `learningRate` is the fit's (a model imported from XGBoost,
 * float32, is written with 1).
 */
export function gbdtXgboostJson(
  state: GbdtState,
  featureCount: number,
  featureNames: readonly string[] | undefined,
  learningRate: number,
): string {
  return formatXgboostJson(
    toXgboostJson(boosterModel(state, featureCount, featureNames), {
      learningRate: state.precision === 'float64' ? learningRate : 1,
    }),
  );
}
