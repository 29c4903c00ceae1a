/**
 * Lossless JSON encoding of model state. Typed arrays become `{"$float64": "<base64 of the little-endian bytes>"}`
 * (likewise `$float32`, `$int32`, `$uint8`), and numbers JSON cannot hold exactly (NaN, ±Infinity, −0) become
 * `{"$number": "NaN"}` etc., so a saved model predicts bit-identically after loading. Also the small readers that
 * models use to check a decoded state before trusting it.
 */

import { ValidationError } from '../core/errors.js';

/** Any value `JSON.stringify` writes and `JSON.parse` reads back unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

type TypedArrayTag = '$float64' | '$float32' | '$int32' | '$uint8';
type SupportedTypedArray = Float64Array | Float32Array | Int32Array | Uint8Array;

function tagOf(value: SupportedTypedArray): TypedArrayTag {
  if (value instanceof Float64Array) return '$float64';
  if (value instanceof Float32Array) return '$float32';
  if (value instanceof Int32Array) return '$int32';
  return '$uint8';
}

function bytesToBase64(value: SupportedTypedArray): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

function base64ToTyped(tag: TypedArrayTag, text: string, path: string): SupportedTypedArray {
  const bytes = Buffer.from(text, 'base64');
  const width = tag === '$uint8' ? 1 : tag === '$float64' ? 8 : 4;
  if (bytes.byteLength % width !== 0) {
    throw new ValidationError(`${path}: ${tag} data has ${bytes.byteLength} bytes, not a multiple of ${width}`);
  }
  // Copy into a fresh, aligned buffer (Buffer pools may start at any offset).
  const aligned = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(aligned).set(bytes);
  if (tag === '$float64') return new Float64Array(aligned);
  if (tag === '$float32') return new Float32Array(aligned);
  if (tag === '$int32') return new Int32Array(aligned);
  return new Uint8Array(aligned);
}

/** Encodes a state object (plain objects, arrays, numbers, strings, booleans, typed arrays) as exact JSON. */
export function encodeState(value: unknown, path = 'state'): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { $number: 'NaN' };
    if (value === Number.POSITIVE_INFINITY) return { $number: 'Infinity' };
    if (value === Number.NEGATIVE_INFINITY) return { $number: '-Infinity' };
    if (Object.is(value, -0)) return { $number: '-0' };
    return value;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (
    value instanceof Float64Array ||
    value instanceof Float32Array ||
    value instanceof Int32Array ||
    value instanceof Uint8Array
  ) {
    return { [tagOf(value)]: bytesToBase64(value) };
  }
  if (Array.isArray(value)) return value.map((item, index) => encodeState(item, `${path}[${index}]`));
  if (typeof value === 'object') {
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) result[key] = encodeState(item, `${path}.${key}`);
    }
    return result;
  }
  throw new TypeError(`${path}: cannot encode a value of type ${typeof value}`);
}

const typedArrayTags: readonly TypedArrayTag[] = ['$float64', '$float32', '$int32', '$uint8'];

/** Inverse of `encodeState`: restores typed arrays and special numbers; throws `ValidationError` on bad tags. */
export function decodeState(value: unknown, path = 'state'): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item, index) => decodeState(item, `${path}[${index}]`));
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, item] = entries[0];
    if ((typedArrayTags as readonly string[]).includes(key)) {
      if (typeof item !== 'string') throw new ValidationError(`${path}: ${key} must hold a base64 string`);
      return base64ToTyped(key as TypedArrayTag, item, path);
    }
    if (key === '$number') {
      if (item === 'NaN') return Number.NaN;
      if (item === 'Infinity') return Number.POSITIVE_INFINITY;
      if (item === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (item === '-0') return -0;
      throw new ValidationError(`${path}: unknown $number value ${JSON.stringify(item)}`);
    }
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries) result[key] = decodeState(item, `${path}.${key}`);
  return result;
}

/** Reads field `key` of a decoded state object as a plain object. */
export function readObject(raw: unknown, path: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError(`${path} must be an object, got ${raw === null ? 'null' : typeof raw}`);
  }
  return raw as Record<string, unknown>;
}

/** Reads a `Float64Array` field, optionally of a given length. */
export function readFloat64Array(
  raw: Record<string, unknown>,
  key: string,
  path: string,
  length?: number,
): Float64Array {
  const value = raw[key];
  if (!(value instanceof Float64Array)) throw new ValidationError(`${path}.${key} must be a float64 array`);
  if (length !== undefined && value.length !== length) {
    throw new ValidationError(`${path}.${key} must have ${length} values, got ${value.length}`);
  }
  return value;
}

/** Reads a number field (any double, including the special values `encodeState` preserves). */
export function readNumber(raw: Record<string, unknown>, key: string, path: string): number {
  const value = raw[key];
  if (typeof value !== 'number') throw new ValidationError(`${path}.${key} must be a number, got ${typeof value}`);
  return value;
}

/** Reads a boolean field. */
export function readBoolean(raw: Record<string, unknown>, key: string, path: string): boolean {
  const value = raw[key];
  if (typeof value !== 'boolean') throw new ValidationError(`${path}.${key} must be a boolean, got ${typeof value}`);
  return value;
}

/** Reads an array-of-strings field. */
export function readStringArray(raw: Record<string, unknown>, key: string, path: string): string[] {
  const value = raw[key];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ValidationError(`${path}.${key} must be an array of strings`);
  }
  return value as string[];
}
