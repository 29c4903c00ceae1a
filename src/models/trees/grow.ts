/**
 * Grows one regression tree on binned data from per-row gradient pairs (XGBoost's `hist` tree method): every node
 * owns a contiguous range of a row-index array, which a split partitions in place (stable); the smaller child's
 * histogram is built from its rows and the larger one's is the parent's minus it.
 *
 * Growth policies (XGBoost's `grow_policy`): 'depthwise' expands nodes level by level (breadth first) up to
 * `maxDepth`; 'lossguide' always expands the open node with the largest gain (LightGBM's leaf-wise growth) up to
 * `maxLeaves`. Both limits apply to both policies when set (0 = no limit). Columns may be subsampled per level and
 * per node (XGBoost's `colsample_bylevel`, `colsample_bynode`) from the tree's columns.
 *
 * Cost per tree: O(rows · features) for the root histogram, then O(rows in smaller children · features) per level,
 * plus O(rows) per level to partition and O(nodes · bins) to scan histograms.
 */

import type { Rng } from '../../core/rng.js';
import { type BinCuts, MISSING_BIN, splitThreshold } from './binning.js';
import { type HistogramLayout, histogramTotals, sumGradients } from './histogram.js';
import type { MarginSegment, RowKernels } from './row-kernels.js';
import { emptyCandidate, findBestSplit, leafWeight, type SplitCandidate, type SplitParams } from './split.js';
import type { TreeEnsemble } from './tree.js';

/** How a tree grows. */
export interface GrowParams extends SplitParams {
  readonly growPolicy: 'depthwise' | 'lossguide';
  /** Deepest level a node may be split at plus one (0 = no limit). */
  readonly maxDepth: number;
  /** Most leaves per tree (0 = no limit). */
  readonly maxLeaves: number;
  readonly learningRate: number;
  readonly colsampleByLevel: number;
  readonly colsampleByNode: number;
}

/** A grown tree, and where its training rows ended up. */
export interface GrownTree {
  /** The tree as a one-tree ensemble (group 0). */
  readonly tree: TreeEnsemble;
  /** Split bin per node (0 for leaves): rows with bin 1..splitBin go left. */
  readonly splitBin: Int32Array;
  /**
   * Each node's rows are `rowIndex[nodeBegin[n] .. nodeEnd[n])` of the kernels' row index — except the children of
   * `unpartitioned` nodes (range −1..−1): those split at the depth limit, where sorting the rows into two leaves
   * would be a wasted pass; their rows are `rowIndex[nodeBegin[n] .. nodeEnd[n])` of the parent, routed by its split.
   */
  readonly nodeBegin: Int32Array;
  readonly nodeEnd: Int32Array;
  readonly unpartitioned: Int32Array;
}

/** A node waiting to be split. */
interface OpenNode {
  id: number;
  depth: number;
  begin: number;
  end: number;
  histogram: Float64Array;
  split: SplitCandidate;
  order: number;
}

/**
 * A uniformly chosen subset of `source` of size max(1, round(fraction · size)) (XGBoost's `ColumnSampler`), kept
 * in `source`'s order. Returns `source` itself when fraction is 1. O(size log size).
 */
export function sampleFeatures(source: Int32Array, fraction: number, rng: Rng): Int32Array {
  if (fraction >= 1) return source;
  const count = Math.max(1, Math.round(fraction * source.length));
  const positions = new Int32Array(source.length);
  for (let i = 0; i < positions.length; i++) positions[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(positions.length - i);
    const swap = positions[i];
    positions[i] = positions[j];
    positions[j] = swap;
  }
  const chosen = positions.subarray(0, count).sort();
  return Int32Array.from(chosen, (position) => source[position]);
}

/** Grows trees on one binned training set, reusing its buffers from tree to tree. */
export class TreeGrower {
  private readonly pool: Float64Array[] = [];

  constructor(
    private readonly kernels: RowKernels,
    private readonly layout: HistogramLayout,
    private readonly cuts: BinCuts,
    private readonly params: GrowParams,
    private readonly rng: Rng,
  ) {}

  /** A histogram buffer (contents undefined: the kernels zero it). */
  private acquire(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.layout.size);
  }

  private release(histogram: Float64Array): void {
    this.pool.push(histogram);
  }

  /**
   * Grows one tree on rows `kernels.rowIndex[0..rowCount)` (partitioned in place) with the gradient pairs of
   * output `output`, searching splits over `treeFeatures` in their order (which breaks ties between equal gains).
   */
  grow(rowCount: number, output: number, treeFeatures: Int32Array): GrownTree {
    const { params, layout, rng, kernels } = this;
    const rowIndex = kernels.rowIndex;
    const gradients = kernels.gradients[output];
    const histogramFeatures = treeFeatures.length === layout.cols ? null : treeFeatures;

    const left: number[] = [];
    const right: number[] = [];
    const feature: number[] = [];
    const splitBin: number[] = [];
    const threshold: number[] = [];
    const defaultLeft: number[] = [];
    const value: number[] = [];
    const cover: number[] = [];
    const gain: number[] = [];
    const nodeBegin: number[] = [];
    const nodeEnd: number[] = [];
    const unpartitioned: number[] = [];
    const addNode = (begin: number, end: number, sumGradient: number, sumHessian: number): number => {
      const id = left.length;
      left.push(-1);
      right.push(-1);
      feature.push(0);
      splitBin.push(0);
      threshold.push(0);
      defaultLeft.push(0);
      value.push(params.learningRate * leafWeight(sumGradient, sumHessian, params));
      cover.push(sumHessian);
      gain.push(0);
      nodeBegin.push(begin);
      nodeEnd.push(end);
      return id;
    };

    const levelFeatures = new Map<number, Int32Array>();
    const featuresFor = (depth: number): Int32Array => {
      let atLevel = levelFeatures.get(depth);
      if (!atLevel) {
        atLevel = sampleFeatures(treeFeatures, params.colsampleByLevel, rng);
        levelFeatures.set(depth, atLevel);
      }
      return sampleFeatures(atLevel, params.colsampleByNode, rng);
    };
    const canSplitAt = (depth: number, begin: number, end: number) =>
      (params.maxDepth === 0 || depth < params.maxDepth) && end - begin >= 2;

    // The root's histogram (when it may split) also gives its sums: every row sits in one bin of any feature.
    let rootHistogram: Float64Array | null = null;
    let rootGradient: number;
    let rootHessian: number;
    if (canSplitAt(0, 0, rowCount)) {
      rootHistogram = this.acquire();
      kernels.histogram(0, rowCount, output, rootHistogram, histogramFeatures);
      [rootGradient, rootHessian] = histogramTotals(rootHistogram, layout, treeFeatures[0]);
    } else {
      [rootGradient, rootHessian] = sumGradients(gradients, rowIndex, 0, rowCount);
    }
    addNode(0, rowCount, rootGradient, rootHessian);
    const open: OpenNode[] = [];
    let order = 0;
    const consider = (id: number, depth: number, histogram: Float64Array, sumGradient: number, sumHessian: number) => {
      const begin = nodeBegin[id];
      const end = nodeEnd[id];
      if (!canSplitAt(depth, begin, end)) {
        this.release(histogram);
        return;
      }
      const split = emptyCandidate();
      findBestSplit(histogram, layout, featuresFor(depth), sumGradient, sumHessian, params, split);
      if (split.feature < 0) {
        this.release(histogram);
        return;
      }
      open.push({ id, depth, begin, end, histogram, split, order: order++ });
    };

    if (rootHistogram) consider(0, 0, rootHistogram, rootGradient, rootHessian);

    let leaves = 1;
    while (open.length > 0 && (params.maxLeaves === 0 || leaves < params.maxLeaves)) {
      const node = this.popNext(open);
      const { split } = node;
      const childDepth = node.depth + 1;
      // Children at the depth limit stay leaves: their rows need no partition, only routing once (`unpartitioned`).
      const childrenTerminal = params.maxDepth > 0 && childDepth >= params.maxDepth;
      const middle = childrenTerminal
        ? -1
        : kernels.partition(node.begin, node.end, split.feature, split.splitBin, split.defaultLeft);
      const leftId = addNode(childrenTerminal ? -1 : node.begin, middle, split.leftGradient, split.leftHessian);
      const rightId = addNode(middle, childrenTerminal ? -1 : node.end, split.rightGradient, split.rightHessian);
      left[node.id] = leftId;
      right[node.id] = rightId;
      feature[node.id] = split.feature;
      splitBin[node.id] = split.splitBin;
      threshold[node.id] = splitThreshold(this.cuts, split.feature, split.splitBin);
      defaultLeft[node.id] = split.defaultLeft ? 1 : 0;
      gain[node.id] = split.gain;
      leaves++;
      if (childrenTerminal) {
        unpartitioned.push(node.id);
        this.release(node.histogram);
        continue;
      }
      const leftSplittable = canSplitAt(childDepth, node.begin, middle);
      const rightSplittable = canSplitAt(childDepth, middle, node.end);
      if (!leftSplittable && !rightSplittable) {
        this.release(node.histogram);
        continue;
      }
      // Build the smaller child from rows; the larger is parent − smaller (unless only the smaller is needed).
      const leftSmaller = middle - node.begin <= node.end - middle;
      const smallBegin = leftSmaller ? node.begin : middle;
      const smallEnd = leftSmaller ? middle : node.end;
      const small = this.acquire();
      const largeSplittable = leftSmaller ? rightSplittable : leftSplittable;
      // The larger child's histogram is the parent's buffer, minus the smaller child's in the same pass.
      kernels.histogram(
        smallBegin,
        smallEnd,
        output,
        small,
        histogramFeatures,
        largeSplittable ? node.histogram : null,
      );
      let large: Float64Array | null = null;
      if (largeSplittable) large = node.histogram;
      else this.release(node.histogram);
      const leftHistogram = leftSmaller ? small : large;
      const rightHistogram = leftSmaller ? large : small;
      if (leftHistogram) consider(leftId, childDepth, leftHistogram, split.leftGradient, split.leftHessian);
      if (rightHistogram) consider(rightId, childDepth, rightHistogram, split.rightGradient, split.rightHessian);
    }
    for (const node of open) this.release(node.histogram);

    const nodes = left.length;
    return {
      tree: {
        treeOffsets: Int32Array.of(0, nodes),
        treeGroups: Int32Array.of(0),
        left: Int32Array.from(left),
        right: Int32Array.from(right),
        feature: Int32Array.from(feature),
        threshold: Float64Array.from(threshold),
        defaultLeft: Uint8Array.from(defaultLeft),
        value: Float64Array.from(value),
        cover: Float64Array.from(cover),
        gain: Float64Array.from(gain),
      },
      splitBin: Int32Array.from(splitBin),
      nodeBegin: Int32Array.from(nodeBegin),
      nodeEnd: Int32Array.from(nodeEnd),
      unpartitioned: Int32Array.from(unpartitioned),
    };
  }

  /** Depthwise: the oldest open node (breadth first). Lossguide: the largest gain, oldest first among ties. */
  private popNext(open: OpenNode[]): OpenNode {
    let best = 0;
    if (this.params.growPolicy === 'lossguide') {
      for (let i = 1; i < open.length; i++) {
        const candidate = open[i];
        const current = open[best];
        if (
          candidate.split.gain > current.split.gain ||
          (candidate.split.gain === current.split.gain && candidate.order < current.order)
        ) {
          best = i;
        }
      }
    }
    const [node] = open.splice(best, 1);
    return node;
  }
}

/**
 * What a grown tree adds to the margins of the rows it saw (`RowKernels.addTreeValues`): each leaf's row range, and
 * the rows of each node split at the depth limit, routed by that split.
 */
export function marginSegments({ tree, splitBin, nodeBegin, nodeEnd, unpartitioned }: GrownTree): MarginSegment[] {
  const segments: MarginSegment[] = [];
  for (let node = 0; node < tree.left.length; node++) {
    if (tree.left[node] >= 0) continue;
    segments.push({ begin: nodeBegin[node], end: nodeEnd[node], node, split: null, leftValue: tree.value[node] });
  }
  for (const node of unpartitioned) {
    segments.push({
      begin: nodeBegin[node],
      end: nodeEnd[node],
      node,
      split: {
        feature: tree.feature[node],
        splitBin: splitBin[node],
        defaultLeft: tree.defaultLeft[node] === 1,
        rightValue: tree.value[tree.right[node]],
      },
      leftValue: tree.value[tree.left[node]],
    });
  }
  return segments;
}

/** Local index of the leaf a binned row reaches (`splitBin` from `GrownTree`). O(depth). */
export function binnedLeaf(
  tree: TreeEnsemble,
  splitBin: Int32Array,
  bins: Uint8Array,
  rowOffset: number,
  nodeOffset = 0,
): number {
  let node = 0;
  while (tree.left[nodeOffset + node] >= 0) {
    const at = nodeOffset + node;
    const bin = bins[rowOffset + tree.feature[at]];
    const goLeft = bin === MISSING_BIN ? tree.defaultLeft[at] === 1 : bin <= splitBin[at];
    node = goLeft ? tree.left[at] : tree.right[at];
  }
  return node;
}
