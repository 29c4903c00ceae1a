/**
 * Where the row passes' data live in one shared WebAssembly memory (row-kernels.ts): the binned rows and their
 * column-major copy, the row index and its scratch, gradient pairs, two histograms, margins, labels and weights, the
 * gradient tables and the node marks — byte offsets, with the module's kernels instantiated on that memory.
 */

import type { BinnedMatrix } from './binning.js';
import type { HistogramLayout } from './histogram.js';
import {
  histogramModule,
  sharedWasmMemory,
  WASM_MAX_PAGES,
  type WasmHistogramKernel,
  type WasmLeafKernel,
  type WasmMemory,
  type WasmModule,
  type WasmPartitionKernel,
  type WasmSplitKernel,
  wasmKernels,
} from './histogram-wasm.js';
import { LOGISTIC_TABLES_BYTES, type WasmGradientKernel, writeLogisticTables } from './logistic-wasm.js';
import type { GradientTargets } from './row-kernels.js';
import { MAX_STEP_NODES, TREE_NODE_BYTES, type WasmMarkKernel, type WasmTreeStepKernel } from './tree-walk-wasm.js';

/** The WebAssembly histogram kernel and where its data sit in its (shared) memory, as byte offsets. */
export interface WasmSpace {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly kernel: WasmHistogramKernel;
  readonly sparseKernel: WasmHistogramKernel;
  readonly partition: WasmPartitionKernel;
  readonly addLeaf: WasmLeafKernel;
  readonly addSplit: WasmSplitKernel;
  readonly bins: number;
  /** Column-major copy of the bins, and the partition's scratch row index. */
  readonly columns: number;
  readonly scratch: number;
  readonly rowIndex: number;
  readonly gradients: number[];
  readonly firstHalf: number;
  readonly secondHalf: number;
  /** Margins, rows × outputs doubles. */
  readonly margins: number;
  /** 32 bytes where the margin kernels store what they touched: 16 for the caller, 16 for the worker. */
  readonly touched: number;
  /**
   * The gradient pass's export name, labels, weights (−1 when every row weighs 1) and tables when the objective
   * has a WebAssembly pass; else null and −1s.
   */
  readonly gradientKernel: 'logisticGradients' | 'weightedLogisticGradients' | null;
  readonly gradientPass: WasmGradientKernel | null;
  readonly labels: number;
  readonly weights: number;
  readonly tables: number;
  /** `treeStep`'s node marks (a byte per row), node table and leaf values. */
  readonly treeStep: WasmTreeStepKernel;
  readonly markNodes: WasmMarkKernel;
  readonly nodeOf: number;
  readonly nodes: number;
  readonly values: number;
}

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * Lays out the binned rows, row index, gradient pairs and two histograms in one shared WebAssembly memory and
 * instantiates the kernel on it; null when WebAssembly SIMD is unavailable or the data exceed 2 GiB.
 */
export function wasmSpace(
  binned: BinnedMatrix,
  layout: HistogramLayout,
  outputs: number,
  targets: GradientTargets | null,
): WasmSpace | null {
  const module = histogramModule(binned.cols, layout.shift);
  if (!module) return null;
  const bins = 0;
  const rowIndex = align16(binned.rows * binned.cols);
  const gradients = Array.from(
    { length: outputs },
    (_, k) => align16(rowIndex + 4 * binned.rows) + 8 * binned.rows * k,
  );
  const firstHalf = align16(align16(rowIndex + 4 * binned.rows) + 8 * binned.rows * outputs);
  const secondHalf = firstHalf + 8 * layout.size;
  const margins = secondHalf + 8 * layout.size;
  const touched = margins + 8 * binned.rows * outputs;
  const columns = touched + 32;
  const scratch = align16(columns + binned.rows * binned.cols);
  const withGradients = targets?.wasmGradients === 'logistic' && outputs === 1;
  const weighted = withGradients && targets.weights.length > 0;
  const labels = withGradients ? align16(scratch + 4 * binned.rows) : -1;
  const weights = weighted ? labels + 8 * binned.rows : -1;
  const tables = withGradients ? labels + 8 * binned.rows * (weighted ? 2 : 1) : -1;
  const nodes = align16(withGradients ? tables + LOGISTIC_TABLES_BYTES : scratch + 4 * binned.rows);
  const values = nodes + TREE_NODE_BYTES * MAX_STEP_NODES;
  const nodeOf = values + 8 * MAX_STEP_NODES;
  const pages = Math.ceil((nodeOf + binned.rows) / 65536);
  if (pages > WASM_MAX_PAGES) return null;
  try {
    const memory = sharedWasmMemory(pages);
    new Uint8Array(memory.buffer, bins, binned.bins.length).set(binned.bins);
    if (targets && withGradients) {
      new Float64Array(memory.buffer, labels, binned.rows).set(targets.labels);
      if (weighted) new Float64Array(memory.buffer, weights, binned.rows).set(targets.weights);
      writeLogisticTables(memory.buffer, tables);
    }
    const kernels = wasmKernels(module, memory);
    return {
      module,
      memory,
      kernel: kernels.histogram,
      sparseKernel: kernels.sparseHistogram,
      partition: kernels.partition,
      addLeaf: kernels.addLeaf,
      addSplit: kernels.addSplit,
      bins,
      columns,
      scratch,
      rowIndex,
      gradients,
      firstHalf,
      secondHalf,
      margins,
      touched,
      gradientKernel: withGradients ? (weighted ? 'weightedLogisticGradients' : 'logisticGradients') : null,
      gradientPass: withGradients ? (weighted ? kernels.weightedLogisticGradients : kernels.logisticGradients) : null,
      labels,
      weights,
      tables,
      treeStep: kernels.treeStep,
      markNodes: kernels.markNodes,
      nodeOf,
      nodes,
      values,
    };
  } catch {
    return null;
  }
}
