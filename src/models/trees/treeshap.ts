/**
 * Exact per-prediction feature contributions of a tree ensemble: path-dependent TreeSHAP (Lundberg, Erion & Lee,
 * "Consistent Individualized Feature Attribution for Tree Ensembles", arXiv:1802.03888, Algorithm 2), following
 * XGBoost's `RegTree::TreeShap` (`src/tree/tree_model.cc`) step for step, so `pred_contribs=True` and these agree.
 *
 * For each row and output, the contributions φ₁..φ_F and the bias φ₀ (the cover-weighted mean prediction of every
 * tree plus the base margin) add up to the raw margin: Σ φ + φ₀ = margin. Covers are the nodes' Σ hessian.
 * Cost: O(rows · trees · leaves · depth²).
 */

import { type EnsembleShape, maxTreeDepth, type TreeEnsemble, treeCount } from './tree.js';

/**
 * Contributions laid out as XGBoost's `pred_contribs` (rows × outputs × (features + 1)): entry
 * `data[(row · outputs + k) · (features + 1) + j]` is feature j's contribution to output k's margin; index
 * `features` holds the bias.
 */
export interface Contributions {
  readonly rows: number;
  readonly outputs: number;
  readonly features: number;
  readonly data: Float64Array;
}

/**
 * Cover-weighted mean leaf value below every node (XGBoost's `FillNodeMeanValues`): a leaf's value, or the
 * children's means weighted by their covers. Indexed like the ensemble's node arrays. O(nodes).
 */
export function nodeMeanValues(ensemble: TreeEnsemble): Float64Array {
  const { treeOffsets, left, right, value, cover } = ensemble;
  const means = new Float64Array(left.length);
  const trees = treeCount(ensemble);
  for (let t = 0; t < trees; t++) {
    const offset = treeOffsets[t];
    // Children always follow their parent, so a reverse sweep sees both children before the parent.
    for (let at = treeOffsets[t + 1] - 1; at >= offset; at--) {
      if (left[at] < 0) means[at] = value[at];
      else {
        const l = offset + left[at];
        const r = offset + right[at];
        means[at] = (means[l] * cover[l] + means[r] * cover[r]) / cover[at];
      }
    }
  }
  return means;
}

/** The decision path of the recursion: one segment per depth, (depth + 1)(depth + 2)/2 elements in all. */
class PathStore {
  readonly featureIndex: Int32Array;
  readonly zeroFraction: Float64Array;
  readonly oneFraction: Float64Array;
  readonly weight: Float64Array;

  constructor(maxDepth: number) {
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
    this.featureIndex = new Int32Array(size);
    this.zeroFraction = new Float64Array(size);
    this.oneFraction = new Float64Array(size);
    this.weight = new Float64Array(size);
  }

  copy(from: number, to: number, count: number): void {
    this.featureIndex.copyWithin(to, from, from + count);
    this.zeroFraction.copyWithin(to, from, from + count);
    this.oneFraction.copyWithin(to, from, from + count);
    this.weight.copyWithin(to, from, from + count);
  }

  /** Extends the path at `base` of length `depth` with one more feature (ExtendPath). */
  extend(base: number, depth: number, zeroFraction: number, oneFraction: number, feature: number): void {
    const weight = this.weight;
    this.featureIndex[base + depth] = feature;
    this.zeroFraction[base + depth] = zeroFraction;
    this.oneFraction[base + depth] = oneFraction;
    weight[base + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      weight[base + i + 1] += (oneFraction * weight[base + i] * (i + 1)) / (depth + 1);
      weight[base + i] = (zeroFraction * weight[base + i] * (depth - i)) / (depth + 1);
    }
  }

  /** Removes element `index` from the path at `base` of length `depth` (UnwindPath). */
  unwind(base: number, depth: number, index: number): void {
    const weight = this.weight;
    const oneFraction = this.oneFraction[base + index];
    const zeroFraction = this.zeroFraction[base + index];
    let nextOnePortion = weight[base + depth];
    for (let i = depth - 1; i >= 0; i--) {
      if (oneFraction !== 0) {
        const previous = weight[base + i];
        weight[base + i] = (nextOnePortion * (depth + 1)) / ((i + 1) * oneFraction);
        nextOnePortion = previous - (weight[base + i] * zeroFraction * (depth - i)) / (depth + 1);
      } else {
        weight[base + i] = (weight[base + i] * (depth + 1)) / (zeroFraction * (depth - i));
      }
    }
    for (let i = index; i < depth; i++) {
      this.featureIndex[base + i] = this.featureIndex[base + i + 1];
      this.zeroFraction[base + i] = this.zeroFraction[base + i + 1];
      this.oneFraction[base + i] = this.oneFraction[base + i + 1];
    }
  }

  /** Total permutation weight if element `index` were unwound (UnwoundPathSum). */
  unwoundSum(base: number, depth: number, index: number): number {
    const weight = this.weight;
    const oneFraction = this.oneFraction[base + index];
    const zeroFraction = this.zeroFraction[base + index];
    let nextOnePortion = weight[base + depth];
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (oneFraction !== 0) {
        const share = (nextOnePortion * (depth + 1)) / ((i + 1) * oneFraction);
        total += share;
        nextOnePortion = weight[base + i] - share * zeroFraction * ((depth - i) / (depth + 1));
      } else if (zeroFraction !== 0) {
        total += weight[base + i] / zeroFraction / ((depth - i) / (depth + 1));
      }
    }
    return total;
  }
}

/** One tree's recursion over one row. */
class TreeShapRun {
  constructor(
    private readonly ensemble: TreeEnsemble,
    private readonly path: PathStore,
    private readonly row: Float64Array | Float32Array,
    private readonly phi: Float64Array,
    private readonly phiOffset: number,
    private readonly nodeOffset: number,
  ) {}

  recurse(
    node: number,
    depth: number,
    parentBase: number,
    parentZeroFraction: number,
    parentOneFraction: number,
    parentFeature: number,
  ): void {
    const { ensemble, path } = this;
    const at = this.nodeOffset + node;
    const base = parentBase + depth + 1;
    path.copy(parentBase, base, depth + 1);
    path.extend(base, depth, parentZeroFraction, parentOneFraction, parentFeature);

    if (ensemble.left[at] < 0) {
      const leafValue = ensemble.value[at];
      for (let i = 1; i <= depth; i++) {
        const weight = path.unwoundSum(base, depth, i);
        this.phi[this.phiOffset + path.featureIndex[base + i]] +=
          weight * (path.oneFraction[base + i] - path.zeroFraction[base + i]) * leafValue;
      }
      return;
    }
    const feature = ensemble.feature[at];
    const x = this.row[feature];
    const leftChild = ensemble.left[at];
    const rightChild = ensemble.right[at];
    const hot = Number.isNaN(x)
      ? ensemble.defaultLeft[at] === 1
        ? leftChild
        : rightChild
      : x < ensemble.threshold[at]
        ? leftChild
        : rightChild;
    const cold = hot === leftChild ? rightChild : leftChild;
    const cover = ensemble.cover[at];
    const hotZeroFraction = ensemble.cover[this.nodeOffset + hot] / cover;
    const coldZeroFraction = ensemble.cover[this.nodeOffset + cold] / cover;
    let incomingZeroFraction = 1;
    let incomingOneFraction = 1;
    let pathDepth = depth;
    // A feature split on earlier in the path is unwound and redone here.
    let index = 0;
    for (; index <= pathDepth; index++) if (path.featureIndex[base + index] === feature) break;
    if (index !== pathDepth + 1) {
      incomingZeroFraction = path.zeroFraction[base + index];
      incomingOneFraction = path.oneFraction[base + index];
      path.unwind(base, pathDepth, index);
      pathDepth -= 1;
    }
    this.recurse(hot, pathDepth + 1, base, hotZeroFraction * incomingZeroFraction, incomingOneFraction, feature);
    this.recurse(cold, pathDepth + 1, base, coldZeroFraction * incomingZeroFraction, 0, feature);
  }
}

/**
 * Contributions of every row of a row-major `rows × cols` matrix (columns in the model's feature order) for the
 * first `trees` trees. With `shape.precision` 'float32' inputs are compared as float32, as XGBoost does.
 */
export function treeShap(
  ensemble: TreeEnsemble,
  shape: EnsembleShape,
  data: Float64Array | Float32Array,
  rows: number,
  cols: number,
  trees = treeCount(ensemble),
): Contributions {
  const outputs = shape.outputs;
  const width = cols + 1;
  const contributions = new Float64Array(rows * outputs * width);
  const means = nodeMeanValues(ensemble);
  const path = new PathStore(maxTreeDepth(ensemble));
  const row = shape.precision === 'float32' ? new Float32Array(cols) : new Float64Array(cols);
  let expected = new Float64Array(outputs);
  expected = expected.map((_, k) => shape.baseMargin[k]);
  for (let t = 0; t < trees; t++) expected[ensemble.treeGroups[t]] += means[ensemble.treeOffsets[t]];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) row[j] = data[i * cols + j];
    for (let t = 0; t < trees; t++) {
      const phiOffset = (i * outputs + ensemble.treeGroups[t]) * width;
      const run = new TreeShapRun(ensemble, path, row, contributions, phiOffset, ensemble.treeOffsets[t]);
      run.recurse(0, 0, 0, 1, 1, -1);
    }
    for (let k = 0; k < outputs; k++) contributions[(i * outputs + k) * width + cols] = expected[k];
  }
  return { rows, outputs, features: cols, data: contributions };
}

/** One feature's share of a prediction. */
export interface FeatureContribution {
  readonly feature: string;
  readonly contribution: number;
}

/**
 * The `count` largest contributions (by absolute value, non-zero only) of one row and output, largest first: what
 * an operator reads as "torque +1.3, tool wear +0.9, rpm −0.2". O(features log features).
 */
export function topContributions(
  contributions: Contributions,
  featureNames: readonly string[],
  row: number,
  output = 0,
  count = 3,
): FeatureContribution[] {
  const width = contributions.features + 1;
  const offset = (row * contributions.outputs + output) * width;
  const entries: FeatureContribution[] = [];
  for (let j = 0; j < contributions.features; j++) {
    const contribution = contributions.data[offset + j];
    if (contribution !== 0) entries.push({ feature: featureNames[j], contribution });
  }
  entries.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return entries.slice(0, count);
}
