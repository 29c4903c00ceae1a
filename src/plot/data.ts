/** Checks on chart inputs: each failure is a ValidationError naming the field and the bad value. */

import { describeValue, ValidationError } from '../core/errors.js';
import { DEFAULT_HEIGHT, DEFAULT_WIDTH } from './theme.js';

export type Values = ArrayLike<number>;

export const MIN_SIZE = 200;
export const MAX_SIZE = 10_000;

/** Options every chart accepts. */
export interface ChartOptions {
  /** Shown bold at the top left. */
  title?: string;
  /** A second, lighter line under the title: data source, period, sample size. */
  subtitle?: string;
  /** Pixels; default 800. */
  width?: number;
  /** Pixels; default 500. */
  height?: number;
}

/** The chart's size from its options, checked to be a sensible number of pixels. */
export function chartSize(options: ChartOptions): { width: number; height: number } {
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_SIZE || value > MAX_SIZE) {
      throw new ValidationError(
        `${name} must be a number of pixels from ${MIN_SIZE} to ${MAX_SIZE}, got ${describeValue(value)}`,
      );
    }
  }
  return { width, height };
}

/** Throws unless `values` is array-like (an array or typed array). */
export function checkValues(name: string, values: unknown): asserts values is Values {
  if (values === null || typeof values !== 'object' || typeof (values as { length?: unknown }).length !== 'number') {
    throw new ValidationError(`${name} must be an array of numbers, got ${describeValue(values)}`);
  }
}

/** Throws unless both arrays have the same length. */
export function checkSameLength(name: string, values: Values, referenceName: string, reference: Values): void {
  if (values.length !== reference.length) {
    throw new ValidationError(
      `${name} has ${values.length} values but ${referenceName} has ${reference.length}: they must pair up`,
    );
  }
}

/** Throws at the first value that is not a finite number. O(n). */
export function checkFinite(name: string, values: Values): void {
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) {
      throw new ValidationError(`${name}[${i}] must be a finite number, got ${describeValue(values[i])}`);
    }
  }
}

/** Throws unless `value` is a finite number. */
export function checkNumber(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(`${name} must be a finite number, got ${describeValue(value)}`);
  }
}

/** Minimum and maximum of the finite values, widening `extent` in place; returns it. O(n). */
export function widenExtent(extent: [number, number], values: Values): [number, number] {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) continue;
    if (value < extent[0]) extent[0] = value;
    if (value > extent[1]) extent[1] = value;
  }
  return extent;
}

/** An extent that widening will replace on the first finite value. */
export function emptyExtent(): [number, number] {
  return [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
}

/** True once an extent holds at least one value. */
export function hasExtent(extent: readonly [number, number]): boolean {
  return extent[0] <= extent[1];
}

/** Axis description: "Temperature (°C)", or just the label, or the fallback. */
export interface AxisOptions {
  label?: string;
  unit?: string;
  /** Fixes the low end of the axis instead of fitting it to the data. */
  min?: number;
  /** Fixes the high end of the axis instead of fitting it to the data. */
  max?: number;
}

/** The axis title from a label and a unit: `Temperature (°C)`. */
export function axisTitle(options: AxisOptions | undefined, fallback: string): string {
  const label = options?.label ?? fallback;
  return options?.unit ? `${label} (${options.unit})` : label;
}

/** The data extent overridden by the axis's fixed ends, checked. */
export function applyAxisLimits(
  name: string,
  extent: [number, number],
  options: AxisOptions | undefined,
): [number, number] {
  const result: [number, number] = [extent[0], extent[1]];
  if (options?.min !== undefined) {
    checkNumber(`${name}.min`, options.min);
    result[0] = options.min;
  }
  if (options?.max !== undefined) {
    checkNumber(`${name}.max`, options.max);
    result[1] = options.max;
  }
  if (result[0] > result[1]) {
    throw new ValidationError(`${name}.min (${result[0]}) must not exceed ${name}.max (${result[1]})`);
  }
  return result;
}

/** Whether the axis fits the data (true) or both ends were fixed by the caller (false: keep them exact). */
export function isFitted(options: AxisOptions | undefined): boolean {
  return options?.min === undefined || options?.max === undefined;
}

/** Room to leave beyond the data at each end, as a fraction of the span: none where the caller fixed the end. */
export function marginsFor(options: AxisOptions | undefined, fraction: number): [number, number] {
  return [options?.min === undefined ? fraction : 0, options?.max === undefined ? fraction : 0];
}
