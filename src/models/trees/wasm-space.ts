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
  type WasmKernels,
  type WasmMemory,
  type WasmModule,
  wasmKernels,
} from './histogram-wasm.js';
import { LOGISTIC_TABLES_BYTES, writeLogisticTables } from './logistic-wasm.js';
import type { GradientTargets } from './row-kernels.js';
import { MAX_STEP_NODES, TREE_NODE_BYTES } from './tree-walk-wasm.js';

/** Where the data sit in the shared memory, as byte offsets (plain numbers: the worker gets them as they are). */
export interface WasmAddresses {
  readonly bins: number;
  /** Column-major copy of the bins, and the partition's scratch row index. */
  readonly columns: number;
  readonly scratch: number;
  readonly rowIndex: number;
  /** One interleaved single-precision pair buffer per output. */
  readonly gradients: number[];
  readonly firstHalf: number;
  readonly secondHalf: number;
  /** Margins, rows × outputs doubles. */
  readonly margins: number;
  /** 32 bytes where the margin kernels store what they touched: 16 for the caller, 16 for the worker. */
  readonly touched: number;
  /** Labels, weights (−1 when every row weighs 1) and tables of the gradient pass; −1 without one. */
  readonly labels: number;
  readonly weights: number;
  readonly tables: number;
  /** `treeStep`'s node marks (a byte per row), node table and leaf values. */
  readonly nodeOf: number;
  readonly nodes: number;
  readonly values: number;
}

/** The kernels' module, its shared memory with the kernels instantiated on it, and where the data sit. */
export interface WasmSpace {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly kernels: WasmKernels;
  readonly at: WasmAddresses;
  /** The export computing the objective's gradient pairs, when it has a WebAssembly pass. */
  readonly gradientKernel: 'logisticGradients' | 'weightedLogisticGradients' | null;
}

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * Lays out the data of `WasmAddresses` in one shared WebAssembly memory, copies in the bins (and the labels, weights
 * and gradient tables when the objective has a wasm pass) and instantiates the kernels on it; null when WebAssembly
 * SIMD is unavailable or the data exceed 2 GiB.
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
    return {
      module,
      memory,
      kernels: wasmKernels(module, memory),
      at: {
        bins,
        columns,
        scratch,
        rowIndex,
        gradients,
        firstHalf,
        secondHalf,
        margins,
        touched,
        labels,
        weights,
        tables,
        nodeOf,
        nodes,
        values,
      },
      gradientKernel: withGradients ? (weighted ? 'weightedLogisticGradients' : 'logisticGradients') : null,
    };
  } catch {
    return null;
  }
}
