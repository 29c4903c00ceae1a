import { readFile } from 'node:fs/promises';
import { describeValue, ValidationError } from '../core/errors.js';

/**
 * Reader for NASA's C-MAPSS turbofan run-to-failure data (Saxena et al. 2008,
 * https://data.nasa.gov/dataset/cmapss-jet-engine-simulated-data): whitespace-separated lines of 26 numbers — unit,
 * cycle, three operational settings and 21 sensors. In a training file every unit runs until it fails at its last
 * cycle; a test file stops some time before failure and comes with a RUL file whose line i is the true remaining
 * useful life at the last cycle of the i-th unit.
 */

/** The 24 value columns of a C-MAPSS row after `unit` and `cycle`, in file order. */
export const CMAPSS_COLUMNS: readonly string[] = Object.freeze([
  'setting1',
  'setting2',
  'setting3',
  ...Array.from({ length: 21 }, (_, index) => `s${index + 1}`),
]);

const FIELDS_PER_LINE = 2 + CMAPSS_COLUMNS.length;

/** One engine's history, cycles ascending. */
export interface CmapssUnit {
  unit: number;
  cycles: Float64Array;
  /** Row-major `cycles.length × CMAPSS_COLUMNS.length` matrix of settings and sensors. */
  values: Float64Array;
  /** True RUL at the last cycle: 0 for a training unit (it fails there), the RUL file's value for a test unit. */
  rulAtEnd: number;
}

export interface CmapssData {
  columns: readonly string[];
  /** Units in file order. */
  units: CmapssUnit[];
  rowCount: number;
}

/**
 * Parses a C-MAPSS data file. Rows of a unit must be contiguous with strictly increasing cycles; `source` names the
 * input in errors. Every unit gets `rulAtEnd = 0` (training semantics) until paired with a RUL file.
 * O(rows × 26).
 */
export function parseCmapss(text: string, source = 'data'): CmapssData {
  const units: CmapssUnit[] = [];
  const seen = new Set<number>();
  let currentUnit = Number.NaN;
  let cycles: number[] = [];
  let values: number[] = [];
  let rowCount = 0;
  const flush = () => {
    if (cycles.length === 0) return;
    units.push({
      unit: currentUnit,
      cycles: Float64Array.from(cycles),
      values: Float64Array.from(values),
      rulAtEnd: 0,
    });
    cycles = [];
    values = [];
  };
  const lines = text.split('\n');
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex].trim();
    if (line === '') continue;
    const lineNumber = lineIndex + 1;
    const fields = line.split(/\s+/);
    if (fields.length !== FIELDS_PER_LINE) {
      throw new ValidationError(
        `${source} line ${lineNumber}: expected ${FIELDS_PER_LINE} space-separated numbers, got ${fields.length}`,
      );
    }
    const numbers = new Array<number>(FIELDS_PER_LINE);
    for (let field = 0; field < FIELDS_PER_LINE; field++) {
      const value = Number(fields[field]);
      if (!Number.isFinite(value)) {
        const name = field === 0 ? 'unit' : field === 1 ? 'cycle' : CMAPSS_COLUMNS[field - 2];
        throw new ValidationError(
          `${source} line ${lineNumber}: '${name}' must be a finite number, got ${describeValue(fields[field])}`,
        );
      }
      numbers[field] = value;
    }
    const [unit, cycle] = numbers;
    if (!Number.isInteger(unit) || unit < 1) {
      throw new ValidationError(`${source} line ${lineNumber}: 'unit' must be a positive integer, got ${fields[0]}`);
    }
    if (unit !== currentUnit) {
      if (seen.has(unit)) {
        throw new ValidationError(`${source} line ${lineNumber}: rows of unit ${unit} must be contiguous`);
      }
      flush();
      seen.add(unit);
      currentUnit = unit;
    } else if (cycle <= cycles[cycles.length - 1]) {
      throw new ValidationError(
        `${source} line ${lineNumber}: 'cycle' of unit ${unit} must increase, got ${fields[1]} after ${cycles[cycles.length - 1]}`,
      );
    }
    cycles.push(cycle);
    for (let field = 2; field < FIELDS_PER_LINE; field++) values.push(numbers[field]);
    rowCount++;
  }
  flush();
  if (units.length === 0) throw new ValidationError(`${source}: no rows, expected ${FIELDS_PER_LINE} numbers a line`);
  return { columns: CMAPSS_COLUMNS, units, rowCount };
}

/** Parses a RUL file: one non-negative number a line (blank lines ignored). O(lines). */
export function parseCmapssRul(text: string, source = 'rul'): Float64Array {
  const result: number[] = [];
  const lines = text.split('\n');
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex].trim();
    if (line === '') continue;
    const value = Number(line);
    if (!Number.isFinite(value) || value < 0) {
      throw new ValidationError(
        `${source} line ${lineIndex + 1}: RUL must be a non-negative number, got ${describeValue(line)}`,
      );
    }
    result.push(value);
  }
  return Float64Array.from(result);
}

/**
 * Pairs a test file with its RUL values: line i goes to the i-th unit in file order (C-MAPSS numbers test units 1..N
 * in order). Returns a new data object; the counts must match.
 */
export function withRul(data: CmapssData, rul: Float64Array, source = 'rul'): CmapssData {
  if (rul.length !== data.units.length) {
    throw new ValidationError(`${source}: has ${rul.length} RUL values but the data has ${data.units.length} units`);
  }
  return { ...data, units: data.units.map((unit, index) => ({ ...unit, rulAtEnd: rul[index] })) };
}

/** Reads a C-MAPSS file from disk, and when `rulPath` is given pairs its units with that RUL file. */
export async function readCmapss(path: string, rulPath?: string): Promise<CmapssData> {
  const data = parseCmapss(await readFile(path, 'utf8'), path);
  if (rulPath === undefined) return data;
  return withRul(data, parseCmapssRul(await readFile(rulPath, 'utf8'), rulPath), rulPath);
}
