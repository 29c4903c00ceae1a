/**
 * The passes of boosting that touch every row — the gradient pairs each round, a node's histogram, the partition of
 * its rows at a split, the margin updates after each tree — run on one thread or fork/join across two (the
 * caller's and one `worker_threads` worker
 * sharing the binned data, gradients and row indices through `SharedArrayBuffer`s, synchronised with
 * `Atomics.wait`/`notify`, so `fit` stays synchronous).
 *
 * Nodes of at least `CHUNK_MIN_ROWS` rows are always processed in two parts split at the same point
 * (`CALLER_SHARE`) — in parallel with a worker, one after the other without — and the parts are combined the same
 * way in both cases: the histogram of the first part plus the histogram of the second, accumulated separately. So a
 * model is bit-for-bit the same whichever thread count built it; partitions, gradients and margin updates involve no
 * sums across rows and are exact either way.
 *
 * Here: the split of the work and the hand-offs. The passes themselves are in row-passes.ts (and the wasm module of
 * histogram-wasm.ts), the worker's program and the control words in row-worker.ts, the shared memory's layout in
 * wasm-space.ts.
 */

import { Worker } from 'node:worker_threads';
import type { BinnedMatrix } from './binning.js';
import type { GrownTree } from './grow.js';
import { buildHistogram, type HistogramLayout, subtractHistogram } from './histogram.js';
import type { GradientRange, WasmGradientsName } from './objectives.js';
import {
  addTreeRange,
  addTreeRangeWasm,
  isSparseRange,
  markSegments,
  partitionRows,
  SEGMENT_CAPACITY,
  SEGMENT_SIZE,
} from './row-passes.js';
import {
  BEGIN,
  CALLER_PHASE,
  COMMAND,
  COMMAND_EXIT,
  COMMAND_GRADIENTS,
  COMMAND_HISTOGRAM,
  COMMAND_MARK,
  COMMAND_PARTITION,
  COMMAND_STEP,
  COMMAND_TREE,
  CONTROL_WORDS,
  DEFAULT_LEFT,
  DONE,
  END,
  FEATURE,
  FEATURE_COUNT,
  FIRST_LEFT,
  NODE_BEGIN,
  OUTPUT,
  READY,
  REQUEST,
  RESULT,
  SEGMENT_COUNT,
  SLEEPING_CALLER,
  SLEEPING_WORKER,
  SPIN_MAX_MS,
  SPIN_MIN_MS,
  SPIN_SHRINK,
  SPLIT_BIN,
  WORKER_PHASE,
  workerSource,
} from './row-worker.js';
import { writeTreeNodes } from './tree-walk-wasm.js';
import { type WasmSpace, wasmSpace } from './wasm-space.js';

/**
 * The calling thread's part of a pass split in two: 53 %. The worker runs the same kernels about 10 % slower per
 * row (measured on a 2-core VM: its half of each histogram is summed on the caller's core, so those cache lines
 * move every node), and with equal halves the caller spent 0.4–1.3 s of a 1M-row fit waiting for it; with 53 % it
 * waits ~0.3 s. A fixed share, not a measured one: the split point decides the order of floating-point additions,
 * and models must not depend on timing (or on the thread count: one thread splits at the same point).
 */
const CALLER_SHARE = 0.53;

/**
 * The calling thread's part of a partition: 56 %. The worker's backward pass is slower a row (about 1.2× on a
 * 2-core VM), and a partition does no arithmetic, so its split point changes no result and may follow speed alone:
 * 0.53, 0.56 and 0.59 took 4.12, 3.92 and 4.03 s in alternating 1M-row fits.
 */
const PARTITION_CALLER_SHARE = 0.56;

function callerShare(count: number): number {
  return Math.floor(count * CALLER_SHARE);
}

/** Nodes with fewer rows are processed in one piece (the fork/join costs more than it saves below this). */
export const CHUNK_MIN_ROWS = 2048;

/** Training sets with fewer rows get no worker thread (starting one takes ~40 ms). */
export const WORKER_MIN_ROWS = 8192;

/** Column-major copy of row-major bins (in shared memory when `shared`). O(rows · cols). */
function transposeBins(binned: BinnedMatrix, shared: boolean, target?: Uint8Array): Uint8Array {
  const { rows, cols, bins } = binned;
  const columns = target ?? (shared ? new Uint8Array(new SharedArrayBuffer(rows * cols)) : new Uint8Array(rows * cols));
  for (let f = 0; f < cols; f++) {
    const base = f * rows;
    for (let row = 0, at = f; row < rows; row++, at += cols) columns[base + row] = bins[at];
  }
  return columns;
}

/** Rows of a tree's node and what they add to the margins (see `RowKernels.addTreeValues`). */
export interface MarginSegment {
  readonly begin: number;
  readonly end: number;
  /** The tree node whose rows these are: a leaf, or a node split at the depth limit. */
  readonly node: number;
  /** null for a leaf. */
  readonly split: { feature: number; splitBin: number; defaultLeft: boolean; rightValue: number } | null;
  readonly leftValue: number;
}

/** What the gradients are computed from: labels, weights (one per row) and the objective's range function. */
export interface GradientTargets {
  readonly labels: Float64Array;
  readonly weights: Float64Array;
  readonly gradientRange: GradientRange;
  /** The WebAssembly pass computing the same pairs, if any (`Objective.wasmGradients`). */
  readonly wasmGradients?: WasmGradientsName | null;
}

/** Row passes over one training set. */
export interface RowKernels {
  /** Row indices the grower partitions (shared with the worker when there is one). */
  readonly rowIndex: Int32Array;
  /** One interleaved gradient-pair buffer per output, filled by the objective each round. */
  readonly gradients: readonly Float32Array[];
  /**
   * Zeroes `target` and adds the gradient pairs (of output `output`) of rows `rowIndex[begin..end)`; then, given a
   * `parent` histogram, subtracts `target` from it bin by bin (the sibling-subtraction trick, in the same pass).
   */
  histogram(
    begin: number,
    end: number,
    output: number,
    target: Float64Array,
    features: Int32Array | null,
    parent?: Float64Array | null,
  ): void;
  /** Stable in-place partition of `rowIndex[begin..end)`; returns the first position of the right side. */
  partition(begin: number, end: number, feature: number, splitBin: number, defaultLeft: boolean): number;
  /** Margins, rows × outputs (shared with the worker when there is one). */
  readonly margins: Float64Array;
  /** Fills `gradients` from `margins` and the targets; needs `targets` at creation. */
  computeGradients(): void;
  /**
   * Adds a tree's values to output `output` of `margins` for the rows at positions 0..end of `rowIndex`: each
   * segment covers `rowIndex[begin..end)`, a leaf's (all get `leftValue`) or a split's (each row gets the value of
   * its side: `leftValue` for bins 1..splitBin and missing values when `defaultLeft`, else `rightValue`).
   */
  addTreeValues(
    segments: readonly MarginSegment[],
    end: number,
    output: number,
    grown: Pick<GrownTree, 'tree' | 'splitBin'>,
  ): void;
  /** Whether a worker thread is helping. */
  readonly parallel: boolean;
  /** Stops the worker, if any. */
  close(): void;
}

function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * length));
}

function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * length));
}

/** The targets with labels and weights copied into shared memory. */
function sharedTargets(targets: GradientTargets): GradientTargets {
  const labels = sharedFloat64(targets.labels.length);
  labels.set(targets.labels);
  const weights = sharedFloat64(targets.weights.length);
  weights.set(targets.weights);
  return { ...targets, labels, weights };
}

/** The targets with empty weights (every row weighs 1, see `GradientRange`) when every weight is 1. */
function withUniformWeights(targets: GradientTargets): GradientTargets {
  if (!targets.weights.every((weight) => weight === 1)) return targets;
  return { ...targets, weights: new Float64Array(0) };
}

/** Copies `bins` into shared memory unless it already is. */
function sharedBins(bins: Uint8Array): Uint8Array {
  if (bins.buffer instanceof SharedArrayBuffer) return bins;
  const shared = new Uint8Array(new SharedArrayBuffer(bins.length));
  shared.set(bins);
  return shared;
}

class Kernels implements RowKernels {
  readonly rowIndex: Int32Array;
  readonly gradients: Float32Array[];
  private readonly scratch: Int32Array;
  private readonly bins: Uint8Array;
  private readonly columns: Uint8Array;
  private readonly rows: number;
  private readonly cols: number;
  private readonly shift: number;
  private readonly secondHalf: Float64Array;
  private readonly wasm: WasmSpace | null;
  /** The wasm kernel's output for the first half (or whole) of a node. */
  private readonly firstHalf: Float64Array | null;
  readonly margins: Float64Array;
  private readonly outputs: number;
  private readonly targets: GradientTargets | null;
  private readonly segments: Float64Array;
  private worker: Worker | null = null;
  private control: Int32Array | null = null;
  private workerFeatures: Int32Array | null = null;
  private request = 0;
  /** Milliseconds `await` polls before sleeping (see `SPIN_MAX_MS`). */
  private spinBudget = SPIN_MAX_MS;

  constructor(
    binned: BinnedMatrix,
    layout: HistogramLayout,
    outputs: number,
    threads: number,
    targets: GradientTargets | null,
  ) {
    const rows = binned.rows;
    const parallel = threads >= 2 && rows >= WORKER_MIN_ROWS;
    this.cols = binned.cols;
    this.shift = layout.shift;
    this.rows = rows;
    this.outputs = outputs;
    this.segments = parallel
      ? sharedFloat64(SEGMENT_SIZE * SEGMENT_CAPACITY)
      : new Float64Array(SEGMENT_SIZE * SEGMENT_CAPACITY);
    const uniform = targets ? withUniformWeights(targets) : null;
    const wasm = wasmSpace(binned, layout, outputs, uniform);
    this.wasm = wasm;
    if (uniform && wasm?.gradientKernel) {
      const { buffer } = wasm.memory;
      const { labels, weights } = wasm.at;
      this.targets = {
        ...uniform,
        labels: new Float64Array(buffer, labels, rows),
        weights: weights < 0 ? uniform.weights : new Float64Array(buffer, weights, rows),
      };
    } else this.targets = uniform && parallel ? sharedTargets(uniform) : uniform;
    if (wasm) {
      const { buffer } = wasm.memory;
      const at = wasm.at;
      this.columns = new Uint8Array(buffer, at.columns, rows * binned.cols);
      this.scratch = new Int32Array(buffer, at.scratch, rows);
      this.bins = new Uint8Array(buffer, at.bins, binned.bins.length);
      this.rowIndex = new Int32Array(buffer, at.rowIndex, rows);
      this.gradients = at.gradients.map((offset) => new Float32Array(buffer, offset, 2 * rows));
      this.firstHalf = new Float64Array(buffer, at.firstHalf, layout.size);
      this.secondHalf = new Float64Array(buffer, at.secondHalf, layout.size);
      this.margins = new Float64Array(buffer, at.margins, rows * outputs);
    } else {
      this.margins = parallel ? sharedFloat64(rows * outputs) : new Float64Array(rows * outputs);
      this.columns = transposeBins(binned, parallel);
      this.scratch = parallel ? sharedInt32(rows) : new Int32Array(rows);
      this.bins = parallel ? sharedBins(binned.bins) : binned.bins;
      this.rowIndex = parallel ? sharedInt32(rows) : new Int32Array(rows);
      this.gradients = Array.from({ length: outputs }, () =>
        parallel ? new Float32Array(new SharedArrayBuffer(8 * rows)) : new Float32Array(2 * rows),
      );
      this.firstHalf = null;
      this.secondHalf = parallel ? sharedFloat64(layout.size) : new Float64Array(layout.size);
    }
    // The worker starts (tens of ms) while this thread fills the column-major bins it will read.
    const starting = parallel ? this.launchWorker() : null;
    if (wasm) transposeBins(binned, true, this.columns);
    if (starting) this.adoptWorker(starting);
  }

  get parallel(): boolean {
    return this.worker !== null;
  }

  private launchWorker(): { worker: Worker; control: Int32Array; features: Int32Array } | null {
    const control = sharedInt32(CONTROL_WORDS);
    const features = sharedInt32(Math.max(1, this.cols));
    let worker: Worker;
    try {
      worker = new Worker(workerSource(this.targets?.gradientRange ?? null), {
        eval: true,
        workerData: {
          control,
          margins: this.margins,
          outputs: this.outputs,
          labels: this.targets?.labels,
          weights: this.targets?.weights,
          segments: this.segments,
          bins: this.bins,
          columns: this.columns,
          rows: this.rows,
          cols: this.cols,
          shift: this.shift,
          rowIndex: this.rowIndex,
          scratch: this.scratch,
          gradients: this.gradients,
          histogram: this.secondHalf,
          features,
          wasm: this.wasm && {
            module: this.wasm.module,
            memory: this.wasm.memory,
            gradientKernel: this.wasm.gradientKernel,
            ...this.wasm.at,
          },
        },
      });
    } catch {
      return null;
    }
    worker.unref();
    return { worker, control, features };
  }

  private adoptWorker({
    worker,
    control,
    features,
  }: {
    worker: Worker;
    control: Int32Array;
    features: Int32Array;
  }): void {
    // Blocks until the worker has started (a few tens of ms); without it within 10 s, work alone.
    if (Atomics.wait(control, READY, 0, 10_000) === 'timed-out' && Atomics.load(control, READY) !== 1) {
      void worker.terminate();
      return;
    }
    this.worker = worker;
    this.control = control;
    this.workerFeatures = features;
  }

  private post(command: number, begin: number, end: number): number {
    const control = this.control as Int32Array;
    control[COMMAND] = command;
    control[BEGIN] = begin;
    control[END] = end;
    this.request++;
    Atomics.store(control, REQUEST, this.request);
    // The worker sets its flag before it waits, and its wait re-reads REQUEST: either it sees the new request or
    // this sees the flag.
    if (Atomics.load(control, SLEEPING_WORKER) === 1) Atomics.notify(control, REQUEST);
    return this.request;
  }

  /** Polls, then sleeps, until the worker's `word` (its DONE by default) reaches `request`. */
  private await(request: number, word = DONE): void {
    const control = this.control as Int32Array;
    let done = Atomics.load(control, word);
    const spinUntil = performance.now() + this.spinBudget;
    while (done !== request && performance.now() < spinUntil) done = Atomics.load(control, word);
    if (done === request) {
      this.spinBudget = Math.min(SPIN_MAX_MS, this.spinBudget * 2);
      return;
    }
    this.spinBudget = Math.max(SPIN_MIN_MS, this.spinBudget * SPIN_SHRINK);
    Atomics.store(control, SLEEPING_CALLER, 1);
    while (done !== request) {
      Atomics.wait(control, word, done);
      done = Atomics.load(control, word);
    }
    Atomics.store(control, SLEEPING_CALLER, 0);
  }

  /** Sets `target` to the histogram of rows `rowIndex[begin..end)`, by the wasm kernel when it can. */
  private build(begin: number, end: number, output: number, target: Float64Array, features: Int32Array | null): void {
    const built = this.buildFirst(begin, end, output, target, features);
    if (built !== target) target.set(built);
  }

  /**
   * The histogram of rows `rowIndex[begin..end)`: in the wasm kernel's own buffer when it builds it (so the caller
   * can combine it without a copy), else in `target`.
   */
  private buildFirst(
    begin: number,
    end: number,
    output: number,
    target: Float64Array,
    features: Int32Array | null,
  ): Float64Array {
    const { wasm, firstHalf } = this;
    if (wasm && firstHalf && features === null) {
      firstHalf.fill(0);
      const { kernels, at } = wasm;
      const kernel = isSparseRange(this.rowIndex, begin, end) ? kernels.sparseHistogram : kernels.histogram;
      kernel(at.bins, at.rowIndex, begin, end, at.gradients[output], at.firstHalf);
      return firstHalf;
    }
    target.fill(0);
    buildHistogram(
      this.bins,
      this.cols,
      this.shift,
      this.rowIndex,
      begin,
      end,
      this.gradients[output],
      target,
      features,
    );
    return target;
  }

  histogram(
    begin: number,
    end: number,
    output: number,
    target: Float64Array,
    features: Int32Array | null,
    parent: Float64Array | null = null,
  ): void {
    if (end - begin < CHUNK_MIN_ROWS) {
      this.build(begin, end, output, target, features);
      if (parent) subtractHistogram(parent, target, parent);
      return;
    }
    const middle = begin + callerShare(end - begin);
    let first: Float64Array;
    if (this.worker && this.control && this.workerFeatures) {
      this.control[OUTPUT] = output;
      this.control[FEATURE_COUNT] = features === null ? -1 : features.length;
      if (features !== null) this.workerFeatures.set(features);
      const request = this.post(COMMAND_HISTOGRAM, middle, end);
      first = this.buildFirst(begin, middle, output, target, features);
      this.await(request);
    } else {
      // The second build reuses the wasm kernel's buffer: the first half goes to `target` before it.
      this.build(begin, middle, output, target, features);
      first = target;
      this.build(middle, end, output, this.secondHalf, features);
    }
    const second = this.secondHalf;
    if (parent) {
      for (let i = 0; i < target.length; i++) {
        const sum = first[i] + second[i];
        target[i] = sum;
        parent[i] -= sum;
      }
    } else for (let i = 0; i < target.length; i++) target[i] = first[i] + second[i];
  }

  /** `partitionRows` on this thread, by the wasm kernel when there is one. */
  private partitionRange(begin: number, end: number, feature: number, splitBin: number, defaultLeft: boolean): number {
    const { wasm } = this;
    if (wasm) {
      const { at } = wasm;
      const column = at.columns + feature * this.rows;
      return wasm.kernels.partition(column, at.rowIndex, at.scratch, begin, end, splitBin, defaultLeft ? 1 : 0);
    }
    return partitionRows(
      this.columns,
      this.rows,
      this.rowIndex,
      this.scratch,
      begin,
      end,
      feature,
      splitBin,
      defaultLeft,
    );
  }

  partition(begin: number, end: number, feature: number, splitBin: number, defaultLeft: boolean): number {
    const { rowIndex, scratch, control } = this;
    if (end - begin < CHUNK_MIN_ROWS || !this.worker || !control) {
      const left = this.partitionRange(begin, end, feature, splitBin, defaultLeft);
      rowIndex.set(scratch.subarray(begin, begin + (end - begin - left)), begin + left);
      return begin + left;
    }
    // Halves partitioned side by side, the caller's forwards and the worker's backwards:
    //   rowIndex [left₁ | … | … | right₂], scratch [right₁ | … | … | left₂]
    // then each moves the other side into the gap, at once: [left₁ left₂ | right₁ right₂]. Each needs the other's
    // count, and must not write before the other has read the rows its pass reads: two hand-offs halfway.
    const middle = begin + Math.floor((end - begin) * PARTITION_CALLER_SHARE);
    control[FEATURE] = feature;
    control[SPLIT_BIN] = splitBin;
    control[DEFAULT_LEFT] = defaultLeft ? 1 : 0;
    control[NODE_BEGIN] = begin;
    const request = this.post(COMMAND_PARTITION, middle, end);
    const firstLeft = this.partitionRange(begin, middle, feature, splitBin, defaultLeft);
    control[FIRST_LEFT] = firstLeft;
    Atomics.store(control, CALLER_PHASE, request);
    if (Atomics.load(control, SLEEPING_WORKER) === 1) Atomics.notify(control, CALLER_PHASE);
    this.await(request, WORKER_PHASE);
    const rightStart = begin + firstLeft + control[RESULT];
    rowIndex.set(scratch.subarray(begin, middle - firstLeft), rightStart);
    this.await(request);
    return rightStart;
  }

  computeGradients(): void {
    const { targets, margins } = this;
    if (!targets) throw new Error('computeGradients needs the targets given to createRowKernels');
    const { labels, weights, gradientRange } = targets;
    const { wasm } = this;
    const gradients = (begin: number, end: number) => {
      if (wasm?.gradientKernel) {
        const { at } = wasm;
        wasm.kernels[wasm.gradientKernel](at.margins, at.labels, at.weights, at.gradients[0], begin, end, at.tables);
      } else gradientRange(margins, labels, weights, this.gradients, begin, end);
    };
    const rows = labels.length;
    if (this.worker && rows >= 2 * CHUNK_MIN_ROWS) {
      const middle = callerShare(rows);
      const request = this.post(COMMAND_GRADIENTS, middle, rows);
      gradients(0, middle);
      this.await(request);
    } else gradients(0, rows);
  }

  addTreeValues(
    segments: readonly MarginSegment[],
    end: number,
    output: number,
    grown: Pick<GrownTree, 'tree' | 'splitBin'>,
  ): void {
    if (end === this.rows && this.stepTree(segments, output, grown)) return;
    const count = segments.length;
    const packed = count <= SEGMENT_CAPACITY ? this.segments : new Float64Array(SEGMENT_SIZE * count);
    for (let s = 0; s < count; s++) {
      const { begin, end: segmentEnd, split, leftValue } = segments[s];
      const at = s * SEGMENT_SIZE;
      packed[at] = begin;
      packed[at + 1] = segmentEnd;
      packed[at + 2] = split ? split.feature : -1;
      packed[at + 3] = split ? (split.defaultLeft ? split.splitBin : -split.splitBin - 1) : 0;
      packed[at + 4] = leftValue;
      packed[at + 5] = split ? split.rightValue : 0;
    }
    const apply = (lo: number, hi: number) => this.addTreeRange(packed, count, lo, hi, output);
    if (this.worker && this.control && packed === this.segments && end >= 2 * CHUNK_MIN_ROWS) {
      const middle = callerShare(end);
      this.control[OUTPUT] = output;
      this.control[SEGMENT_COUNT] = count;
      const request = this.post(COMMAND_TREE, middle, end);
      apply(0, middle);
      this.await(request);
    } else apply(0, end);
  }

  /**
   * `addTreeValues` for every row by marking each row's node and stepping once from it (see tree-walk-wasm.ts);
   * false, having done nothing, without the wasm kernels or for a tree they cannot step.
   */
  private stepTree(
    segments: readonly MarginSegment[],
    output: number,
    { tree, splitBin }: Pick<GrownTree, 'tree' | 'splitBin'>,
  ): boolean {
    const { wasm, rows, outputs } = this;
    if (!wasm || segments.length > SEGMENT_CAPACITY) return false;
    const { buffer } = wasm.memory;
    const { at, kernels } = wasm;
    if (!writeTreeNodes(buffer, at.nodes, tree, splitBin)) return false;
    new Float64Array(buffer, at.values, tree.value.length).set(tree.value);
    const count = segments.length;
    const packed = this.segments;
    for (let s = 0; s < count; s++) {
      packed[s * SEGMENT_SIZE] = segments[s].begin;
      packed[s * SEGMENT_SIZE + 1] = segments[s].end;
      packed[s * SEGMENT_SIZE + 2] = segments[s].node;
    }
    const margins = at.margins + 8 * output;
    const step = (lo: number, hi: number) =>
      kernels.treeStep(at.bins, this.cols, lo, hi, margins, 8 * outputs, at.nodes, at.values, at.nodeOf);
    if (this.worker && this.control && rows >= 2 * CHUNK_MIN_ROWS) {
      // Every row must be marked before any is stepped: two hand-offs.
      const middle = callerShare(rows);
      this.control[OUTPUT] = output;
      this.control[SEGMENT_COUNT] = count;
      const marking = this.post(COMMAND_MARK, middle, rows);
      markSegments(packed, count, 0, middle, kernels.markNodes, at.rowIndex, at.nodeOf);
      this.await(marking);
      const stepping = this.post(COMMAND_STEP, middle, rows);
      step(0, middle);
      this.await(stepping);
    } else {
      markSegments(packed, count, 0, rows, kernels.markNodes, at.rowIndex, at.nodeOf);
      step(0, rows);
    }
    return true;
  }

  /** `addTreeRange` on this thread, by the wasm kernels when there are. */
  private addTreeRange(packed: Float64Array, count: number, lo: number, hi: number, output: number): void {
    const { wasm, rows, outputs } = this;
    if (wasm) {
      addTreeRangeWasm(packed, count, lo, hi, wasm.kernels, wasm.at, rows, outputs, output);
      return;
    }
    addTreeRange(packed, count, lo, hi, this.rowIndex, this.columns, rows, this.margins, outputs, output);
  }

  close(): void {
    if (this.worker && this.control) {
      this.post(COMMAND_EXIT, 0, 0);
      void this.worker.terminate();
    }
    this.worker = null;
    this.control = null;
  }
}

/**
 * Row passes for a binned training set with `outputs` gradient buffers, on `threads` threads (1 or 2; a worker is
 * started for `WORKER_MIN_ROWS` rows or more). Call `close()` when done.
 */
export function createRowKernels(
  binned: BinnedMatrix,
  layout: HistogramLayout,
  outputs: number,
  threads: number,
  targets: GradientTargets | null = null,
): RowKernels {
  return new Kernels(binned, layout, outputs, threads, targets);
}
