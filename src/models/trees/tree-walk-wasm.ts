/**
 * The last step of adding a new tree's leaf values to the margins of the training rows, in row order, as a
 * WebAssembly function body for the tree kernels' module (histogram-wasm.ts). Growth leaves the nodes at the depth
 * limit unpartitioned (their rows were routed to a leaf only by their split), and adding each leaf's value to its
 * rows node by node touched a margin's cache line once per node — 7 ns a row on a 2-core VM, the slowest row pass
 * after the histograms. Instead each row's node is marked first (`nodeOf[row]`, a byte, by `markNodes` below via
 * row-kernels.ts), and this kernel then reads the marks, bins and margins front to back: one step down from the
 * marked node (leaves point to themselves) and one addition. About 2 ns a row, four rows side by side.
 *
 * `markNodes(rowIndex, begin, end, nodeOf, node)`: `nodeOf[rowIndex[i]] = node` for positions begin..end (bytes at
 * `nodeOf`, 32-bit row numbers at `rowIndex`).
 *
 * `treeStep(bins, cols, begin, end, margins, stride, nodes, values, nodeOf)`, byte addresses except `cols`,
 * `begin`/`end` (rows) and `stride` (bytes between rows' margins): for rows begin..end, adds `values[child]`
 * (doubles) to the double at `margins + row · stride`, where `child` is where node `nodeOf[row]` of the table at
 * `nodes` (written by `writeTreeNodes`) sends the row's bins at `bins + row · cols`. The same one addition per row
 * as adding leaf values node by node, so the margins are bit-identical.
 */

import type { TreeEnsemble } from './tree.js';
import {
  BLOCK,
  BR,
  BR_IF,
  codeBuilder,
  END,
  F64_ADD,
  F64_LOAD,
  F64_STORE,
  I32,
  I32_ADD,
  I32_CONST,
  I32_EQZ,
  I32_GE_U,
  I32_GT_U,
  I32_LE_U,
  I32_LOAD,
  I32_LOAD8_U,
  I32_LT_U,
  I32_MUL,
  I32_SHL,
  I32_STORE8,
  I32_SUB,
  LOCAL_GET,
  LOCAL_SET,
  LOCAL_TEE,
  LOOP,
  memarg,
  VOID,
  vector,
} from './wasm-assembler.js';

/** Bytes per node in the table: feature, missing offset, limit, first child (i32 each). */
export const TREE_NODE_BYTES = 16;

/** Most nodes a tree may have for the kernel (node numbers are bytes). */
export const MAX_STEP_NODES = 256;

/**
 * Writes `tree`'s nodes (`splitBin` per node, as `GrownTree` gives it) as the kernel's table at byte `at` of
 * `buffer`; false when the kernel cannot step this tree: more than `MAX_STEP_NODES` nodes, or a node whose right
 * child is not its left child + 1. A row goes left when `(bin − offset) ≤ limit` unsigned: offset 0
 * and limit splitBin when missing values go left (bin 0 passes), offset 1 and limit splitBin − 1 when they go right
 * (bin 0 wraps around to the largest unsigned value); a leaf's limit passes everything and its child is itself.
 */
export function writeTreeNodes(buffer: ArrayBufferLike, at: number, tree: TreeEnsemble, splitBin: Int32Array): boolean {
  const nodes = tree.left.length;
  if (nodes > MAX_STEP_NODES) return false;
  const table = new Int32Array(buffer, at, 4 * nodes);
  for (let node = 0; node < nodes; node++) {
    const left = tree.left[node];
    const at = 4 * node;
    if (left < 0) {
      table.set([0, 0, -1, node], at);
      continue;
    }
    if (tree.right[node] !== left + 1) return false;
    const offset = tree.defaultLeft[node] === 1 ? 0 : 1;
    table.set([tree.feature[node], offset, splitBin[node] - offset, left], at);
  }
  return true;
}

/** The function's code (locals and body): four rows at a time, then the rest one by one. */
export function treeStepBody(): number[] {
  const [BINS, COLS, ROW, END_AT, MARGINS, STRIDE, NODES, VALUES, NODE_OF] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const RECORD = 9;
  const ADDRESS = 10;
  // Per lane (four at most): its node and the address of its row's bins.
  const node = (lane: number) => 11 + lane;
  const base = (lane: number) => 15 + lane;
  const { code, emit } = codeBuilder();
  emit(...vector([[10, I32]]));
  const rowsCode = (lanes: number) => {
    for (let lane = 0; lane < lanes; lane++) {
      emit(LOCAL_GET, NODE_OF, LOCAL_GET, ROW, I32_ADD, I32_LOAD8_U, memarg(0, lane), LOCAL_SET, node(lane));
      emit(LOCAL_GET, ROW, I32_CONST, lane, I32_ADD, LOCAL_GET, COLS, I32_MUL, LOCAL_GET, BINS, I32_ADD);
      emit(LOCAL_SET, base(lane));
    }
    for (let lane = 0; lane < lanes; lane++) {
      // node = child + ((bins[feature] − offset) > limit)
      emit(LOCAL_GET, node(lane), I32_CONST, 4, I32_SHL, LOCAL_GET, NODES, I32_ADD, LOCAL_TEE, RECORD);
      emit(I32_LOAD, memarg(2, 12), LOCAL_GET, base(lane), LOCAL_GET, RECORD, I32_LOAD, memarg(2, 0), I32_ADD);
      emit(I32_LOAD8_U, memarg(0, 0), LOCAL_GET, RECORD, I32_LOAD, memarg(2, 4), I32_SUB);
      emit(LOCAL_GET, RECORD, I32_LOAD, memarg(2, 8), I32_LE_U, I32_EQZ, I32_ADD, LOCAL_SET, node(lane));
    }
    for (let lane = 0; lane < lanes; lane++) {
      // margins[row + lane] += values[node]
      emit(LOCAL_GET, ROW, I32_CONST, lane, I32_ADD, LOCAL_GET, STRIDE, I32_MUL, LOCAL_GET, MARGINS, I32_ADD);
      emit(LOCAL_TEE, ADDRESS, LOCAL_GET, ADDRESS, F64_LOAD, memarg(3, 0));
      emit(LOCAL_GET, node(lane), I32_CONST, 3, I32_SHL, LOCAL_GET, VALUES, I32_ADD, F64_LOAD, memarg(3, 0));
      emit(F64_ADD, F64_STORE, memarg(3, 0));
    }
    emit(LOCAL_GET, ROW, I32_CONST, lanes, I32_ADD, LOCAL_SET, ROW);
  };
  emit(BLOCK, VOID, LOOP, VOID);
  emit(LOCAL_GET, ROW, I32_CONST, 4, I32_ADD, LOCAL_GET, END_AT, I32_GT_U, BR_IF, 1);
  rowsCode(4);
  emit(BR, 0, END, END);
  emit(BLOCK, VOID, LOOP, VOID);
  emit(LOCAL_GET, ROW, LOCAL_GET, END_AT, I32_GE_U, BR_IF, 1);
  rowsCode(1);
  emit(BR, 0, END, END);
  emit(END);
  return code;
}

/** `markNodes`' code (locals and body). */
export function markBody(): number[] {
  const [ROW_INDEX, POSITION, END_AT, NODE_OF, NODE] = [0, 1, 2, 3, 4];
  const { code, emit } = codeBuilder();
  emit(...vector([]));
  emit(BLOCK, VOID, LOCAL_GET, POSITION, LOCAL_GET, END_AT, I32_GE_U, BR_IF, 0, LOOP, VOID);
  emit(LOCAL_GET, ROW_INDEX, LOCAL_GET, POSITION, I32_CONST, 2, I32_SHL, I32_ADD, I32_LOAD, memarg(2, 0));
  emit(LOCAL_GET, NODE_OF, I32_ADD, LOCAL_GET, NODE, I32_STORE8, memarg(0, 0));
  emit(LOCAL_GET, POSITION, I32_CONST, 1, I32_ADD, LOCAL_TEE, POSITION, LOCAL_GET, END_AT, I32_LT_U, BR_IF, 0);
  emit(END, END, END);
  return code;
}

/** The exported marking (see the module comment). */
export type WasmMarkKernel = (rowIndex: number, begin: number, end: number, nodeOf: number, node: number) => void;

/** The exported step (see the module comment). */
export type WasmTreeStepKernel = (
  bins: number,
  cols: number,
  begin: number,
  end: number,
  margins: number,
  stride: number,
  nodes: number,
  values: number,
  nodeOf: number,
) => void;
