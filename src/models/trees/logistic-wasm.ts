/**
 * The binary log-loss gradient pass (`logisticGradients` in objectives.ts) as a WebAssembly function body for the
 * tree kernels' module (histogram-wasm.ts): the same IEEE operations in the same order on the same tables, so the
 * pairs are bit-identical to the JavaScript pass's, without its two data-dependent branches per row (the sign of the
 * margin is random from row to row, and each misprediction costs more than the arithmetic; here both are `select`s).
 *
 * `logisticGradients(margins, labels, weights, pairs, begin, end, tables)`, byte addresses into the shared memory
 * except `begin`/`end` (rows): for rows begin..end, margin and label are the doubles at `margins + 8·row` and
 * `labels + 8·row`; the single-precision pair (p − y, max(p(1 − p), 1e-16)) goes to `pairs + 8·row`, times the
 * double at `weights + 8·row` in the weighted variant (the unweighted one never reads `weights`). `tables` holds
 * what `writeLogisticTables` writes there.
 */

import {
  BLOCK,
  BR,
  BR_IF,
  codeBuilder,
  END,
  F32_DEMOTE_F64,
  F32_STORE,
  F32X4_DEMOTE_F64X2_ZERO,
  F64,
  F64_ABS,
  F64_ADD,
  F64_DIV,
  F64_GE,
  F64_LOAD,
  F64_MAX,
  F64_MUL,
  F64_NEG,
  F64_SUB,
  F64X2_ABS,
  F64X2_ADD,
  F64X2_DIV,
  F64X2_GE,
  F64X2_MUL,
  F64X2_NEG,
  F64X2_PMAX,
  F64X2_REPLACE_LANE,
  F64X2_SPLAT,
  F64X2_SUB,
  f64Const,
  f64x2Const,
  I8X16_SHUFFLE,
  I32,
  I32_ADD,
  I32_AND,
  I32_CONST,
  I32_GE_U,
  I32_GT_U,
  I32_SHL,
  I32_SHR_S,
  I32_TRUNC_F64_S,
  I32X4_EXTRACT_LANE,
  I32X4_TRUNC_SAT_F64X2_S_ZERO,
  LOCAL_GET,
  LOCAL_SET,
  LOCAL_TEE,
  LOOP,
  memarg,
  SELECT,
  signedLeb,
  V128,
  V128_BITSELECT,
  V128_LOAD,
  V128_STORE,
  VOID,
  vector,
} from './wasm-assembler.js';

/** 2^(j/256) for j = 0..255, then 2^m for m = −1100..0: the tables of `logisticGradients`, as doubles. */
const FRACTION_POWERS = 256;
const WHOLE_POWERS = 1101;
export const LOGISTIC_TABLES_BYTES = 8 * (FRACTION_POWERS + WHOLE_POWERS);

/** Writes the kernel's tables at byte `at` (a multiple of 8) of `buffer`. */
export function writeLogisticTables(buffer: ArrayBufferLike, at: number): void {
  const tables = new Float64Array(buffer, at, FRACTION_POWERS + WHOLE_POWERS);
  for (let j = 0; j < FRACTION_POWERS; j++) tables[j] = 2 ** (j / 256);
  for (let m = 0; m < WHOLE_POWERS; m++) tables[FRACTION_POWERS + m] = 2 ** (m - 1100);
}

/** Scalar and two-lane forms of the operations the pass uses. */
const operations = {
  abs: [[F64_ABS], F64X2_ABS],
  neg: [[F64_NEG], F64X2_NEG],
  add: [[F64_ADD], F64X2_ADD],
  sub: [[F64_SUB], F64X2_SUB],
  mul: [[F64_MUL], F64X2_MUL],
  div: [[F64_DIV], F64X2_DIV],
  // max(a, b) where neither is NaN or a zero of the other sign: f64x2.pmax is then the same and one instruction.
  max: [[F64_MAX], F64X2_PMAX],
} satisfies Record<string, [number[], number[]]>;

/**
 * The function's code (locals and body): two rows at a time in `f64x2` lanes, then the last odd row alone, each
 * lane doing exactly the scalar operations. `weighted` multiplies each pair by its row's weight.
 */
export function logisticBody(weighted: boolean): number[] {
  const [MARGINS, LABELS, WEIGHTS, PAIRS, ROW, END_AT, TABLES] = [0, 1, 2, 3, 4, 5, 6];
  const [K, ADDRESS] = [7, 8];
  // Per form: z, x, steps, r, e, complement, p, weight (f64 locals 9.., v128 locals 17..).
  const [Z, X, STEPS, R, E, COMPLEMENT, P, WEIGHT] = [0, 1, 2, 3, 4, 5, 6, 7];
  const { code, emit } = codeBuilder();
  emit(
    ...vector([
      [2, I32],
      [8, F64],
      [8, V128],
    ]),
  );
  const rowsCode = (lanes: 1 | 2) => {
    const two = lanes === 2;
    const local = (which: number) => (two ? 17 : 9) + which;
    const get = (which: number) => emit(LOCAL_GET, local(which));
    const set = (which: number) => emit(LOCAL_SET, local(which));
    const op = (name: keyof typeof operations) => emit(operations[name][two ? 1 : 0]);
    const constant = (value: number) => emit(two ? f64x2Const(value) : f64Const(value));
    const loadRows = (base: number) => {
      emit(LOCAL_GET, base, LOCAL_GET, ROW, I32_CONST, 3, I32_SHL, I32_ADD);
      emit(two ? V128_LOAD : F64_LOAD, memarg(3, 0));
    };
    // 2^((k & 255)/256) · 2^(k >> 8) for the k in i32 local K.
    const scale = () => {
      emit(LOCAL_GET, TABLES, LOCAL_GET, K, I32_CONST, ...signedLeb(255), I32_AND, I32_CONST, 3, I32_SHL, I32_ADD);
      emit(F64_LOAD, memarg(3, 0));
      emit(LOCAL_GET, TABLES, LOCAL_GET, K, I32_CONST, 8, I32_SHR_S, I32_CONST, ...signedLeb(1100), I32_ADD);
      emit(I32_CONST, 3, I32_SHL, I32_ADD, F64_LOAD, memarg(3, 8 * FRACTION_POWERS), F64_MUL);
    };
    loadRows(MARGINS);
    set(Z);
    // x = max(−|z|, −745); steps = round(x · 256 / ln 2) (by adding and subtracting 1.5 · 2^52)
    get(Z);
    op('abs');
    op('neg');
    constant(-745);
    op('max');
    set(X);
    get(X);
    constant(256 / Math.LN2);
    op('mul');
    constant(6755399441055744);
    op('add');
    constant(6755399441055744);
    op('sub');
    set(STEPS);
    // r = x − steps · ln2High/256 − steps · ln2Low/256
    get(X);
    get(STEPS);
    constant(0.6931471803691238 / 256);
    op('mul');
    op('sub');
    get(STEPS);
    constant(1.9082149292705877e-10 / 256);
    op('mul');
    op('sub');
    set(R);
    // e = 2^((k & 255)/256) · 2^(k >> 8) · (1 + r(1 + r(1/2 + r(1/6 + r(1/24 + r/120))))), k = steps
    if (two) {
      get(STEPS);
      emit(I32X4_TRUNC_SAT_F64X2_S_ZERO, LOCAL_TEE, local(E), I32X4_EXTRACT_LANE, 0, LOCAL_SET, K);
      scale();
      emit(F64X2_SPLAT, LOCAL_GET, local(E), I32X4_EXTRACT_LANE, 1, LOCAL_SET, K);
      scale();
      emit(F64X2_REPLACE_LANE, 1);
    } else {
      get(STEPS);
      emit(I32_TRUNC_F64_S, LOCAL_SET, K);
      scale();
    }
    get(R);
    constant(1 / 120);
    op('mul');
    constant(1 / 24);
    op('add');
    for (const coefficient of [1 / 6, 0.5, 1, 1]) {
      get(R);
      op('mul');
      constant(coefficient);
      op('add');
    }
    op('mul');
    set(E);
    // complement = 1/(1 + e); p = z ≥ 0 ? complement : e · complement
    constant(1);
    constant(1);
    get(E);
    op('add');
    op('div');
    set(COMPLEMENT);
    get(COMPLEMENT);
    get(E);
    get(COMPLEMENT);
    op('mul');
    get(Z);
    constant(0);
    emit(two ? [...F64X2_GE, ...V128_BITSELECT] : [F64_GE, SELECT]);
    set(P);
    if (weighted) {
      loadRows(WEIGHTS);
      set(WEIGHT);
    }
    // pairs[row] = (p − label, max(p(1 − p), 1e-16)) [· weight], rounded to single precision
    emit(LOCAL_GET, PAIRS, LOCAL_GET, ROW, I32_CONST, 3, I32_SHL, I32_ADD, LOCAL_SET, ADDRESS);
    if (!two) emit(LOCAL_GET, ADDRESS);
    get(P);
    loadRows(LABELS);
    op('sub');
    if (weighted) {
      get(WEIGHT);
      op('mul');
    }
    // In two lanes the gradients and hessians are interleaved into one 16-byte store below.
    if (two) emit(F32X4_DEMOTE_F64X2_ZERO);
    else emit(F32_DEMOTE_F64, F32_STORE, memarg(2, 0), LOCAL_GET, ADDRESS);
    get(P);
    constant(1);
    get(P);
    op('sub');
    op('mul');
    constant(1e-16);
    op('max');
    if (weighted) {
      get(WEIGHT);
      op('mul');
    }
    if (two) {
      emit(F32X4_DEMOTE_F64X2_ZERO, I8X16_SHUFFLE, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
      emit(LOCAL_SET, local(R), LOCAL_GET, ADDRESS, LOCAL_GET, local(R), V128_STORE, memarg(3, 0));
    } else {
      emit(F32_DEMOTE_F64, F32_STORE, memarg(2, 4));
    }
  };
  // Pairs of rows while two remain.
  emit(BLOCK, VOID, LOOP, VOID);
  emit(LOCAL_GET, ROW, I32_CONST, 2, I32_ADD, LOCAL_GET, END_AT, I32_GT_U, BR_IF, 1);
  rowsCode(2);
  emit(LOCAL_GET, ROW, I32_CONST, 2, I32_ADD, LOCAL_SET, ROW, BR, 0, END, END);
  // The last row, if one is left.
  emit(BLOCK, VOID, LOCAL_GET, ROW, LOCAL_GET, END_AT, I32_GE_U, BR_IF, 0);
  rowsCode(1);
  emit(END, END);
  return code;
}

/** The exported pass (see the module comment). */
export type WasmGradientKernel = (
  margins: number,
  labels: number,
  weights: number,
  pairs: number,
  begin: number,
  end: number,
  tables: number,
) => void;
