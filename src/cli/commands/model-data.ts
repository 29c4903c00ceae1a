/**
 * What the model commands (`train`, `predict`, `evaluate`, `plot`) share: reading a data file into a frame, and
 * parsing number and list options into usage errors that name the option.
 */
import { stat } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { readCsvFrame } from '../../io/csv-frame.js';
import type { Frame } from '../../io/frame.js';

/** Data file formats the model commands read. */
export const DATA_FORMATS = ['csv'] as const;

/** Reads `--data FILE` in `--format`; a missing file or an unknown format is one readable error. */
export async function readDataFrame(file: string, format = 'csv'): Promise<Frame> {
  if (!(DATA_FORMATS as readonly string[]).includes(format)) {
    throw new ValidationError(`--format must be one of ${DATA_FORMATS.join(', ')}, got '${format}'`, [
      { path: 'format', message: 'unknown format' },
    ]);
  }
  let isFile: boolean;
  try {
    isFile = (await stat(file)).isFile();
  } catch {
    throw new NotFoundError(`data file '${file}' does not exist`, [{ path: 'data', message: 'no such file' }]);
  }
  if (!isFile)
    throw new ValidationError(`data file '${file}' is not a file`, [{ path: 'data', message: 'not a file' }]);
  return readCsvFrame(file);
}

/** Commander parser for a finite number, optionally above (or at least) a minimum. */
export function numberOption(
  name: string,
  rule: { above?: number; atLeast?: number; below?: number } = {},
): (value: string) => number {
  return (value: string) => {
    const number = value.trim() === '' ? Number.NaN : Number(value);
    const ok =
      Number.isFinite(number) &&
      (rule.above === undefined || number > rule.above) &&
      (rule.atLeast === undefined || number >= rule.atLeast) &&
      (rule.below === undefined || number < rule.below);
    if (!ok) {
      const bounds: string[] = [];
      if (rule.above !== undefined) bounds.push(`above ${rule.above}`);
      if (rule.atLeast !== undefined) bounds.push(`≥ ${rule.atLeast}`);
      if (rule.below !== undefined) bounds.push(`below ${rule.below}`);
      const bound = bounds.length > 0 ? ` ${bounds.join(' and ')}` : '';
      throw new InvalidArgumentError(`${name} must be a number${bound}, got "${value}"`);
    }
    return number;
  };
}

/** Commander parser for a comma-separated list of names (`--drop UDI,"Product ID",TWF`); empty items dropped. */
export function listOption(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim().replace(/^"(.*)"$/, '$1'))
    .filter((item) => item.length > 0);
}

/** Commander parser for one of a fixed set of words. */
export function choiceOption<T extends string>(name: string, choices: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${name} must be one of ${choices.join(', ')}, got "${value}"`);
    }
    return value as T;
  };
}

/** A metric for a summary line: 3 significant decimals, "n/a" when undefined. */
export function formatMetric(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toFixed(digits);
}
