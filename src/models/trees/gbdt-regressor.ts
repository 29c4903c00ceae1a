import { describeValue, UnprocessableError, ValidationError } from '../../core/errors.js';
import { type FitContext, type JsonObject, SupervisedModel, type Task } from '../base.js';
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
import { squaredError } from './objectives.js';
import { predictMargins } from './tree.js';
import { parseXgboostJson } from './xgboost-json.js';

/** Options of `GbdtRegressor`: the boosting hyperparameters plus what the target is. */
export interface GbdtRegressorOptions extends BoostingOptions {
  /**
   * 'regression' (default): any real target. 'rul': remaining useful life, predictions clipped at 0 (the trees
   * still fit squared error; clipping only removes impossible negative lives).
   */
  task: 'regression' | 'rul';
}

const defaults: GbdtRegressorOptions = { ...defaultBoostingOptions, task: 'regression' };

/**
 * Gradient-boosted trees for real-valued targets (squared error): sensor forecasts, remaining useful life. Same
 * trees, explanations and XGBoost interop as `GbdtClassifier`.
 *
 * @example
 * const X = designMatrix([[0], [10], [20], [30], [40], [50]], ['cycles']);
 * const model = new GbdtRegressor({ task: 'rul', nEstimators: 20, maxDepth: 2 }).fit(X, [50, 40, 30, 20, 10, 0]);
 * model.predict(designMatrix([[5], [45], [80]], ['cycles'])); // Float64Array [39.85…, 1.01…, 1.01…]
 */
export class GbdtRegressor extends SupervisedModel<GbdtRegressorOptions, GbdtState> {
  static override readonly className: string = 'GbdtRegressor';
  /** NaN is a missing value: each split sends it the way learned for it (XGBoost's default direction). */
  static override readonly acceptsMissing: boolean = true;
  static readonly unitTestParams: readonly Partial<GbdtRegressorOptions>[] = [
    { nEstimators: 15, maxDepth: 3 },
    {
      nEstimators: 40,
      growPolicy: 'lossguide',
      maxLeaves: 8,
      subsample: 0.7,
      colsampleByTree: 0.75,
      gamma: 0.1,
      earlyStoppingRounds: 5,
      task: 'rul',
    },
  ];

  constructor(options: Partial<GbdtRegressorOptions> = {}) {
    super({ ...defaults, ...options });
  }

  get task(): Task {
    return this.options.task === 'rul' ? 'rul' : 'regression';
  }

  /** Loads an XGBoost JSON model (`Booster.save_model("m.json")`) with objective reg:squarederror. */
  static fromXgboostJson(json: unknown): GbdtRegressor {
    const booster = parseXgboostJson(json);
    if (booster.objective !== 'reg:squarederror') {
      throw new UnprocessableError(
        `the XGBoost model is a classifier (${booster.objective}): load it with GbdtClassifier`,
      );
    }
    const schema = { featureCount: booster.shape.featureCount };
    return new GbdtRegressor().loadState(
      booster.featureNames ? { ...schema, featureNames: [...booster.featureNames] } : schema,
      stateFromBooster(booster),
    );
  }

  protected _fit(X: DesignMatrix, y: Float64Array, context: FitContext): GbdtState {
    if (this.options.task !== 'regression' && this.options.task !== 'rul') {
      throw new ValidationError(`task must be 'regression' or 'rul', got ${describeValue(this.options.task)}`);
    }
    return fitGbdtState(X, y, context.sampleWeight, squaredError, this.options, context, 0);
  }

  private featureCountOf(): number {
    return this.schema.featureCount ?? 0;
  }

  protected _predict(X: DesignMatrix, state: GbdtState): Float64Array {
    const predictions = predictMargins(
      state.trees,
      ensembleShape(state, this.featureCountOf()),
      X.data,
      X.rows,
      X.cols,
    );
    if (this.options.task === 'rul')
      for (let i = 0; i < predictions.length; i++) predictions[i] = Math.max(0, predictions[i]);
    return predictions;
  }

  /** Exact TreeSHAP contributions of each feature to each row's (unclipped) prediction; with the bias they sum to it. */
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

  protected _restoreState(raw: unknown, schema: { featureCount?: number }): GbdtState {
    const state = readGbdtState(raw, schema.featureCount, 1);
    if (state.objective !== 'reg:squarederror') {
      throw new ValidationError(`state.objective must be 'reg:squarederror', got '${state.objective}'`);
    }
    return state;
  }

  protected override _summary(state: GbdtState): JsonObject {
    return { task: this.task, ...stateSummary(state, this.featureCountOf(), this.featureNames) };
  }
}
