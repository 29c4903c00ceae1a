/**
 * The learned state shared by the gradient-boosted tree models (`GbdtClassifier`, `GbdtRegressor`): the trees,
 * the base margin and how the model was boosted; reading it back from a saved artifact with checks; and the
 * conversions both models offer (explanations, importance, XGBoost JSON).
 */

import { ValidationError } from '../../core/errors.js';
import type { JsonObject } from '../serialisation.js';
import { readFloat64Array, readNumber, readObject } from '../serialisation.js';
import { featureImportance, type ImportanceType } from './importance.js';
import type { ObjectiveName } from './objectives.js';
import { type EnsembleShape, type TreeEnsemble, treeCount, validateEnsemble } from './tree.js';
import type { Contributions } from './treeshap.js';
import type { BoosterModel } from './xgboost-json.js';

/** What a fitted gradient-boosted tree model holds. */
export interface GbdtState {
  objective: ObjectiveName;
  /** The trees; tree t adds to output `trees.treeGroups[t]`. */
  trees: TreeEnsemble;
  /** Margin before any tree, per output. */
  baseMargin: Float64Array;
  /** 'float32' for models imported from XGBoost (they predict with its arithmetic). */
  precision: 'float64' | 'float32';
  /** Boosting rounds kept (trees per output). */
  rounds: number;
  /** Validation loss per round run, when early stopping held rows out (else empty). */
  validationLoss: Float64Array;
}

/** Contributions with the names of the features they belong to (`x0`, `x1`, … when the model has none). */
export interface GbdtExplanation extends Contributions {
  readonly featureNames: readonly string[];
}

const objectives: readonly ObjectiveName[] = ['binary:logistic', 'reg:squarederror', 'multi:softprob'];

function readTypedArray<T extends Int32Array | Uint8Array>(
  object: Record<string, unknown>,
  key: string,
  path: string,
  kind: new (length: number) => T,
): T {
  const value = object[key];
  if (!(value instanceof kind)) throw new ValidationError(`${path}.${key} must be a ${kind.name}`);
  return value as T;
}

/** Checks a decoded state (see `serialisation.ts`) against the fitted schema and returns it typed. */
export function readGbdtState(raw: unknown, featureCount: number | undefined, outputs: number): GbdtState {
  const object = readObject(raw, 'state');
  const objective = object.objective;
  if (typeof objective !== 'string' || !(objectives as readonly string[]).includes(objective)) {
    throw new ValidationError(`state.objective must be one of ${objectives.join(', ')}, got ${String(objective)}`);
  }
  const precision = object.precision;
  if (precision !== 'float64' && precision !== 'float32') {
    throw new ValidationError(`state.precision must be 'float64' or 'float32', got ${String(precision)}`);
  }
  const rawTrees = readObject(object.trees, 'state.trees');
  const trees: TreeEnsemble = {
    treeOffsets: readTypedArray(rawTrees, 'treeOffsets', 'state.trees', Int32Array),
    treeGroups: readTypedArray(rawTrees, 'treeGroups', 'state.trees', Int32Array),
    left: readTypedArray(rawTrees, 'left', 'state.trees', Int32Array),
    right: readTypedArray(rawTrees, 'right', 'state.trees', Int32Array),
    feature: readTypedArray(rawTrees, 'feature', 'state.trees', Int32Array),
    threshold: readFloat64Array(rawTrees, 'threshold', 'state.trees'),
    defaultLeft: readTypedArray(rawTrees, 'defaultLeft', 'state.trees', Uint8Array),
    value: readFloat64Array(rawTrees, 'value', 'state.trees'),
    cover: readFloat64Array(rawTrees, 'cover', 'state.trees'),
    gain: readFloat64Array(rawTrees, 'gain', 'state.trees'),
  };
  const baseMargin = readFloat64Array(object, 'baseMargin', 'state', outputs);
  if (featureCount === undefined) throw new ValidationError('schema.featureCount is required for a tree model');
  validateEnsemble(trees, { outputs, featureCount, baseMargin, precision }, 'state.trees');
  const rounds = readNumber(object, 'rounds', 'state');
  if (!(Number.isInteger(rounds) && rounds * outputs === treeCount(trees))) {
    throw new ValidationError(`state.rounds must be the tree count / ${outputs}, got ${rounds}`);
  }
  return {
    objective: objective as ObjectiveName,
    trees,
    baseMargin,
    precision,
    rounds,
    validationLoss: readFloat64Array(object, 'validationLoss', 'state'),
  };
}

export function ensembleShape(state: GbdtState, featureCount: number): EnsembleShape {
  return { outputs: state.baseMargin.length, featureCount, baseMargin: state.baseMargin, precision: state.precision };
}

/** The state as a `BoosterModel` (for XGBoost export). */
export function boosterModel(
  state: GbdtState,
  featureCount: number,
  featureNames: readonly string[] | undefined,
): BoosterModel {
  const shape = ensembleShape(state, featureCount);
  return featureNames
    ? { objective: state.objective, ensemble: state.trees, shape, featureNames }
    : { objective: state.objective, ensemble: state.trees, shape };
}

/** The state of an imported booster. */
export function stateFromBooster(booster: BoosterModel): GbdtState {
  return {
    objective: booster.objective,
    trees: booster.ensemble,
    baseMargin: Float64Array.from(booster.shape.baseMargin),
    precision: booster.shape.precision,
    rounds: treeCount(booster.ensemble) / booster.shape.outputs,
    validationLoss: new Float64Array(0),
  };
}

/** Importance per feature name (`x0`, `x1`, … without names), largest first. */
export function namedImportance(
  state: GbdtState,
  featureCount: number,
  featureNames: readonly string[] | undefined,
  type: ImportanceType,
): Record<string, number> {
  const values = featureImportance(state.trees, featureCount, type);
  const names = featureNames ?? Array.from({ length: featureCount }, (_, j) => `x${j}`);
  const order = Array.from({ length: featureCount }, (_, j) => j).sort((a, b) => values[b] - values[a] || a - b);
  return Object.fromEntries(order.map((j) => [names[j], values[j]]));
}

/** Summary fields shared by both models. */
export function stateSummary(
  state: GbdtState,
  featureCount: number,
  featureNames: readonly string[] | undefined,
): JsonObject {
  const summary: JsonObject = {
    objective: state.objective,
    rounds: state.rounds,
    trees: treeCount(state.trees),
    leaves: state.trees.left.reduce((count, child) => count + (child < 0 ? 1 : 0), 0),
    baseMargin: Array.from(state.baseMargin),
    precision: state.precision,
    importanceGain: namedImportance(state, featureCount, featureNames, 'gain'),
  };
  if (state.validationLoss.length > 0) {
    summary.validationLoss = Array.from(state.validationLoss);
    summary.bestValidationLoss = Math.min(...state.validationLoss);
  }
  return summary;
}
