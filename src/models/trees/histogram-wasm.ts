/**
 * The histogram kernel as a WebAssembly module with 128-bit SIMD, assembled here byte by byte (no toolchain): one
 * row's interleaved single-precision (gradient, hessian) pair is loaded and widened to one `v128` of doubles
 * (`f64x2.promote_low_f32x4`), and each feature's update is one `f64x2.add` on the
 * bin's pair — the same IEEE additions in the same order as `buildHistogram`, so histograms are bit-identical to
 * the JavaScript kernel's. Memory accesses need no bounds checks, and the feature loop is unrolled completely with
 * the feature's histogram offset folded into the instruction (the module is made for one column count and stride).
 *
 * Exported function `histogram(bins, rowIndex, begin, end, gradients, histogram)`, all byte addresses into the
 * imported shared memory `env.memory` except `begin`/`end` (positions in the row index): adds the pair of every
 * row `rowIndex[begin..end)` to `histogram[(f << shift) + 2·bin(row, f)]` for every feature f, where row r's bins
 * are the `cols` bytes at `bins + r·cols` and its pair the 8 bytes at `gradients + 8·r`.
 *
 * A deep node's rows are a sparse ascending subset, so each row's bins and pair sit in cache lines of their own and
 * the loop would wait on memory row after row. WebAssembly has no prefetch instruction, so `sparseHistogram` (same
 * arguments, same result) also touches the bins and pair of the row `PREFETCH_DISTANCE` positions ahead, folding
 * the loaded bytes into the value it returns so no engine may drop the loads: the memory system then fetches many
 * rows at once. On nodes holding under an eighth of the rows this cuts the time per row by about a third to a half;
 * on denser nodes the hardware prefetcher does better alone.
 *
 * The same module carries the other row passes of boosting: `partition`, the margin updates `addLeaf`/`addSplit`
 * the log-loss gradient pass of logistic-wasm.ts and the row-order margin update of tree-walk-wasm.ts (`treeStep`).
 */

import { logisticBody, type WasmGradientKernel } from './logistic-wasm.js';
import { markBody, treeStepBody, type WasmMarkKernel, type WasmTreeStepKernel } from './tree-walk-wasm.js';
import {
  BLOCK,
  BR_IF,
  codeBuilder,
  type Emit,
  END,
  F64,
  F64_ADD,
  F64_LOAD,
  F64_STORE,
  F64X2_ADD,
  F64X2_PROMOTE_LOW_F32X4,
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
  I32_STORE,
  I32_SUB,
  I32_XOR,
  LOCAL_GET,
  LOCAL_SET,
  LOCAL_TEE,
  LOOP,
  memarg,
  name,
  SELECT,
  section,
  signedLeb,
  unsignedLeb,
  V128,
  V128_LOAD,
  V128_LOAD64_ZERO,
  V128_STORE,
  VOID,
  vector,
} from './wasm-assembler.js';

/** The parts of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmModule {
  readonly __wasmModule: unique symbol;
}
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Widest design the kernel is made for (the unrolled body grows with the column count). */
export const WASM_MAX_COLS = 1024;

// Parameters and locals.
const P_BINS = 0;
const P_ROW_INDEX = 1;
const P_POSITION = 2;
const P_END = 3;
const P_GRADIENTS = 4;
const P_HISTOGRAM = 5;
const L_ROW = 6;
const L_BASE = 7;
const L_SLOT = 8;
const L_PAIR = 9;
const L_AHEAD = 10;
const L_TOUCHED = 11;

/** Rows ahead whose memory the histogram kernel touches (see the module comment). */
export const PREFETCH_DISTANCE = 16;

/**
 * Emits `ahead = rowIndex[min(position + PREFETCH_DISTANCE, end − 1)]` (positions below `end` only: a node's).
 */
function emitRowAhead(emit: Emit, rowIndex: number, position: number, end: number, ahead: number): void {
  emit(LOCAL_GET, position, I32_CONST, ...signedLeb(PREFETCH_DISTANCE), I32_ADD, LOCAL_TEE, ahead);
  emit(LOCAL_GET, end, I32_CONST, 1, I32_SUB, LOCAL_GET, ahead, LOCAL_GET, end, I32_LT_U, SELECT);
  emit(I32_CONST, 2, I32_SHL, LOCAL_GET, rowIndex, I32_ADD, I32_LOAD, memarg(2, 0), LOCAL_SET, ahead);
}

/**
 * `partition(column, rowIndex, scratch, begin, end, splitBin, missingLeft) → left count`: the stable, branch-free
 * partition of `partitionRows` (row-kernels.ts) on one feature's column of bins at byte address `column`: lefts
 * packed from `begin` in `rowIndex`, rights from `begin` in `scratch`. `backward` (exported as `partitionBackward`)
 * walks the rows from the end instead and packs them towards `end`: rights in `rowIndex`, lefts in `scratch`, both
 * still in order — the layout the worker's half of a node needs (see `Kernels.partition`).
 */
function partitionBody(backward: boolean): number[] {
  const [COLUMN, ROW_INDEX, SCRATCH, BEGIN, END_AT, SPLIT_BIN, MISSING_LEFT] = [0, 1, 2, 3, 4, 5, 6];
  const [I, LEFT, RIGHT, ROW, BIN, GO_LEFT] = [7, 8, 9, 10, 11, 12];
  const { code, emit } = codeBuilder();
  emit(...vector([[6, I32]]));
  const store = (base: number, position: number, offset: number) =>
    emit(
      LOCAL_GET,
      base,
      LOCAL_GET,
      position,
      I32_CONST,
      2,
      I32_SHL,
      I32_ADD,
      LOCAL_GET,
      ROW,
      I32_STORE,
      memarg(2, offset),
    );
  if (backward) {
    emit(LOCAL_GET, END_AT, LOCAL_TEE, I, LOCAL_TEE, LEFT, LOCAL_SET, RIGHT);
    emit(BLOCK, VOID, LOCAL_GET, I, LOCAL_GET, BEGIN, I32_LE_U, BR_IF, 0, LOOP, VOID);
    emit(LOCAL_GET, I, I32_CONST, 1, I32_SUB, LOCAL_SET, I);
  } else {
    emit(LOCAL_GET, BEGIN, LOCAL_TEE, I, LOCAL_TEE, LEFT, LOCAL_SET, RIGHT);
    emit(BLOCK, VOID, LOCAL_GET, I, LOCAL_GET, END_AT, I32_GE_U, BR_IF, 0, LOOP, VOID);
  }
  emit(LOCAL_GET, ROW_INDEX, LOCAL_GET, I, I32_CONST, 2, I32_SHL, I32_ADD, I32_LOAD, memarg(2, 0), LOCAL_SET, ROW);
  emit(LOCAL_GET, COLUMN, LOCAL_GET, ROW, I32_ADD, I32_LOAD8_U, memarg(0, 0), LOCAL_SET, BIN);
  // goLeft = bin == 0 ? missingLeft : bin <= splitBin
  emit(LOCAL_GET, MISSING_LEFT, LOCAL_GET, BIN, LOCAL_GET, SPLIT_BIN, I32_LE_U, LOCAL_GET, BIN, I32_EQZ, SELECT);
  emit(LOCAL_SET, GO_LEFT);
  if (backward) {
    // rowIndex[right − 1] = scratch[left − 1] = row; right −= 1 − goLeft; left −= goLeft
    emit(LOCAL_GET, RIGHT, I32_CONST, 1, I32_SUB, LOCAL_SET, RIGHT);
    store(ROW_INDEX, RIGHT, 0);
    emit(LOCAL_GET, LEFT, I32_CONST, 1, I32_SUB, LOCAL_SET, LEFT);
    store(SCRATCH, LEFT, 0);
    emit(LOCAL_GET, RIGHT, LOCAL_GET, GO_LEFT, I32_ADD, LOCAL_SET, RIGHT);
    emit(LOCAL_GET, LEFT, I32_CONST, 1, I32_ADD, LOCAL_GET, GO_LEFT, I32_SUB, LOCAL_SET, LEFT);
    emit(LOCAL_GET, I, LOCAL_GET, BEGIN, I32_GT_U, BR_IF, 0);
    emit(END, END, LOCAL_GET, END_AT, LOCAL_GET, LEFT, I32_SUB, END);
    return code;
  }
  store(ROW_INDEX, LEFT, 0);
  store(SCRATCH, RIGHT, 0);
  emit(LOCAL_GET, LEFT, LOCAL_GET, GO_LEFT, I32_ADD, LOCAL_SET, LEFT);
  emit(LOCAL_GET, RIGHT, I32_CONST, 1, I32_ADD, LOCAL_GET, GO_LEFT, I32_SUB, LOCAL_SET, RIGHT);
  emit(LOCAL_GET, I, I32_CONST, 1, I32_ADD, LOCAL_TEE, I, LOCAL_GET, END_AT, I32_LT_U, BR_IF, 0);
  emit(END, END, LOCAL_GET, LEFT, LOCAL_GET, BEGIN, I32_SUB, END);
  return code;
}

/**
 * `addLeaf(rowIndex, begin, end, margins, stride, value, touched)`: adds `value` to the double at
 * `margins + row · stride` for every row `rowIndex[begin..end)` — a leaf's rows getting its value. With
 * `splitOn`: `addSplit(column, rowIndex, begin, end, margins, stride, splitBin, missingLeft, leftValue,
 * rightValue, touched)` adds `leftValue` to the rows whose bin in `column` is 1..splitBin (or 0, missing, when
 * `missingLeft` is 1) and `rightValue` to the others — a node split at the depth limit, whose rows were never
 * partitioned. Both touch the margin (and bin) of the row `PREFETCH_DISTANCE` positions ahead, like
 * `sparseHistogram`, and store what they read at `touched` (12 bytes of no meaning).
 */
function marginBody(splitOn: boolean): number[] {
  const { code, emit } = codeBuilder();
  // Parameters, then locals.
  const [COLUMN, ROW_INDEX, POSITION, END_AT, MARGINS, STRIDE] = splitOn ? [0, 1, 2, 3, 4, 5] : [-1, 0, 1, 2, 3, 4];
  const [SPLIT_BIN, MISSING_LEFT, LEFT_VALUE, RIGHT_VALUE, TOUCHED_AT] = splitOn
    ? [6, 7, 8, 9, 10]
    : [-1, -1, 5, -1, 6];
  const ROW = TOUCHED_AT + 1;
  const AHEAD = ROW + 1;
  const BIN = ROW + 2;
  const TOUCHED_BINS = ROW + 3;
  const ADDRESS = ROW + 4;
  const TOUCHED_MARGINS = ROW + 5;
  emit(
    ...vector([
      [5, I32],
      [1, F64],
    ]),
  );
  emit(BLOCK, VOID, LOCAL_GET, POSITION, LOCAL_GET, END_AT, I32_GE_U, BR_IF, 0, LOOP, VOID);
  emit(
    LOCAL_GET,
    ROW_INDEX,
    LOCAL_GET,
    POSITION,
    I32_CONST,
    2,
    I32_SHL,
    I32_ADD,
    I32_LOAD,
    memarg(2, 0),
    LOCAL_SET,
    ROW,
  );
  // address = margins + row · stride; margins[address] += value
  emit(LOCAL_GET, ROW, LOCAL_GET, STRIDE, I32_MUL, LOCAL_GET, MARGINS, I32_ADD, LOCAL_TEE, ADDRESS);
  emit(LOCAL_GET, ADDRESS, F64_LOAD, memarg(3, 0), LOCAL_GET, LEFT_VALUE);
  if (splitOn) {
    // value = (bin == 0 ? missingLeft : bin <= splitBin) ? leftValue : rightValue
    emit(LOCAL_GET, RIGHT_VALUE, LOCAL_GET, MISSING_LEFT);
    emit(LOCAL_GET, COLUMN, LOCAL_GET, ROW, I32_ADD, I32_LOAD8_U, memarg(0, 0), LOCAL_TEE, BIN);
    emit(LOCAL_GET, SPLIT_BIN, I32_LE_U, LOCAL_GET, BIN, I32_EQZ, SELECT, SELECT);
  }
  emit(F64_ADD, F64_STORE, memarg(3, 0));
  emitRowAhead(emit, ROW_INDEX, POSITION, END_AT, AHEAD);
  emit(LOCAL_GET, AHEAD, LOCAL_GET, STRIDE, I32_MUL, LOCAL_GET, MARGINS, I32_ADD, F64_LOAD, memarg(3, 0));
  emit(LOCAL_GET, TOUCHED_MARGINS, F64_ADD, LOCAL_SET, TOUCHED_MARGINS);
  if (splitOn) {
    emit(LOCAL_GET, COLUMN, LOCAL_GET, AHEAD, I32_ADD, I32_LOAD8_U, memarg(0, 0));
    emit(LOCAL_GET, TOUCHED_BINS, I32_XOR, LOCAL_SET, TOUCHED_BINS);
  }
  emit(LOCAL_GET, POSITION, I32_CONST, 1, I32_ADD, LOCAL_TEE, POSITION, LOCAL_GET, END_AT, I32_LT_U, BR_IF, 0);
  emit(END, END);
  emit(LOCAL_GET, TOUCHED_AT, LOCAL_GET, TOUCHED_MARGINS, F64_STORE, memarg(3, 0));
  emit(LOCAL_GET, TOUCHED_AT, LOCAL_GET, TOUCHED_BINS, I32_STORE, memarg(2, 8), END);
  return code;
}

/** Most 64 KiB pages of the memory the kernel works on (2 GiB: addresses stay positive `i32`s). */
export const WASM_MAX_PAGES = 32_768;

/** The module's bytes for `cols` features whose histograms are `2^shift` doubles apart. O(cols). */
export function histogramModuleBytes(cols: number, shift: number): Uint8Array {
  const histogramCode = histogramBody(cols, shift, false);
  const sparseHistogramCode = histogramBody(cols, shift, true);
  const partitionCode = partitionBody(false);
  const partitionBackwardCode = partitionBody(true);
  const markCode = markBody();
  const leafCode = marginBody(false);
  const splitCode = marginBody(true);
  const logisticCode = logisticBody(false);
  const weightedLogisticCode = logisticBody(true);
  const treeStepCode = treeStepBody();
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(
      1,
      vector([
        [0x60, ...vector(Array.from({ length: 6 }, () => [I32])), ...vector([[I32]])],
        [0x60, ...vector(Array.from({ length: 7 }, () => [I32])), ...vector([[I32]])],
        [0x60, ...vector([[I32], [I32], [I32], [I32], [I32], [F64], [I32]]), 0x00],
        [0x60, ...vector([...Array.from({ length: 8 }, () => [I32]), [F64], [F64], [I32]]), 0x00],
        [0x60, ...vector(Array.from({ length: 7 }, () => [I32])), 0x00],
        [0x60, ...vector(Array.from({ length: 9 }, () => [I32])), 0x00],
        [0x60, ...vector(Array.from({ length: 5 }, () => [I32])), 0x00],
      ]),
    ),
    // Shared memory (limits flag 3: shared, with a maximum) so a worker thread can run the same kernel on it.
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x03, 0x01, ...unsignedLeb(WASM_MAX_PAGES)]])),
    ...section(3, vector([[0x00], [0x00], [0x01], [0x02], [0x03], [0x04], [0x04], [0x05], [0x01], [0x06]])),
    ...section(
      7,
      vector([
        [...name('histogram'), 0x00, 0x00],
        [...name('sparseHistogram'), 0x00, 0x01],
        [...name('partition'), 0x00, 0x02],
        [...name('addLeaf'), 0x00, 0x03],
        [...name('addSplit'), 0x00, 0x04],
        [...name('logisticGradients'), 0x00, 0x05],
        [...name('weightedLogisticGradients'), 0x00, 0x06],
        [...name('treeStep'), 0x00, 0x07],
        [...name('partitionBackward'), 0x00, 0x08],
        [...name('markNodes'), 0x00, 0x09],
      ]),
    ),
    ...section(
      10,
      vector([
        [...unsignedLeb(histogramCode.length), ...histogramCode],
        [...unsignedLeb(sparseHistogramCode.length), ...sparseHistogramCode],
        [...unsignedLeb(partitionCode.length), ...partitionCode],
        [...unsignedLeb(leafCode.length), ...leafCode],
        [...unsignedLeb(splitCode.length), ...splitCode],
        [...unsignedLeb(logisticCode.length), ...logisticCode],
        [...unsignedLeb(weightedLogisticCode.length), ...weightedLogisticCode],
        [...unsignedLeb(treeStepCode.length), ...treeStepCode],
        [...unsignedLeb(partitionBackwardCode.length), ...partitionBackwardCode],
        [...unsignedLeb(markCode.length), ...markCode],
      ]),
    ),
  ];
  return Uint8Array.from(bytes);
}

/**
 * The histogram function's code (locals and body); `lookAhead` adds the touches of the row `PREFETCH_DISTANCE`
 * positions ahead (for sparse nodes: on dense ones the hardware prefetcher does better alone).
 */
function histogramBody(cols: number, shift: number, lookAhead: boolean): number[] {
  const { code, emit } = codeBuilder();
  emit(
    ...vector([
      [3, I32],
      [1, V128],
      [2, I32],
    ]),
  );
  emit(BLOCK, VOID);
  emit(LOCAL_GET, P_POSITION, LOCAL_GET, P_END, I32_GE_U, BR_IF, 0);
  emit(LOOP, VOID);
  // row = rowIndex[position]; pair = gradients[row]; base = bins + row · cols
  emit(LOCAL_GET, P_ROW_INDEX, LOCAL_GET, P_POSITION, I32_CONST, 2, I32_SHL, I32_ADD, I32_LOAD, memarg(2, 0));
  emit(LOCAL_TEE, L_ROW, I32_CONST, 3, I32_SHL, LOCAL_GET, P_GRADIENTS, I32_ADD, V128_LOAD64_ZERO, memarg(3, 0));
  emit(F64X2_PROMOTE_LOW_F32X4, LOCAL_SET, L_PAIR);
  emit(LOCAL_GET, L_ROW, I32_CONST, ...signedLeb(cols), I32_MUL, LOCAL_GET, P_BINS, I32_ADD, LOCAL_SET, L_BASE);
  if (lookAhead) {
    // touched ^= bins[ahead · cols] ^ gradients[ahead]
    emitRowAhead(emit, P_ROW_INDEX, P_POSITION, P_END, L_AHEAD);
    emit(
      LOCAL_GET,
      L_AHEAD,
      I32_CONST,
      ...signedLeb(cols),
      I32_MUL,
      LOCAL_GET,
      P_BINS,
      I32_ADD,
      I32_LOAD8_U,
      memarg(0, 0),
    );
    emit(LOCAL_GET, L_AHEAD, I32_CONST, 3, I32_SHL, LOCAL_GET, P_GRADIENTS, I32_ADD, I32_LOAD, memarg(2, 0));
    emit(I32_XOR, LOCAL_GET, L_TOUCHED, I32_XOR, LOCAL_SET, L_TOUCHED);
  }
  for (let f = 0; f < cols; f++) {
    // slot = histogram + (bin << 4); slot[f << (shift + 3)] += pair
    emit(LOCAL_GET, P_HISTOGRAM, LOCAL_GET, L_BASE, I32_LOAD8_U, memarg(0, f), I32_CONST, 4, I32_SHL, I32_ADD);
    const offset = f * 2 ** (shift + 3);
    emit(LOCAL_TEE, L_SLOT, LOCAL_GET, L_SLOT, V128_LOAD, memarg(3, offset), LOCAL_GET, L_PAIR, F64X2_ADD);
    emit(V128_STORE, memarg(3, offset));
  }
  emit(LOCAL_GET, P_POSITION, I32_CONST, 1, I32_ADD, LOCAL_TEE, P_POSITION, LOCAL_GET, P_END, I32_LT_U, BR_IF, 0);
  emit(END, END, LOCAL_GET, L_TOUCHED, END);
  return code;
}

/** The exported kernel; what it returns is meaningless (the bytes touched ahead, see the module comment). */
export type WasmHistogramKernel = (
  bins: number,
  rowIndex: number,
  begin: number,
  end: number,
  gradients: number,
  histogram: number,
) => number;

const compiled = new Map<string, WasmModule | null>();

/** The kernel's module for `cols` features and stride `2^shift` (compiled once); null without WebAssembly SIMD. */
export function histogramModule(cols: number, shift: number): WasmModule | null {
  if (!wasmApi || cols < 1 || cols > WASM_MAX_COLS) return null;
  const key = `${cols}/${shift}`;
  let module = compiled.get(key);
  if (module === undefined) {
    try {
      module = new wasmApi.Module(histogramModuleBytes(cols, shift));
    } catch {
      module = null;
    }
    compiled.set(key, module);
  }
  return module;
}

/** The exported partition (see `partitionBody`). */
export type WasmPartitionKernel = (
  column: number,
  rowIndex: number,
  scratch: number,
  begin: number,
  end: number,
  splitBin: number,
  missingLeft: number,
) => number;

/** The exported `addLeaf` (see `marginBody`). */
export type WasmLeafKernel = (
  rowIndex: number,
  begin: number,
  end: number,
  margins: number,
  stride: number,
  value: number,
  touched: number,
) => void;

/** The exported `addSplit` (see `marginBody`). */
export type WasmSplitKernel = (
  column: number,
  rowIndex: number,
  begin: number,
  end: number,
  margins: number,
  stride: number,
  splitBin: number,
  missingLeft: number,
  leftValue: number,
  rightValue: number,
  touched: number,
) => void;

/** The kernels of one module instance. */
export interface WasmKernels {
  readonly histogram: WasmHistogramKernel;
  readonly sparseHistogram: WasmHistogramKernel;
  readonly partition: WasmPartitionKernel;
  readonly partitionBackward: WasmPartitionKernel;
  readonly addLeaf: WasmLeafKernel;
  readonly addSplit: WasmSplitKernel;
  readonly logisticGradients: WasmGradientKernel;
  readonly weightedLogisticGradients: WasmGradientKernel;
  readonly treeStep: WasmTreeStepKernel;
  readonly markNodes: WasmMarkKernel;
}

/** The kernels of `module` working on `memory`. */
export function wasmKernels(module: WasmModule, memory: WasmMemory): WasmKernels {
  if (!wasmApi) throw new Error('WebAssembly is not available');
  const { exports } = new wasmApi.Instance(module, { env: { memory } });
  return {
    histogram: exports.histogram as WasmHistogramKernel,
    sparseHistogram: exports.sparseHistogram as WasmHistogramKernel,
    partition: exports.partition as WasmPartitionKernel,
    partitionBackward: exports.partitionBackward as WasmPartitionKernel,
    addLeaf: exports.addLeaf as WasmLeafKernel,
    addSplit: exports.addSplit as WasmSplitKernel,
    logisticGradients: exports.logisticGradients as WasmGradientKernel,
    weightedLogisticGradients: exports.weightedLogisticGradients as WasmGradientKernel,
    treeStep: exports.treeStep as WasmTreeStepKernel,
    markNodes: exports.markNodes as WasmMarkKernel,
  };
}

/** A shared WebAssembly memory of `pages` 64 KiB pages (fixed size). */
export function sharedWasmMemory(pages: number): WasmMemory {
  if (!wasmApi) throw new Error('WebAssembly is not available');
  return new wasmApi.Memory({ initial: pages, maximum: pages, shared: true });
}
