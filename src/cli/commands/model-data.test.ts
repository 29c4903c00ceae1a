import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../core/errors.js';
import { choiceOption, formatMetric, listOption, numberOption, readDataFrame } from './model-data.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'upkeep-model-data-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('option parsers', () => {
  it('splits a drop list on commas, trimming spaces and quotes', () => {
    expect(listOption('UDI,"Product ID", TWF,,RNF')).toEqual(['UDI', 'Product ID', 'TWF', 'RNF']);
    expect(listOption('')).toEqual([]);
  });

  it('parses numbers within bounds and names the option otherwise', () => {
    expect(numberOption('--C', { above: 0 })('0.5')).toBe(0.5);
    expect(numberOption('--bias')('-13')).toBe(-13);
    expect(numberOption('--holdout', { above: 0, below: 1 })('0.25')).toBe(0.25);
    expect(() => numberOption('--C', { above: 0 })('0')).toThrow(InvalidArgumentError);
    expect(() => numberOption('--C', { above: 0 })('0')).toThrow('--C must be a number above 0, got "0"');
    expect(() => numberOption('--holdout', { above: 0, below: 1 })('1')).toThrow(
      '--holdout must be a number above 0 and below 1, got "1"',
    );
    expect(() => numberOption('--ridge', { atLeast: 0 })('lots')).toThrow('--ridge must be a number ≥ 0, got "lots"');
    expect(() => numberOption('--bias')('')).toThrow('--bias must be a number, got ""');
  });

  it('accepts one of a set of words', () => {
    expect(choiceOption('--task', ['classification', 'regression'])('regression')).toBe('regression');
    expect(() => choiceOption('--task', ['classification', 'regression'])('rul')).toThrow(
      '--task must be one of classification, regression, got "rul"',
    );
  });

  it('formats metrics with a fixed number of decimals, n/a when undefined', () => {
    expect(formatMetric(0.12345)).toBe('0.123');
    expect(formatMetric(0.12345, 4)).toBe('0.1235');
    expect(formatMetric(null)).toBe('n/a');
    expect(formatMetric(Number.NaN)).toBe('n/a');
  });
});

describe('readDataFrame', () => {
  it('reads a CSV file', async () => {
    const path = join(directory, 'rows.csv');
    await writeFile(path, 'machine_id,temperature\nm1,70.5\nm2,71\n');
    const frame = await readDataFrame(path);
    expect(frame.names).toEqual(['machine_id', 'temperature']);
    expect(Array.from(frame.numeric('temperature'))).toEqual([70.5, 71]);
  });

  it('names a missing file, a directory and an unknown format', async () => {
    await expect(readDataFrame(join(directory, 'none.csv'))).rejects.toThrow(NotFoundError);
    await expect(readDataFrame(join(directory, 'none.csv'))).rejects.toThrow(/data file '.*none\.csv' does not exist/);
    await expect(readDataFrame(directory)).rejects.toThrow(/is not a file/);
    await expect(readDataFrame(join(directory, 'rows.csv'), 'parquet')).rejects.toThrow(
      "--format must be one of csv, got 'parquet'",
    );
  });
});
