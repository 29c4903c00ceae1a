/**
 * The row passes both threads run (row-kernels.ts): the stable partition of a node's rows, the sparse-range test of
 * the histogram kernels, and the margin updates after a tree (node by node, or marking each row's node). Each is
 * self-contained — no outer references — because the worker runs its source text.
 */

import type { WasmLeafKernel, WasmSplitKernel } from './histogram-wasm.js';
import type { WasmMarkKernel } from './tree-walk-wasm.js';

/**
 * Stable partition of `rowIndex[begin..end)` by one split: rows going left are packed from `begin` in order;
 * rows going right are written in order to `scratch[begin..]`. Returns the number going left. `backward` walks from
 * the end instead and packs towards `end`, both sides still in order: rights in `rowIndex`, lefts in `scratch` (the
 * worker's half of a node, see `Kernels.partition`). Reads the split feature's bins from a column-major copy
 * (`columns[feature · rows + row]`): a node's rows are ascending, so consecutive reads share cache lines.
 * Branch-free: every row is written to both sides and only the side it belongs to moves on. O(end − begin).
 * Self-contained (no outer references): the worker runs this function's source text.
 */
export function partitionRows(
  columns: Uint8Array,
  rows: number,
  rowIndex: Int32Array,
  scratch: Int32Array,
  begin: number,
  end: number,
  feature: number,
  splitBin: number,
  defaultLeft: boolean,
  backward = false,
): number {
  const missingLeft = defaultLeft ? 1 : 0;
  const base = feature * rows;
  // Bin 0 holds missing values.
  const goesLeft = (row: number) => {
    const bin = columns[base + row];
    return bin === 0 ? missingLeft : bin <= splitBin ? 1 : 0;
  };
  if (backward) {
    let rightStart = end;
    let leftStart = end;
    for (let i = end - 1; i >= begin; i--) {
      const row = rowIndex[i];
      const goLeft = goesLeft(row);
      rowIndex[rightStart - 1] = row;
      scratch[leftStart - 1] = row;
      rightStart -= 1 - goLeft;
      leftStart -= goLeft;
    }
    return end - leftStart;
  }
  let leftEnd = begin;
  let rightEnd = begin;
  for (let i = begin; i < end; i++) {
    const row = rowIndex[i];
    const goLeft = goesLeft(row);
    rowIndex[leftEnd] = row;
    scratch[rightEnd] = row;
    leftEnd += goLeft;
    rightEnd += 1 - goLeft;
  }
  return leftEnd - begin;
}

/**
 * Whether the rows `rowIndex[begin..end)` (ascending) are under an eighth of the rows they span: then the wasm
 * kernel that touches rows ahead (`sparseHistogram`) is the faster. Self-contained: the worker runs its source text.
 */
export function isSparseRange(rowIndex: Int32Array, begin: number, end: number): boolean {
  return end > begin && (end - begin) * 8 < rowIndex[end - 1] - rowIndex[begin] + 1;
}

/** Numbers per segment in `addTreeRange`'s packed list. */
export const SEGMENT_SIZE = 6;
/** Segments the shared list holds; a tree with more is applied on the calling thread alone. */
export const SEGMENT_CAPACITY = 8192;

/**
 * Adds a tree's values to output `output` of `margins` (rows × outputs) for the rows at positions lo..hi of
 * `rowIndex`. `segments` packs `count` segments of `SEGMENT_SIZE` numbers: begin, end, feature, splitBin,
 * leftValue, rightValue. Feature −1: every row of rowIndex[begin..end) gets leftValue (a leaf); else each row
 * gets the value of its side of the split: bins 1..splitBin go left, missing values (bin 0) left when the stored
 * splitBin is ≥ 0 and right when it is stored as −splitBin − 1. Each row's additions happen in segment order
 * whatever lo..hi, so splitting the positions across threads changes no bit. Self-contained: the worker runs this
 * function's source text.
 */
export function addTreeRange(
  segments: Float64Array,
  count: number,
  lo: number,
  hi: number,
  rowIndex: Int32Array,
  columns: Uint8Array,
  rows: number,
  margins: Float64Array,
  outputs: number,
  output: number,
): void {
  for (let s = 0; s < count; s++) {
    const at = s * 6;
    const begin = Math.max(segments[at], lo);
    const end = Math.min(segments[at + 1], hi);
    const feature = segments[at + 2];
    const leftValue = segments[at + 4];
    if (feature < 0) {
      for (let i = begin; i < end; i++) margins[rowIndex[i] * outputs + output] += leftValue;
      continue;
    }
    // splitBin is stored negated (minus one) when missing values go right.
    const packed = segments[at + 3];
    const missingLeft = packed >= 0;
    const splitBin = missingLeft ? packed : -packed - 1;
    const rightValue = segments[at + 5];
    const base = feature * rows;
    for (let i = begin; i < end; i++) {
      const row = rowIndex[i];
      const bin = columns[base + row];
      const goLeft = bin === 0 ? missingLeft : bin <= splitBin;
      margins[row * outputs + output] += goLeft ? leftValue : rightValue;
    }
  }
}

/**
 * `addTreeRange` by the wasm kernels `addLeaf` and `addSplit` on the margins at byte address `margins` (rows ×
 * outputs doubles) and the column-major bins at `columns`, for the rows at positions lo..hi of the row index at
 * `rowIndex`; `touched` is the kernels' 16-byte scratch. The same additions as `addTreeRange`. Self-contained: the
 * worker runs this function's source text.
 */
export function addTreeRangeWasm(
  segments: Float64Array,
  count: number,
  lo: number,
  hi: number,
  kernels: { addLeaf: WasmLeafKernel; addSplit: WasmSplitKernel },
  addresses: { rowIndex: number; columns: number; margins: number; touched: number },
  rows: number,
  outputs: number,
  output: number,
): void {
  const { rowIndex, columns, touched } = addresses;
  const margins = addresses.margins + 8 * output;
  const stride = 8 * outputs;
  for (let s = 0; s < count; s++) {
    const at = s * 6;
    const begin = Math.max(segments[at], lo);
    const end = Math.min(segments[at + 1], hi);
    if (begin >= end) continue;
    const feature = segments[at + 2];
    if (feature < 0) {
      kernels.addLeaf(rowIndex, begin, end, margins, stride, segments[at + 4], touched);
      continue;
    }
    const packed = segments[at + 3];
    const missingLeft = packed >= 0 ? 1 : 0;
    const splitBin = packed >= 0 ? packed : -packed - 1;
    const column = columns + feature * rows;
    kernels.addSplit(
      column,
      rowIndex,
      begin,
      end,
      margins,
      stride,
      splitBin,
      missingLeft,
      segments[at + 4],
      segments[at + 5],
      touched,
    );
  }
}

/**
 * Marks the node of every row at positions lo..hi of the row index at byte address `rowIndex` by the wasm kernel
 * `markNodes`: `nodeOf[row] = node` for each of `count` segments packed as `addTreeRange`'s (begin, end, then the
 * node number in the third slot). Self-contained: the worker runs this function's source text.
 */
export function markSegments(
  segments: Float64Array,
  count: number,
  lo: number,
  hi: number,
  markNodes: WasmMarkKernel,
  rowIndex: number,
  nodeOf: number,
): void {
  for (let s = 0; s < count; s++) {
    const at = s * 6;
    const begin = Math.max(segments[at], lo);
    const end = Math.min(segments[at + 1], hi);
    if (begin < end) markNodes(rowIndex, begin, end, nodeOf, segments[at + 2]);
  }
}
