/**
 * The numeric inputs models take, and the checks every model applies to them before its own code runs:
 * shapes, finite values, feature names, and reordering named columns into the order a model was trained on.
 */

import { describeValue, UnprocessableError, ValidationError } from '../core/errors.js';
import type { Matrix } from '../math/linalg.js';

/** A row-major numeric design matrix (`rows` samples × `cols` features), optionally with one name per column. */
export interface DesignMatrix extends Matrix {
  readonly featureNames?: readonly string[];
}

/**
 * A batch of equally long sequences for sequence models: `samples × steps × features`, stored with the feature
 * index fastest (element (s, t, f) at `data[(s · steps + t) · features + f]`), optionally with feature names.
 */
export interface SequenceBatch {
  readonly samples: number;
  readonly steps: number;
  readonly features: number;
  readonly data: Float64Array | Float32Array;
  readonly featureNames?: readonly string[];
}

/** Whatever a batch model takes as X. */
export type ModelInput = DesignMatrix | SequenceBatch;

/** A row-major design matrix from plain rows, e.g. `designMatrix([[1, 2], [3, 4]], ['a', 'b'])`. */
export function designMatrix(rows: readonly (readonly number[])[], featureNames?: readonly string[]): DesignMatrix {
  const rowCount = rows.length;
  const cols = featureNames?.length ?? (rowCount === 0 ? 0 : rows[0].length);
  const data = new Float64Array(rowCount * cols);
  for (let i = 0; i < rowCount; i++) {
    if (rows[i].length !== cols) {
      throw new ValidationError(`X row ${i} has ${rows[i].length} values, expected ${cols}`, [
        { path: `X[${i}]`, message: `expected ${cols} values` },
      ]);
    }
    data.set(rows[i], i * cols);
  }
  return featureNames ? { rows: rowCount, cols, data, featureNames } : { rows: rowCount, cols, data };
}

export function isSequenceBatch(input: ModelInput): input is SequenceBatch {
  return (input as SequenceBatch).steps !== undefined;
}

/** Number of samples (rows or sequences). */
export function sampleCount(input: ModelInput): number {
  return isSequenceBatch(input) ? input.samples : input.rows;
}

/** Number of features (columns, or the last axis of a sequence batch). */
export function featureCount(input: ModelInput): number {
  return isSequenceBatch(input) ? input.features : input.cols;
}

function featureLabel(names: readonly string[] | undefined, index: number): string {
  return names ? `'${names[index]}'` : String(index);
}

/**
 * Checks the declared shape against the data length and that every value is finite — or, with `allowMissing`
 * (models that route missing values themselves, e.g. boosted trees), finite or NaN (missing); ±Infinity never.
 */
export function checkInput(input: ModelInput, name = 'X', allowMissing = false): void {
  const samples = sampleCount(input);
  const features = featureCount(input);
  const perSample = isSequenceBatch(input) ? input.steps * input.features : input.cols;
  for (const [label, value] of [
    ['samples', samples],
    ['features', features],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new ValidationError(`${name} ${label} must be a non-negative integer, got ${describeValue(value)}`);
    }
  }
  if (input.data.length !== samples * perSample) {
    throw new ValidationError(
      `${name} data has ${input.data.length} values, expected ${samples * perSample} for its declared shape`,
    );
  }
  if (input.featureNames !== undefined && input.featureNames.length !== features) {
    throw new ValidationError(`${name} has ${features} columns but ${input.featureNames.length} feature names`, [
      { path: `${name}.featureNames`, message: `expected ${features} names` },
    ]);
  }
  const data = input.data;
  const index =
    data instanceof Float64Array ? firstNonFinite64(data, allowMissing) : firstNonFinite32(data, allowMissing);
  if (index >= 0) {
    const value = data[index];
    const sample = Math.floor(index / perSample);
    const feature = (index % perSample) % features;
    const where = isSequenceBatch(input)
      ? `${name}[${sample}, step ${Math.floor((index % perSample) / features)}, ${featureLabel(input.featureNames, feature)}]`
      : `${name}[${sample}, ${featureLabel(input.featureNames, feature)}]`;
    throw new ValidationError(`${where} must be a finite number, got ${describeValue(value)}`, [
      { path: where, message: 'must be a finite number' },
    ]);
  }
}

/** Whether `value` is rejected: ±Infinity always, NaN unless missing values are allowed. */
function rejected(value: number, allowMissing: boolean): boolean {
  return allowMissing ? value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY : value - value !== 0;
}

/**
 * Index of the first NaN (unless `allowMissing`) or ±Infinity, or −1. A branch-free screen first (x · 0 is 0 for
 * finite x and NaN otherwise, summed in four independent accumulators), then a search only when it trips. O(n).
 */
function firstNonFinite64(data: Float64Array, allowMissing: boolean): number {
  let screen0 = 0;
  let screen1 = 0;
  let screen2 = 0;
  let screen3 = 0;
  let index = 0;
  for (; index + 3 < data.length; index += 4) {
    screen0 += data[index] * 0;
    screen1 += data[index + 1] * 0;
    screen2 += data[index + 2] * 0;
    screen3 += data[index + 3] * 0;
  }
  for (; index < data.length; index++) screen0 += data[index] * 0;
  if (screen0 + screen1 + screen2 + screen3 === 0) return -1;
  for (let position = 0; position < data.length; position++) {
    if (rejected(data[position], allowMissing)) return position;
  }
  return -1;
}

function firstNonFinite32(data: Float32Array, allowMissing: boolean): number {
  for (let position = 0; position < data.length; position++) {
    if (rejected(data[position], allowMissing)) return position;
  }
  return -1;
}

/** Checks a per-sample vector (targets, weights): length, finite values and, for weights, non-negative with a positive sum. */
export function checkVector(
  values: ArrayLike<number>,
  expectedLength: number,
  name: string,
  kind: 'target' | 'weight',
): Float64Array {
  if (values.length !== expectedLength) {
    throw new ValidationError(`${name} has ${values.length} values but X has ${expectedLength} rows`, [
      { path: name, message: `expected ${expectedLength} values` },
    ]);
  }
  const result = new Float64Array(expectedLength);
  let total = 0;
  for (let i = 0; i < expectedLength; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value) || (kind === 'weight' && value < 0)) {
      const expectation = kind === 'weight' ? 'a finite number ≥ 0' : 'a finite number';
      throw new ValidationError(`${name}[${i}] must be ${expectation}, got ${describeValue(value)}`, [
        { path: `${name}[${i}]`, message: `must be ${expectation}` },
      ]);
    }
    result[i] = value;
    total += value;
  }
  if (kind === 'weight' && !(total > 0)) {
    throw new ValidationError(`${name} must have a positive sum, got ${describeValue(total)}`);
  }
  return result;
}

/** Checks a list of feature names: the right count, non-empty, unique. */
export function checkFeatureNames(names: readonly string[], expected: number, name = 'featureNames'): string[] {
  if (names.length !== expected) {
    throw new ValidationError(`${name} has ${names.length} names but X has ${expected} columns`);
  }
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const featureName = names[i];
    if (typeof featureName !== 'string' || featureName.length === 0) {
      throw new ValidationError(`${name}[${i}] must be a non-empty string, got ${describeValue(featureName)}`);
    }
    if (seen.has(featureName)) throw new ValidationError(`${name}[${i}] repeats the feature '${featureName}'`);
    seen.add(featureName);
  }
  return [...names];
}

/**
 * Returns the input with its features in the trained order. When both the model and the input carry names, columns
 * are matched by name (extra input columns are ignored; a missing one is an `UnprocessableError` naming it);
 * otherwise the input must have exactly the trained number of columns. O(samples · features) when a reorder is needed.
 */
export function alignFeatures<T extends ModelInput>(
  input: T,
  trainedNames: readonly string[] | undefined,
  trainedCount: number,
): T {
  const inputNames = input.featureNames;
  const inputCount = featureCount(input);
  if (!trainedNames || !inputNames) {
    if (inputCount !== trainedCount) {
      throw new UnprocessableError(`X has ${inputCount} columns but the model was trained on ${trainedCount}`, [
        { path: 'X', message: `expected ${trainedCount} columns` },
      ]);
    }
    return input;
  }
  const position = new Map<string, number>();
  for (const [index, featureName] of inputNames.entries()) position.set(featureName, index);
  const order = new Int32Array(trainedCount);
  const missing: string[] = [];
  let identity = inputCount === trainedCount;
  for (let j = 0; j < trainedCount; j++) {
    const index = position.get(trainedNames[j]);
    if (index === undefined) missing.push(trainedNames[j]);
    else {
      order[j] = index;
      if (index !== j) identity = false;
    }
  }
  if (missing.length > 0) {
    const list = missing.map((featureName) => `'${featureName}'`).join(', ');
    throw new UnprocessableError(
      `X is missing feature${missing.length > 1 ? 's' : ''} ${list} the model was trained on`,
      missing.map((featureName) => ({ path: `X.${featureName}`, message: 'missing feature' })),
    );
  }
  if (identity) return input;

  const samples = sampleCount(input);
  const rowsPerSample = isSequenceBatch(input) ? input.steps : 1;
  const source = input.data;
  const data =
    source instanceof Float32Array
      ? new Float32Array(samples * rowsPerSample * trainedCount)
      : new Float64Array(samples * rowsPerSample * trainedCount);
  const totalRows = samples * rowsPerSample;
  for (let r = 0; r < totalRows; r++) {
    const sourceOffset = r * inputCount;
    const targetOffset = r * trainedCount;
    for (let j = 0; j < trainedCount; j++) data[targetOffset + j] = source[sourceOffset + order[j]];
  }
  if (isSequenceBatch(input)) {
    return {
      samples,
      steps: input.steps,
      features: trainedCount,
      data,
      featureNames: [...trainedNames],
    } as SequenceBatch as T;
  }
  return {
    rows: samples,
    cols: trainedCount,
    data: data as Float64Array,
    featureNames: [...trainedNames],
  } as DesignMatrix as T;
}
