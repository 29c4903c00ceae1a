import { describeValue, UnprocessableError, ValidationError } from '../../core/errors.js';
import type { Matrix } from '../../math/linalg.js';
import { Classifier, type FitContext, type JsonObject } from '../base.js';
import { type ClassWeight, checkClassWeight, resolveClassWeights } from '../class-weight.js';
import type { DesignMatrix } from '../input.js';
import { type BoostingOptions, defaultBoostingOptions } from './boosting.js';
import { explainGbdt, fitGbdtState, gbdtXgboostJson } from './gbdt-model.js';
import {
  ensembleShape,
  type GbdtExplanation,
  type GbdtState,
  namedImportance,
  readGbdtState,
  stateFromBooster,
  stateSummary,
} from './gbdt-state.js';
import type { ImportanceType } from './importance.js';
import { binaryLogistic, sigmoid, softmax, softmaxRow } from './objectives.js';
import { predictMargins } from './tree.js';
import { parseXgboostJson } from './xgboost-json.js';

/** Options of `GbdtClassifier`: the boosting hyperparameters plus class weighting. */
export interface GbdtClassifierOptions extends BoostingOptions {
  /**
   * Two classes only: weight of the larger label's rows relative to the other's (XGBoost's `scale_pos_weight`;
   * n_negative / n_positive balances them). Default 1.
   */
  scalePosWeight: number;
  /** Weights per class multiplying the sample weights (see `ClassWeight`). Default null. */
  classWeight: ClassWeight;
}

/**
 * baseScore 0.5 (XGBoost 1.7's default) starts every row at even odds (all classes equal for softmax) instead of at
 * the class prior: with rare failures the prior start makes every hessian small, so minChildWeight holds the early
 * trees back. Out of fold on AI4I the even start scores higher (PR-AUC 0.771 vs 0.753; bench/gbdt_ai4i.mjs).
 */
const defaults: GbdtClassifierOptions = {
  ...defaultBoostingOptions,
  baseScore: 0.5,
  scalePosWeight: 1,
  classWeight: null,
};

function checkClassifierOptions(options: GbdtClassifierOptions, classCount: number): void {
  if (!(Number.isFinite(options.scalePosWeight) && options.scalePosWeight > 0)) {
    throw new ValidationError(
      `scalePosWeight must be a finite number > 0, got ${describeValue(options.scalePosWeight)}`,
    );
  }
  if (options.scalePosWeight !== 1 && classCount !== 2) {
    throw new ValidationError(`scalePosWeight applies to two classes, y has ${classCount}: use classWeight instead`);
  }
  if (options.baseScore !== null && classCount === 2 && !(options.baseScore > 0 && options.baseScore < 1)) {
    throw new ValidationError(`baseScore must be a probability in (0, 1), got ${describeValue(options.baseScore)}`);
  }
  checkClassWeight(options.classWeight);
}

/**
 * Gradient-boosted trees for failure classification: binary log loss for two classes, softmax for more (failure
 * modes). Histogram trees (≤ 255 quantile bins per feature), XGBoost's regularised split gain, depth-wise or
 * leaf-wise growth, row/column subsampling, early stopping on held-out rows; exact TreeSHAP explanations; reads and
 * writes XGBoost JSON models. See `boosting.ts` for the hyperparameters and docs/gbdt.md for a walkthrough.
 *
 * @example
 * const X = designMatrix([[10, 1], [20, 2], [30, 1], [40, 2], [50, 1], [60, 2]], ['torque', 'wear']);
 * const model = new GbdtClassifier({ nEstimators: 5, maxDepth: 1, minChildWeight: 0 }).fit(X, [0, 0, 0, 1, 1, 1]);
 * model.predict(X);                  // Float64Array [0, 0, 0, 1, 1, 1]
 * model.predictProba(X);             // P(failure) 0.263 for the first three rows, 0.737 for the last three
 * model.featureImportance();         // { torque: 1.652…, wear: 0 }
 * const explanation = model.explain(X);
 * topContributions(explanation, explanation.featureNames, 5); // [{ feature: 'torque', contribution: 1.029… }]
 */
export class GbdtClassifier extends Classifier<GbdtClassifierOptions, GbdtState> {
  static override readonly className: string = 'GbdtClassifier';
  /** NaN is a missing value: each split sends it the way learned for it (XGBoost's default direction). */
  static override readonly acceptsMissing: boolean = true;
  static readonly unitTestParams: readonly Partial<GbdtClassifierOptions>[] = [
    { nEstimators: 15, maxDepth: 3 },
    {
      nEstimators: 30,
      growPolicy: 'lossguide',
      maxDepth: 0,
      maxLeaves: 6,
      subsample: 0.8,
      lambda: 2,
      alpha: 0.1,
      minChildWeight: 0.5,
      classWeight: 'balanced',
      earlyStoppingRounds: 5,
      maxBins: 32,
    },
  ];

  constructor(options: Partial<GbdtClassifierOptions> = {}) {
    super({ ...defaults, ...options });
  }

  /** Loads an XGBoost JSON model (`Booster.save_model("m.json")`) with a binary or multiclass objective. */
  static fromXgboostJson(json: unknown): GbdtClassifier {
    const booster = parseXgboostJson(json);
    if (booster.objective === 'reg:squarederror') {
      throw new UnprocessableError('the XGBoost model is a regressor (reg:squarederror): load it with GbdtRegressor');
    }
    const outputs = booster.shape.outputs;
    const classes = Array.from({ length: outputs === 1 ? 2 : outputs }, (_, k) => k);
    const schema = { featureCount: booster.shape.featureCount, classes };
    return new GbdtClassifier().loadState(
      booster.featureNames ? { ...schema, featureNames: [...booster.featureNames] } : schema,
      stateFromBooster(booster),
    );
  }

  protected _fit(X: DesignMatrix, y: Float64Array, context: FitContext): GbdtState {
    const classes = context.classes ?? [];
    checkClassifierOptions(this.options, classes.length);
    const perClass = resolveClassWeights(this.options.classWeight, classes, y);
    const weights = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const positiveScale = classes.length === 2 && y[i] === 1 ? this.options.scalePosWeight : 1;
      weights[i] = context.sampleWeight[i] * perClass[y[i]] * positiveScale;
    }
    const objective = classes.length === 2 ? binaryLogistic : softmax(classes.length);
    return fitGbdtState(X, y, weights, objective, this.options, context, classes.length);
  }

  private featureCountOf(): number {
    return this.schema.featureCount ?? 0;
  }

  /** Raw margins (log-odds, or one softmax logit per class): rows × (1 or classes). */
  predictMargin(X: DesignMatrix): Matrix {
    const state = this.requireState();
    const aligned = this.prepareInput(X);
    const shape = ensembleShape(state, this.featureCountOf());
    return {
      rows: aligned.rows,
      cols: shape.outputs,
      data: predictMargins(state.trees, shape, aligned.data, aligned.rows, aligned.cols),
    };
  }

  protected _predictProba(X: DesignMatrix, state: GbdtState): Matrix {
    const shape = ensembleShape(state, this.featureCountOf());
    const margins = predictMargins(state.trees, shape, X.data, X.rows, X.cols);
    const outputs = shape.outputs;
    const classes = outputs === 1 ? 2 : outputs;
    const probabilities = new Float64Array(X.rows * classes);
    if (outputs === 1) {
      for (let i = 0; i < X.rows; i++) {
        const positive = sigmoid(margins[i]);
        probabilities[2 * i] = 1 - positive;
        probabilities[2 * i + 1] = positive;
      }
    } else {
      const row = new Float64Array(classes);
      for (let i = 0; i < X.rows; i++) {
        softmaxRow(margins, i * classes, classes, row);
        probabilities.set(row, i * classes);
      }
    }
    return { rows: X.rows, cols: classes, data: probabilities };
  }

  /**
   * Exact TreeSHAP contributions of each feature to each row's margin (log-odds; per class for more than two
   * classes); with the bias they sum to `predictMargin`.
   */
  explain(X: DesignMatrix): GbdtExplanation {
    return explainGbdt(this.requireState(), this.featureCountOf(), this.prepareInput(X), this.featureNames);
  }

  /** Importance per feature, largest first: 'gain' (mean loss reduction per split, default), 'weight' (splits), … */
  featureImportance(type: ImportanceType = 'gain'): Record<string, number> {
    return namedImportance(this.requireState(), this.featureCountOf(), this.featureNames, type);
  }

  /** The model as the text of an XGBoost JSON model file (`xgboost.Booster(model_file=…)` loads it). */
  toXgboostJson(): string {
    return gbdtXgboostJson(this.requireState(), this.featureCountOf(), this.featureNames, this.options.learningRate);
  }

  protected _restoreState(raw: unknown, schema: { featureCount?: number; classes?: number[] }): GbdtState {
    const classCount = schema.classes?.length ?? 0;
    if (classCount < 2) throw new ValidationError('schema.classes must list at least two classes');
    const state = readGbdtState(raw, schema.featureCount, classCount === 2 ? 1 : classCount);
    const expected = classCount === 2 ? 'binary:logistic' : 'multi:softprob';
    if (state.objective !== expected) {
      throw new ValidationError(
        `state.objective must be '${expected}' for ${classCount} classes, got '${state.objective}'`,
      );
    }
    return state;
  }

  protected override _summary(state: GbdtState): JsonObject {
    return { classes: [...this.classes], ...stateSummary(state, this.featureCountOf(), this.featureNames) };
  }
}
