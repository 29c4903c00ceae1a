/**
 * A fitted ensemble of regression trees in flat typed arrays (one node table for all trees, like XGBoost's
 * `RegTree` arrays laid end to end), and the predictions it makes. An internal node sends a row left when
 * `x[feature] < threshold`, to its default side when the value is missing (NaN), right otherwise — XGBoost's rule,
 * so the same arrays load from and export to XGBoost's JSON model format (see `xgboost-json.ts`).
 *
 * Precision: trees we train predict in float64. Trees loaded from XGBoost predict as XGBoost does — inputs rounded
 * to float32 before comparing with the float32 thresholds, and the per-tree sum accumulated in float32 in tree
 * order — which reproduces its margins exactly rather than to a tolerance.
 */

import { ValidationError } from '../../core/errors.js';

/** The trees of a boosted model. Node indices in `left`/`right` are local to their tree (0 = the tree's root). */
export interface TreeEnsemble {
  /** trees + 1 offsets: tree t's nodes are `treeOffsets[t] .. treeOffsets[t+1] − 1`. */
  readonly treeOffsets: Int32Array;
  /** The output (class) each tree adds to (XGBoost's `tree_info`). */
  readonly treeGroups: Int32Array;
  /** Left child (local index), −1 for a leaf. */
  readonly left: Int32Array;
  /** Right child (local index), −1 for a leaf. */
  readonly right: Int32Array;
  /** Split feature; 0 for a leaf. */
  readonly feature: Int32Array;
  /** Split threshold (`x < threshold` goes left); 0 for a leaf. */
  readonly threshold: Float64Array;
  /** 1 when missing values go left. */
  readonly defaultLeft: Uint8Array;
  /** Leaf value added to the margin (learning rate applied); for internal nodes the shrunk node weight. */
  readonly value: Float64Array;
  /** Σ hessian of the training rows that reached the node (XGBoost's `sum_hessian`, TreeSHAP's cover). */
  readonly cover: Float64Array;
  /** Loss reduction of the split (XGBoost's `loss_changes`); 0 for a leaf. */
  readonly gain: Float64Array;
}

/** Ensemble-wide facts that prediction needs. */
export interface EnsembleShape {
  /** Outputs per row: 1 for regression and binary classification, K for K-class softmax. */
  readonly outputs: number;
  /** Features the trees may index. */
  readonly featureCount: number;
  /** Margin every row starts from, one per output. */
  readonly baseMargin: Float64Array;
  /** 'float32' reproduces XGBoost's arithmetic (see the module comment). */
  readonly precision: 'float64' | 'float32';
}

export function treeCount(ensemble: TreeEnsemble): number {
  return ensemble.treeOffsets.length - 1;
}

/** Largest depth of any tree (a lone leaf has depth 0). O(nodes). */
export function maxTreeDepth(ensemble: TreeEnsemble): number {
  let deepest = 0;
  const trees = treeCount(ensemble);
  for (let t = 0; t < trees; t++) {
    const offset = ensemble.treeOffsets[t];
    const size = ensemble.treeOffsets[t + 1] - offset;
    const depth = new Int32Array(size);
    for (let node = 0; node < size; node++) {
      const left = ensemble.left[offset + node];
      if (left < 0) {
        if (depth[node] > deepest) deepest = depth[node];
        continue;
      }
      depth[left] = depth[node] + 1;
      depth[ensemble.right[offset + node]] = depth[node] + 1;
    }
  }
  return deepest;
}

/**
 * Checks an ensemble's arrays: matching lengths, children inside their tree and after their parent (so every
 * traversal ends), features within range, groups within outputs. Throws `ValidationError` naming the bad entry.
 * O(nodes).
 */
export function validateEnsemble(ensemble: TreeEnsemble, shape: EnsembleShape, path = 'trees'): void {
  const { treeOffsets, treeGroups, left, right, feature, threshold, defaultLeft, value, cover, gain } = ensemble;
  const nodes = left.length;
  const arrays: [string, ArrayLike<number>][] = [
    ['right', right],
    ['feature', feature],
    ['threshold', threshold],
    ['defaultLeft', defaultLeft],
    ['value', value],
    ['cover', cover],
    ['gain', gain],
  ];
  for (const [name, array] of arrays) {
    if (array.length !== nodes)
      throw new ValidationError(`${path}.${name} has ${array.length} entries, expected ${nodes}`);
  }
  const trees = treeOffsets.length - 1;
  if (trees < 0 || treeOffsets[0] !== 0 || treeOffsets[trees] !== nodes) {
    throw new ValidationError(`${path}.treeOffsets must start at 0 and end at the node count ${nodes}`);
  }
  if (treeGroups.length !== trees) {
    throw new ValidationError(`${path}.treeGroups has ${treeGroups.length} entries, expected ${trees}`);
  }
  if (shape.baseMargin.length !== shape.outputs) {
    throw new ValidationError(`baseMargin has ${shape.baseMargin.length} entries, expected ${shape.outputs}`);
  }
  for (let t = 0; t < trees; t++) {
    const offset = treeOffsets[t];
    const size = treeOffsets[t + 1] - offset;
    if (size < 1) throw new ValidationError(`${path}: tree ${t} has no nodes`);
    if (!(treeGroups[t] >= 0 && treeGroups[t] < shape.outputs)) {
      throw new ValidationError(`${path}.treeGroups[${t}] must be in 0..${shape.outputs - 1}, got ${treeGroups[t]}`);
    }
    for (let node = 0; node < size; node++) {
      const l = left[offset + node];
      const r = right[offset + node];
      if (l === -1 && r === -1) {
        if (!Number.isFinite(value[offset + node])) {
          throw new ValidationError(`${path}: tree ${t} leaf ${node} has a non-finite value ${value[offset + node]}`);
        }
        continue;
      }
      if (!(l > node && l < size && r > node && r < size && l !== r)) {
        throw new ValidationError(`${path}: tree ${t} node ${node} has invalid children ${l}, ${r}`);
      }
      const f = feature[offset + node];
      if (!(f >= 0 && f < shape.featureCount)) {
        throw new ValidationError(
          `${path}: tree ${t} node ${node} splits on feature ${f}, the model has ${shape.featureCount} features`,
        );
      }
      if (Number.isNaN(threshold[offset + node])) {
        throw new ValidationError(`${path}: tree ${t} node ${node} has a NaN threshold`);
      }
    }
  }
}

/** Local index of the leaf a row reaches in one tree (row values from `data` at `rowOffset`). */
export function leafIndex(ensemble: TreeEnsemble, tree: number, data: ArrayLike<number>, rowOffset: number): number {
  const { left, right, feature, threshold, defaultLeft } = ensemble;
  const offset = ensemble.treeOffsets[tree];
  let node = 0;
  while (left[offset + node] >= 0) {
    const at = offset + node;
    const x = data[rowOffset + feature[at]];
    if (Number.isNaN(x)) node = defaultLeft[at] === 1 ? left[at] : right[at];
    else node = x < threshold[at] ? left[at] : right[at];
  }
  return node;
}

/**
 * Raw margins (rows × outputs, row-major) of a row-major `rows × cols` matrix whose columns are the model's
 * features in order; `trees` limits prediction to the first trees. O(rows · trees · depth).
 */
export function predictMargins(
  ensemble: TreeEnsemble,
  shape: EnsembleShape,
  data: Float64Array | Float32Array,
  rows: number,
  cols: number,
  trees = treeCount(ensemble),
): Float64Array {
  const outputs = shape.outputs;
  const margins = new Float64Array(rows * outputs);
  const { treeOffsets, treeGroups, left, right, feature, threshold, defaultLeft, value } = ensemble;
  if (shape.precision === 'float32') {
    const row32 = new Float32Array(cols);
    const sums = new Float32Array(outputs);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) row32[j] = data[i * cols + j];
      for (let k = 0; k < outputs; k++) sums[k] = shape.baseMargin[k];
      for (let t = 0; t < trees; t++) {
        const offset = treeOffsets[t];
        let at = offset;
        while (left[at] >= 0) {
          const x = row32[feature[at]];
          at =
            offset +
            (Number.isNaN(x)
              ? defaultLeft[at] === 1
                ? left[at]
                : right[at]
              : x < threshold[at]
                ? left[at]
                : right[at]);
        }
        sums[treeGroups[t]] += value[at];
      }
      for (let k = 0; k < outputs; k++) margins[i * outputs + k] = sums[k];
    }
    return margins;
  }
  for (let i = 0; i < rows; i++) {
    const rowOffset = i * cols;
    const out = i * outputs;
    for (let k = 0; k < outputs; k++) margins[out + k] = shape.baseMargin[k];
    for (let t = 0; t < trees; t++) {
      const offset = treeOffsets[t];
      let at = offset;
      while (left[at] >= 0) {
        const x = data[rowOffset + feature[at]];
        at =
          offset +
          (Number.isNaN(x) ? (defaultLeft[at] === 1 ? left[at] : right[at]) : x < threshold[at] ? left[at] : right[at]);
      }
      margins[out + treeGroups[t]] += value[at];
    }
  }
  return margins;
}

/** The first `trees` trees of an ensemble (copies). */
export function truncateEnsemble(ensemble: TreeEnsemble, trees: number): TreeEnsemble {
  const nodes = ensemble.treeOffsets[trees];
  return {
    treeOffsets: ensemble.treeOffsets.slice(0, trees + 1),
    treeGroups: ensemble.treeGroups.slice(0, trees),
    left: ensemble.left.slice(0, nodes),
    right: ensemble.right.slice(0, nodes),
    feature: ensemble.feature.slice(0, nodes),
    threshold: ensemble.threshold.slice(0, nodes),
    defaultLeft: ensemble.defaultLeft.slice(0, nodes),
    value: ensemble.value.slice(0, nodes),
    cover: ensemble.cover.slice(0, nodes),
    gain: ensemble.gain.slice(0, nodes),
  };
}

/** Appends trees node by node while boosting, then freezes them into a `TreeEnsemble`. */
export class EnsembleBuilder {
  private readonly offsets: number[] = [0];
  private readonly groups: number[] = [];
  private readonly leftNodes: number[] = [];
  private readonly rightNodes: number[] = [];
  private readonly features: number[] = [];
  private readonly thresholds: number[] = [];
  private readonly defaults: number[] = [];
  private readonly values: number[] = [];
  private readonly covers: number[] = [];
  private readonly gains: number[] = [];

  get treeCount(): number {
    return this.groups.length;
  }

  /** Adds one tree whose node arrays are given (local child indices). */
  addTree(group: number, tree: TreeEnsemble): void {
    const nodes = tree.left.length;
    for (let node = 0; node < nodes; node++) {
      this.leftNodes.push(tree.left[node]);
      this.rightNodes.push(tree.right[node]);
      this.features.push(tree.feature[node]);
      this.thresholds.push(tree.threshold[node]);
      this.defaults.push(tree.defaultLeft[node]);
      this.values.push(tree.value[node]);
      this.covers.push(tree.cover[node]);
      this.gains.push(tree.gain[node]);
    }
    this.groups.push(group);
    this.offsets.push(this.leftNodes.length);
  }

  build(): TreeEnsemble {
    return {
      treeOffsets: Int32Array.from(this.offsets),
      treeGroups: Int32Array.from(this.groups),
      left: Int32Array.from(this.leftNodes),
      right: Int32Array.from(this.rightNodes),
      feature: Int32Array.from(this.features),
      threshold: Float64Array.from(this.thresholds),
      defaultLeft: Uint8Array.from(this.defaults),
      value: Float64Array.from(this.values),
      cover: Float64Array.from(this.covers),
      gain: Float64Array.from(this.gains),
    };
  }
}
