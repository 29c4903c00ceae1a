/**
 * What the hand-assembled WebAssembly kernels (histogram-wasm.ts, logistic-wasm.ts) are written with: the binary
 * format's encodings (LEB128 integers, names, sections, vectors), the opcodes they use and a function-body builder.
 * Opcodes and encodings from the WebAssembly Core Specification 2.0, §5 (binary format).
 */

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

export function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

export function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

export function name(text: string): number[] {
  const bytes = Array.from(Buffer.from(text, 'utf8'));
  return [...unsignedLeb(bytes.length), ...bytes];
}

export function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb(content.length), ...content];
}

export function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

// Opcodes.
export const LOCAL_GET = 0x20;
export const LOCAL_SET = 0x21;
export const LOCAL_TEE = 0x22;
export const I32_LOAD = 0x28;
export const I32_LOAD8_U = 0x2d;
export const I32_CONST = 0x41;
export const I32_GE_U = 0x4f;
export const I32_LT_U = 0x49;
export const I32_ADD = 0x6a;
export const I32_SUB = 0x6b;
export const I32_LE_U = 0x4d;
export const I32_EQZ = 0x45;
export const I32_STORE = 0x36;
export const I32_STORE8 = 0x3a;
export const I32_MUL = 0x6c;
export const I32_AND = 0x71;
export const I32_XOR = 0x73;
export const I32_SHL = 0x74;
export const I32_SHR_S = 0x75;
export const I32_TRUNC_F64_S = 0xaa;
export const SELECT = 0x1b;
export const BLOCK = 0x02;
export const LOOP = 0x03;
export const BR = 0x0c;
export const BR_IF = 0x0d;
export const END = 0x0b;
export const VOID = 0x40;
export const F32_STORE = 0x38;
export const F32_DEMOTE_F64 = 0xb6;
export const F64_LOAD = 0x2b;
export const F64_STORE = 0x39;
export const F64_CONST = 0x44;
export const F64_GE = 0x66;
export const F64_ABS = 0x99;
export const F64_NEG = 0x9a;
export const F64_ADD = 0xa0;
export const F64_SUB = 0xa1;
export const F64_MUL = 0xa2;
export const F64_DIV = 0xa3;
export const F64_MAX = 0xa5;
export const I32_GT_U = 0x4b;
const SIMD = 0xfd;
const simd = (opcode: number) => [SIMD, ...unsignedLeb(opcode)];
export const V128_LOAD = [SIMD, ...unsignedLeb(0x00)];
export const V128_STORE = [SIMD, ...unsignedLeb(0x0b)];
export const F64X2_ADD = [SIMD, ...unsignedLeb(0xf0)];
export const V128_LOAD64_ZERO = [SIMD, ...unsignedLeb(0x5d)];
export const F64X2_PROMOTE_LOW_F32X4 = [SIMD, ...unsignedLeb(0x5f)];
export const I8X16_SHUFFLE = simd(0x0d);
export const I32X4_EXTRACT_LANE = simd(0x1b);
export const F64X2_SPLAT = simd(0x14);
export const F64X2_REPLACE_LANE = simd(0x22);
export const F64X2_GE = simd(0x4c);
export const V128_BITSELECT = simd(0x52);
export const F32X4_DEMOTE_F64X2_ZERO = simd(0x5e);
export const F64X2_ABS = simd(0xec);
export const F64X2_NEG = simd(0xed);
export const F64X2_SUB = simd(0xf1);
export const F64X2_MUL = simd(0xf2);
export const F64X2_DIV = simd(0xf3);
export const F64X2_PMAX = simd(0xf7);
export const I32X4_TRUNC_SAT_F64X2_S_ZERO = simd(0xfc);

/** memarg: alignment exponent and constant offset. */
export const memarg = (align: number, offset: number) => [...unsignedLeb(align), ...unsignedLeb(offset)];

/** `f64.const value`: the opcode and the double's eight little-endian bytes. */
export function f64Const(value: number): number[] {
  return [F64_CONST, ...new Uint8Array(Float64Array.of(value).buffer)];
}

/** `v128.const` of `value` in both f64x2 lanes. */
export function f64x2Const(value: number): number[] {
  return [...simd(0x0c), ...new Uint8Array(Float64Array.of(value, value).buffer)];
}

/** Bytes or arrays of bytes, appended in order. */
export type Emit = (...bytes: (number | number[])[]) => void;

/** A function body's bytes, appended by `emit`. */
export function codeBuilder(): { code: number[]; emit: Emit } {
  const code: number[] = [];
  const emit: Emit = (...bytes) => {
    for (const byte of bytes) {
      if (typeof byte === 'number') code.push(byte);
      else code.push(...byte);
    }
  };
  return { code, emit };
}
