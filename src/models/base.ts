/**
 * The interfaces every Upkeep model implements.
 *
 * - `Model`: options in (readonly, validated when fitting), learned state out (a separate serialisable field),
 *   `getConfig()`, a static `className`, `toJSON()` / `fromJSON()` with bit-identical round trips.
 * - `SupervisedModel`: batch `fit(X, y)` / `predict(X)` for regressors and RUL models; `Classifier` adds
 *   `predictProba(X)`. The public methods validate and align inputs; a model implements only the protected hooks
 *   `_fit`, `_predict` (`_predictProba`), `_restoreState`.
 * - `StreamingDetector` (defined in `anomaly/base.ts`, re-exported below): `learnOne(x)` / `scoreOne(x)` one
 *   timestamped observation at a time; higher score = more anomalous.
 *
 * Inputs are dense `DesignMatrix`es (rows × features, row-major `Float64Array`) or, for sequence models,
 * `SequenceBatch`es (samples × steps × features); see `input.ts`.
 */

import { describeValue, NotFittedError, ValidationError } from '../core/errors.js';
import type { Matrix } from '../math/linalg.js';
import {
  alignFeatures,
  checkFeatureNames,
  checkInput,
  checkVector,
  type DesignMatrix,
  featureCount,
  isSequenceBatch,
  type ModelInput,
  type SequenceBatch,
  sampleCount,
} from './input.js';
import { decodeState, encodeState, type JsonObject, type JsonValue, readObject } from './serialisation.js';

export type { DesignMatrix, JsonObject, JsonValue, Matrix, ModelInput, SequenceBatch };

/** What a supervised model predicts: a class, a number, or remaining useful life (a non-negative number of cycles/hours). */
export type Task = 'classification' | 'regression' | 'rul';

/** Version of the artifact layout written by `toJSON()`. */
export const ARTIFACT_FORMAT_VERSION = 1;

/** A saved model: enough to rebuild it without knowing its class (see `registry.ts`). */
export interface ModelArtifact {
  className: string;
  formatVersion: number;
  /** The options the model was constructed with (`getConfig()`). */
  config: JsonObject;
  /** What the model was fitted on: feature names (when given) and, for classifiers, the class labels. */
  schema: { featureNames?: string[]; featureCount?: number; classes?: number[] } | null;
  /** The learned state, encoded by `encodeState`; null for an unfitted model. */
  state: JsonValue;
}

/** Progress reported while fitting: the CLI shows it as a progress bar. */
export interface FitProgress {
  iteration: number;
  maxIterations?: number;
  /** The objective being minimised, when the model has one. */
  loss?: number;
}

/** Options of `fit()` besides X and y. */
export interface FitOptions {
  /** Non-negative weight per sample (default: all 1). */
  sampleWeight?: ArrayLike<number>;
  /** Column names; default `X.featureNames`. With names, `predict` matches columns by name. */
  featureNames?: readonly string[];
  onProgress?: (progress: FitProgress) => void;
}

/** What a model's `_fit` hook receives besides X and y, already validated. */
export interface FitContext {
  /** One weight per sample, finite and ≥ 0 (all ones when none was given). */
  readonly sampleWeight: Float64Array;
  /** True when the caller passed weights (so a model can skip the multiplications when false). */
  readonly weighted: boolean;
  readonly featureNames: readonly string[] | undefined;
  /** For classifiers: the class labels, ascending; y holds indices into this list. */
  readonly classes?: readonly number[];
  readonly onProgress: (progress: FitProgress) => void;
}

/** A model class as the registry sees it: a static name and a constructor taking the options (as saved in `config`). */
export interface ModelClass<M extends AnyModel = AnyModel> {
  readonly className: string;
  /** Small, fast option sets for the conformance suite (River's `_unit_test_params`); default `[{}]`. */
  readonly unitTestParams?: readonly object[];
  /** Whether the model takes NaN inputs as missing values (default false: NaN is rejected like ±Infinity). */
  readonly acceptsMissing?: boolean;
  new (options?: never): M;
}

/** Any model, whatever its options and state. */
export type AnyModel = Model<object, object>;

interface FittedSchema {
  featureNames?: string[];
  featureCount?: number;
  classes?: number[];
}

/** Common ground of all models: options, state, names and serialisation. */
export abstract class Model<Options extends object, State extends object> {
  /** The name the registry knows this class by; every concrete model overrides it. */
  static readonly className: string = 'Model';
  /**
   * Whether X may hold NaN, read as "missing" (models that route missing values themselves, e.g. boosted trees,
   * override it with true). ±Infinity is rejected either way.
   */
  static readonly acceptsMissing: boolean = false;

  /** Constructor options, frozen; validated when fitting, not here. */
  readonly options: Readonly<Options>;
  protected fittedState: State | undefined;
  protected schema: FittedSchema = {};

  constructor(options: Options) {
    this.options = Object.freeze({ ...options });
  }

  /** The registered class name (the static `className` of the concrete class). */
  get className(): string {
    return (this.constructor as unknown as { className: string }).className;
  }

  /** The static `acceptsMissing` of the concrete class. */
  get acceptsMissing(): boolean {
    return (this.constructor as unknown as { acceptsMissing?: boolean }).acceptsMissing === true;
  }

  /** The options, as a fresh plain object that `new (this.constructor)(config)` accepts. */
  getConfig(): Options {
    return structuredClone({ ...this.options }) as Options;
  }

  get isFitted(): boolean {
    return this.fittedState !== undefined;
  }

  /** The learned state; throws `NotFittedError` before `fit()` or loading. */
  get state(): Readonly<State> {
    return this.requireState();
  }

  protected requireState(): State {
    if (this.fittedState === undefined) throw new NotFittedError(this.className);
    return this.fittedState;
  }

  /** Feature names from fitting, when they were given. */
  get featureNames(): readonly string[] | undefined {
    return this.schema.featureNames;
  }

  /** Everything needed to rebuild this model: `JSON.stringify(model)` gives the saved form. */
  toJSON(): ModelArtifact {
    const schema: FittedSchema = {};
    if (this.schema.featureNames) schema.featureNames = [...this.schema.featureNames];
    if (this.schema.featureCount !== undefined) schema.featureCount = this.schema.featureCount;
    if (this.schema.classes) schema.classes = [...this.schema.classes];
    return {
      className: this.className,
      formatVersion: ARTIFACT_FORMAT_VERSION,
      config: encodeState(this.getConfig(), 'config') as JsonObject,
      schema: this.fittedState === undefined ? null : schema,
      state: this.fittedState === undefined ? null : encodeState(this.fittedState),
    };
  }

  /** Rebuilds a model of this class from `toJSON()` output (after a JSON round trip). */
  static fromJSON<M extends AnyModel>(this: ModelClass<M>, artifact: unknown): M {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the concrete subclass the artifact must belong to
    return restoreModel(this, artifact);
  }

  /** Installs a decoded state (from an artifact); `_restoreState` checks it. */
  loadState(schema: FittedSchema | null, rawState: unknown): this {
    if (rawState === null || rawState === undefined) {
      this.fittedState = undefined;
      this.schema = {};
      return this;
    }
    this.schema = readSchema(schema);
    this.fittedState = this._restoreState(rawState, this.schema);
    return this;
  }

  /** A JSON summary for the model card (coefficients, diagnostics); requires a fitted model. */
  summary(): JsonObject {
    return this._summary(this.requireState());
  }

  /** Checks a decoded state object and returns it typed; throw `ValidationError` naming the bad field. */
  protected abstract _restoreState(raw: unknown, schema: Readonly<FittedSchema>): State;

  protected _summary(_state: State): JsonObject {
    return {};
  }
}

function readSchema(raw: unknown): FittedSchema {
  if (raw === null || raw === undefined) return {};
  const object = readObject(raw, 'schema');
  const schema: FittedSchema = {};
  if (object.featureNames !== undefined) {
    if (!Array.isArray(object.featureNames)) throw new ValidationError('schema.featureNames must be an array');
    schema.featureNames = checkFeatureNames(
      object.featureNames as string[],
      object.featureNames.length,
      'schema.featureNames',
    );
  }
  if (object.featureCount !== undefined) {
    if (!Number.isInteger(object.featureCount) || (object.featureCount as number) < 0) {
      throw new ValidationError(
        `schema.featureCount must be a non-negative integer, got ${describeValue(object.featureCount)}`,
      );
    }
    schema.featureCount = object.featureCount as number;
  }
  if (object.classes !== undefined) {
    if (!Array.isArray(object.classes) || !object.classes.every((label) => typeof label === 'number')) {
      throw new ValidationError('schema.classes must be an array of numbers');
    }
    schema.classes = object.classes as number[];
  }
  return schema;
}

/** Builds a model of class `cls` from an artifact; checks the class name and format version. */
export function restoreModel<M extends AnyModel>(cls: ModelClass<M>, artifact: unknown): M {
  const object = readObject(artifact, 'artifact');
  if (object.className !== cls.className) {
    throw new ValidationError(`artifact.className must be '${cls.className}', got ${describeValue(object.className)}`);
  }
  if (object.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw new ValidationError(
      `artifact.formatVersion must be ${ARTIFACT_FORMAT_VERSION}, got ${describeValue(object.formatVersion)}`,
    );
  }
  const config = decodeState(object.config ?? {}, 'config');
  readObject(config, 'artifact.config');
  const model = new (cls as unknown as new (options: unknown) => M)(config);
  model.loadState((object.schema ?? null) as FittedSchema | null, decodeState(object.state ?? null));
  return model;
}

/**
 * A batch supervised model: `fit(X, y)` then `predict(X)`. The public methods check shapes, finite values, targets,
 * weights and feature names, reorder named columns into the trained order, and then call the protected hooks.
 */
export abstract class SupervisedModel<
  Options extends object,
  State extends object,
  Input extends ModelInput = DesignMatrix,
> extends Model<Options, State> {
  /** What this model predicts. */
  abstract get task(): Task;

  /** Fits on X (samples × features) and targets y; returns the fitted model. Refitting replaces the state. */
  fit(X: Input, y: ArrayLike<number>, options: FitOptions = {}): this {
    checkInput(X, 'X', this.acceptsMissing);
    const samples = sampleCount(X);
    const features = featureCount(X);
    if (samples === 0) throw new ValidationError('X has no rows: a model needs at least one sample to fit');
    const names = options.featureNames ?? X.featureNames;
    const featureNames = names === undefined ? undefined : checkFeatureNames(names, features);
    const targets = checkVector(y, samples, 'y', 'target');
    const weighted = options.sampleWeight !== undefined;
    const sampleWeight = weighted
      ? checkVector(options.sampleWeight as ArrayLike<number>, samples, 'sampleWeight', 'weight')
      : new Float64Array(samples).fill(1);
    const schema: FittedSchema = { featureCount: features };
    if (featureNames) schema.featureNames = featureNames;
    const encodedTargets = this.prepareTargets(targets, schema);
    const context: FitContext = {
      sampleWeight,
      weighted,
      featureNames,
      classes: schema.classes,
      onProgress: options.onProgress ?? (() => {}),
    };
    const state = this._fit(X, encodedTargets, context);
    this.schema = schema;
    this.fittedState = state;
    return this;
  }

  /** Predictions, one per sample: class labels for classifiers, numbers for regressors and RUL models. */
  predict(X: Input): Float64Array {
    const state = this.requireState();
    return this._predict(this.prepareInput(X), state);
  }

  /** Validates X and reorders its columns to the trained order. */
  protected prepareInput(X: Input): Input {
    checkInput(X, 'X', this.acceptsMissing);
    const aligned = alignFeatures(X, this.schema.featureNames, this.schema.featureCount ?? featureCount(X));
    if (isSequenceBatch(aligned) !== isSequenceBatch(X)) throw new ValidationError('X changed kind while aligning');
    return aligned;
  }

  /** Hook for classifiers to encode labels; regressors use targets as they are. */
  protected prepareTargets(targets: Float64Array, _schema: FittedSchema): Float64Array {
    return targets;
  }

  /** Learns from validated inputs (columns in `context.featureNames` order) and returns the new state. */
  protected abstract _fit(X: Input, y: Float64Array, context: FitContext): State;

  /** Predicts for validated, aligned inputs. */
  protected abstract _predict(X: Input, state: State): Float64Array;
}

/**
 * A classifier: targets are class labels (any finite numbers, e.g. 0/1); `_fit` receives them encoded as class
 * indices 0..K−1 in ascending label order, and `predict` maps the most probable index back to its label.
 */
export abstract class Classifier<
  Options extends object,
  State extends object,
  Input extends ModelInput = DesignMatrix,
> extends SupervisedModel<Options, State, Input> {
  get task(): Task {
    return 'classification';
  }

  /** The class labels seen in fitting, ascending; `predictProba` columns follow this order. */
  get classes(): readonly number[] {
    this.requireState();
    return this.schema.classes ?? [];
  }

  /** Class probabilities: a samples × classes matrix whose rows sum to 1. */
  predictProba(X: Input): Matrix {
    const state = this.requireState();
    return this._predictProba(this.prepareInput(X), state);
  }

  protected override prepareTargets(targets: Float64Array, schema: FittedSchema): Float64Array {
    const classes = distinctSorted(targets);
    if (classes.length < 2) {
      throw new ValidationError(`y has only one class (${describeValue(classes[0])}): a classifier needs at least two`);
    }
    schema.classes = classes;
    return encodeLabels(targets, classes);
  }

  protected override _predict(X: Input, state: State): Float64Array {
    const probabilities = this._predictProba(X, state);
    const classes = this.schema.classes ?? [];
    const labels = new Float64Array(probabilities.rows);
    for (let i = 0; i < probabilities.rows; i++) {
      let best = 0;
      for (let k = 1; k < probabilities.cols; k++) {
        if (probabilities.data[i * probabilities.cols + k] > probabilities.data[i * probabilities.cols + best])
          best = k;
      }
      labels[i] = classes[best];
    }
    return labels;
  }

  /** Class probabilities for validated, aligned inputs (columns in class-index order). */
  protected abstract _predictProba(X: Input, state: State): Matrix;
}

/** Distinct values, ascending. O(n · k) for k distinct values while k is small, then a Set. */
function distinctSorted(values: Float64Array): number[] {
  const seen: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    let known = false;
    for (let k = 0; k < seen.length; k++) {
      if (seen[k] === value) {
        known = true;
        break;
      }
    }
    if (!known) {
      seen.push(value);
      if (seen.length > 16) return [...new Set(values)].sort((a, b) => a - b);
    }
  }
  return seen.sort((a, b) => a - b);
}

/** Index of each label in the ascending `classes` (binary search). O(n · log k). */
function encodeLabels(labels: Float64Array, classes: readonly number[]): Float64Array {
  const encoded = new Float64Array(labels.length);
  if (classes.length === 2) {
    const positive = classes[1];
    for (let i = 0; i < labels.length; i++) encoded[i] = labels[i] === positive ? 1 : 0;
    return encoded;
  }
  for (let i = 0; i < labels.length; i++) {
    let low = 0;
    let high = classes.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (classes[middle] < labels[i]) low = middle + 1;
      else high = middle;
    }
    encoded[i] = low;
  }
  return encoded;
}

/**
 * Streaming anomaly detectors have one interface, `StreamingDetector` of `anomaly/base.ts` (River's
 * `anomaly.base`): `learnOne(x)`, `scoreOne(x)` (higher score = more anomalous) and `scoreThenLearn(x)`, where x is
 * one timestamped observation: `{ts, value}` (`StreamPoint`) for a detector of one metric, `{ts, metrics}`
 * (`VectorPoint`, metric name → value) for one that scores several metrics of an asset together. It is re-exported
 * here so every model interface is reachable from this module.
 */
export {
  type AnyDetectorJSON,
  type DetectorJSON,
  MultivariateDetector,
  StreamingDetector,
  type StreamPoint,
  UnivariateDetector,
  type VectorPoint,
} from './anomaly/base.js';
