/**
 * XGBoost's JSON model format (`Booster.save_model("m.json")`, version 1.7 layout): reading it into a
 * `TreeEnsemble` that predicts the same margins and TreeSHAP contributions, and writing our ensembles in the same
 * form so XGBoost (and tools that read its models) load them.
 *
 * Read: `learner.learner_model_param` (base_score, num_class, num_feature), `learner.objective.name`,
 * `learner.feature_names`, and `learner.gradient_booster.model` (`tree_info`, `trees[]` with `left_children`,
 * `right_children`, `split_indices`, `split_conditions` (the leaf value at leaves), `default_left`, `sum_hessian`,
 * `loss_changes`, `split_type`). Imported ensembles predict in float32 as XGBoost does (see `tree.ts`).
 * Supported objectives: binary:logistic, binary:logitraw, reg:squarederror (reg:linear), multi:softprob,
 * multi:softmax; gbtree boosters with numerical splits (no dart, no categorical splits).
 */

import { describeValue, UnprocessableError, ValidationError } from '../../core/errors.js';
import type { JsonObject } from '../serialisation.js';
import { readObject } from '../serialisation.js';
import { type ObjectiveName, sigmoid } from './objectives.js';
import { type EnsembleShape, type TreeEnsemble, treeCount, validateEnsemble } from './tree.js';

/** An ensemble with everything needed to predict and explain. */
export interface BoosterModel {
  readonly objective: ObjectiveName;
  readonly ensemble: TreeEnsemble;
  readonly shape: EnsembleShape;
  /** Feature names saved in the model, if any. */
  readonly featureNames?: readonly string[];
}

const ROOT_PARENT = 2147483647;

const objectiveAliases: Record<string, ObjectiveName> = {
  'binary:logistic': 'binary:logistic',
  'binary:logitraw': 'binary:logistic',
  'reg:squarederror': 'reg:squarederror',
  'reg:linear': 'reg:squarederror',
  'multi:softprob': 'multi:softprob',
  'multi:softmax': 'multi:softprob',
};

function readArray(object: Record<string, unknown>, key: string, path: string): unknown[] {
  const value = object[key];
  if (!Array.isArray(value)) throw new ValidationError(`${path}.${key} must be an array, got ${describeValue(value)}`);
  return value;
}

function readNumbers(object: Record<string, unknown>, key: string, path: string, length: number): number[] {
  const values = readArray(object, key, path);
  if (values.length !== length) {
    throw new ValidationError(`${path}.${key} has ${values.length} entries, expected ${length}`);
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // Booleans appear for default_left in some writers.
    if (typeof value === 'boolean') values[i] = value ? 1 : 0;
    else if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(`${path}.${key}[${i}] must be a finite number, got ${describeValue(value)}`);
    }
  }
  return values as number[];
}

/** XGBoost writes its parameters as strings ("5E-1"); accepts numbers too. */
function readParameter(object: Record<string, unknown>, key: string, path: string): number {
  const raw = object[key];
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(`${path}.${key} must be a number, got ${describeValue(raw)}`);
  }
  return value;
}

/** Parses a saved XGBoost model (the object `JSON.parse` gives) into an ensemble that predicts like XGBoost. */
export function parseXgboostJson(input: unknown): BoosterModel {
  const root = readObject(input, 'model');
  const learner = readObject(root.learner, 'learner');
  const modelParam = readObject(learner.learner_model_param, 'learner.learner_model_param');
  const baseScore = readParameter(modelParam, 'base_score', 'learner.learner_model_param');
  const numClass = readParameter(modelParam, 'num_class', 'learner.learner_model_param');
  const featureCount = readParameter(modelParam, 'num_feature', 'learner.learner_model_param');
  if (!(Number.isInteger(featureCount) && featureCount >= 1)) {
    throw new ValidationError(
      `learner.learner_model_param.num_feature must be a positive integer, got ${featureCount}`,
    );
  }
  if (
    modelParam.num_target !== undefined &&
    readParameter(modelParam, 'num_target', 'learner.learner_model_param') !== 1
  ) {
    throw new UnprocessableError('multi-target XGBoost models are not supported (num_target must be 1)');
  }
  const objectiveObject = readObject(learner.objective, 'learner.objective');
  const sourceObjective = objectiveObject.name;
  const objective = typeof sourceObjective === 'string' ? objectiveAliases[sourceObjective] : undefined;
  if (!objective) {
    throw new UnprocessableError(
      `learner.objective.name ${describeValue(sourceObjective)} is not supported (supported: ${Object.keys(objectiveAliases).join(', ')})`,
    );
  }
  const outputs = objective === 'multi:softprob' ? numClass : 1;
  if (objective === 'multi:softprob' && !(Number.isInteger(numClass) && numClass >= 2)) {
    throw new ValidationError(
      `learner.learner_model_param.num_class must be ≥ 2 for ${sourceObjective}, got ${numClass}`,
    );
  }
  let margin = baseScore;
  if (objective === 'binary:logistic') {
    if (!(baseScore > 0 && baseScore < 1)) {
      throw new ValidationError(
        `learner.learner_model_param.base_score must be in (0, 1) for ${sourceObjective}, got ${baseScore}`,
      );
    }
    // ProbToMargin in float32: −log(1/p − 1).
    margin = Math.fround(-Math.log(Math.fround(Math.fround(1 / Math.fround(baseScore)) - 1)));
  }
  const booster = readObject(learner.gradient_booster, 'learner.gradient_booster');
  if (booster.name !== 'gbtree') {
    throw new UnprocessableError(
      `learner.gradient_booster.name ${describeValue(booster.name)} is not supported (only 'gbtree')`,
    );
  }
  const model = readObject(booster.model, 'learner.gradient_booster.model');
  const modelPath = 'learner.gradient_booster.model';
  const trees = readArray(model, 'trees', modelPath);
  const treeInfo = readNumbers(model, 'tree_info', modelPath, trees.length);

  const offsets = [0];
  const columns = {
    left: [] as number[],
    right: [] as number[],
    feature: [] as number[],
    threshold: [] as number[],
    defaultLeft: [] as number[],
    value: [] as number[],
    cover: [] as number[],
    gain: [] as number[],
  };
  trees.forEach((rawTree, t) => {
    const path = `${modelPath}.trees[${t}]`;
    const tree = readObject(rawTree, path);
    const treeParam = readObject(tree.tree_param, `${path}.tree_param`);
    const nodes = readParameter(treeParam, 'num_nodes', `${path}.tree_param`);
    if (!(Number.isInteger(nodes) && nodes >= 1))
      throw new ValidationError(`${path}.tree_param.num_nodes must be ≥ 1, got ${nodes}`);
    const left = readNumbers(tree, 'left_children', path, nodes);
    const right = readNumbers(tree, 'right_children', path, nodes);
    const splitIndices = readNumbers(tree, 'split_indices', path, nodes);
    const conditions = readNumbers(tree, 'split_conditions', path, nodes);
    const defaults = readNumbers(tree, 'default_left', path, nodes);
    const hessians = readNumbers(tree, 'sum_hessian', path, nodes);
    const losses =
      tree.loss_changes === undefined
        ? new Array<number>(nodes).fill(0)
        : readNumbers(tree, 'loss_changes', path, nodes);
    if (tree.split_type !== undefined) {
      const types = readNumbers(tree, 'split_type', path, nodes);
      const categorical = types.findIndex((type) => type !== 0);
      if (categorical >= 0)
        throw new UnprocessableError(`${path} node ${categorical} is a categorical split, which is not supported`);
    }
    for (let node = 0; node < nodes; node++) {
      const isLeaf = left[node] === -1;
      columns.left.push(left[node]);
      columns.right.push(right[node]);
      columns.feature.push(isLeaf ? 0 : splitIndices[node]);
      columns.threshold.push(isLeaf ? 0 : Math.fround(conditions[node]));
      columns.defaultLeft.push(defaults[node] ? 1 : 0);
      columns.value.push(isLeaf ? Math.fround(conditions[node]) : 0);
      columns.cover.push(Math.fround(hessians[node]));
      columns.gain.push(isLeaf ? 0 : losses[node]);
    }
    offsets.push(columns.left.length);
  });
  const ensemble: TreeEnsemble = {
    treeOffsets: Int32Array.from(offsets),
    treeGroups: Int32Array.from(treeInfo),
    left: Int32Array.from(columns.left),
    right: Int32Array.from(columns.right),
    feature: Int32Array.from(columns.feature),
    threshold: Float64Array.from(columns.threshold),
    defaultLeft: Uint8Array.from(columns.defaultLeft),
    value: Float64Array.from(columns.value),
    cover: Float64Array.from(columns.cover),
    gain: Float64Array.from(columns.gain),
  };
  const shape: EnsembleShape = {
    outputs,
    featureCount,
    baseMargin: new Float64Array(outputs).fill(Math.fround(margin)),
    precision: 'float32',
  };
  validateEnsemble(ensemble, shape, modelPath);
  const names = learner.feature_names;
  let featureNames: string[] | undefined;
  if (Array.isArray(names) && names.length > 0) {
    if (names.length !== featureCount || !names.every((name) => typeof name === 'string')) {
      throw new ValidationError(`learner.feature_names must list ${featureCount} strings`);
    }
    featureNames = names as string[];
  }
  return featureNames ? { objective, ensemble, shape, featureNames } : { objective, ensemble, shape };
}

/** Options of `toXgboostJson`. */
export interface XgboostExportOptions {
  /** Learning rate the leaves were shrunk by: `base_weights` are written unshrunk (informational in XGBoost). */
  learningRate?: number;
  /** Version written in the file (default 1.7.4, the layout this module reads). */
  version?: readonly [number, number, number];
}

/**
 * Writes an ensemble as an XGBoost JSON model object; `formatXgboostJson` turns it into the text that
 * `xgboost.Booster(model_file=...)` loads. Binary models store
 * their base margin as base_score = σ(margin); a softmax model whose classes start from different margins gets one
 * leading round of single-leaf trees holding them (XGBoost's base_score is one number for all classes), which
 * leaves predictions and contributions unchanged. XGBoost reads thresholds and leaves as float32.
 */
export function toXgboostJson(model: BoosterModel, options: XgboostExportOptions = {}): JsonObject {
  const { ensemble, shape, objective } = model;
  const outputs = shape.outputs;
  const learningRate = options.learningRate ?? 1;
  const trees: JsonObject[] = [];
  const treeInfo: number[] = [];
  let baseScore = shape.baseMargin[0];
  if (objective === 'binary:logistic') baseScore = sigmoid(shape.baseMargin[0]);
  if (objective === 'multi:softprob') {
    const same = shape.baseMargin.every((margin) => margin === shape.baseMargin[0]);
    baseScore = same ? shape.baseMargin[0] : 0;
    if (!same) {
      for (let k = 0; k < outputs; k++) {
        treeInfo.push(k);
        trees.push(leafTree(trees.length, shape.featureCount, shape.baseMargin[k]));
      }
    }
  }
  const count = treeCount(ensemble);
  for (let t = 0; t < count; t++) {
    const offset = ensemble.treeOffsets[t];
    const nodes = ensemble.treeOffsets[t + 1] - offset;
    const parents = new Array<number>(nodes).fill(ROOT_PARENT);
    const left: number[] = [];
    const right: number[] = [];
    const splitIndices: number[] = [];
    const splitConditions: number[] = [];
    const defaultLeft: number[] = [];
    const baseWeights: number[] = [];
    const sumHessian: number[] = [];
    const lossChanges: number[] = [];
    for (let node = 0; node < nodes; node++) {
      const at = offset + node;
      const isLeaf = ensemble.left[at] < 0;
      if (!isLeaf) {
        parents[ensemble.left[at]] = node;
        parents[ensemble.right[at]] = node;
      }
      left.push(isLeaf ? -1 : ensemble.left[at]);
      right.push(isLeaf ? -1 : ensemble.right[at]);
      splitIndices.push(isLeaf ? 0 : ensemble.feature[at]);
      splitConditions.push(isLeaf ? ensemble.value[at] : ensemble.threshold[at]);
      defaultLeft.push(isLeaf ? 0 : ensemble.defaultLeft[at]);
      baseWeights.push(ensemble.value[at] / learningRate);
      sumHessian.push(ensemble.cover[at]);
      lossChanges.push(isLeaf ? 0 : ensemble.gain[at]);
    }
    treeInfo.push(ensemble.treeGroups[t]);
    trees.push({
      base_weights: baseWeights,
      categories: [],
      categories_nodes: [],
      categories_segments: [],
      categories_sizes: [],
      default_left: defaultLeft,
      id: trees.length,
      left_children: left,
      loss_changes: lossChanges,
      parents,
      right_children: right,
      split_conditions: splitConditions,
      split_indices: splitIndices,
      split_type: new Array<number>(nodes).fill(0),
      sum_hessian: sumHessian,
      tree_param: treeParam(shape.featureCount, nodes),
    });
  }
  const objectiveJson: JsonObject =
    objective === 'multi:softprob'
      ? { name: 'multi:softprob', softmax_multiclass_param: { num_class: String(outputs) } }
      : { name: objective, reg_loss_param: { scale_pos_weight: '1' } };
  return {
    learner: {
      attributes: {},
      feature_names: model.featureNames ? [...model.featureNames] : [],
      feature_types: [],
      gradient_booster: {
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(trees.length), size_leaf_vector: '0' },
          tree_info: treeInfo,
          trees,
        },
        name: 'gbtree',
      },
      learner_model_param: {
        base_score: String(baseScore),
        boost_from_average: '1',
        num_class: objective === 'multi:softprob' ? String(outputs) : '0',
        num_feature: String(shape.featureCount),
        num_target: '1',
      },
      objective: objectiveJson,
    },
    version: [...(options.version ?? [1, 7, 4])],
  };
}

/** Tree fields XGBoost parses as floating-point numbers: it rejects an integer literal (`0`) there. */
const floatFields = new Set(['base_weights', 'loss_changes', 'split_conditions', 'sum_hessian']);
const FLOAT_MARK = '\u0000float:';

/**
 * The text of an XGBoost JSON model (from `toXgboostJson`): like `JSON.stringify`, but numbers in XGBoost's
 * floating-point fields always carry a decimal point (`0.0`, `3.0`), as XGBoost's own writer does. O(size).
 */
export function formatXgboostJson(model: JsonObject): string {
  const text = JSON.stringify(model, (key, value: unknown) =>
    floatFields.has(key) && Array.isArray(value)
      ? value.map((number: number) => `${FLOAT_MARK}${Number.isInteger(number) ? number.toFixed(1) : String(number)}`)
      : value,
  );
  return text.replace(/"\\u0000float:([^"]*)"/g, '$1');
}

function treeParam(featureCount: number, nodes: number): JsonObject {
  return { num_deleted: '0', num_feature: String(featureCount), num_nodes: String(nodes), size_leaf_vector: '0' };
}

/** A tree that is one leaf holding `value` (cover 1). */
function leafTree(id: number, featureCount: number, value: number): JsonObject {
  return {
    base_weights: [value],
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
    default_left: [0],
    id,
    left_children: [-1],
    loss_changes: [0],
    parents: [ROOT_PARENT],
    right_children: [-1],
    split_conditions: [value],
    split_indices: [0],
    split_type: [0],
    sum_hessian: [1],
    tree_param: treeParam(featureCount, 1),
  };
}
