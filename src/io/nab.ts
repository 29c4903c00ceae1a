import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describeValue, NotFoundError, ValidationError } from '../core/errors.js';
import { parseTimestamp } from '../core/time.js';

/**
 * Readers for the Numenta Anomaly Benchmark (Lavin & Ahmad 2015, https://github.com/numenta/NAB): a data file is a
 * `timestamp,value` CSV; `combined_windows.json` maps each file's path relative to the data folder to its anomaly
 * windows `[[start, end], …]` (timestamps like `2014-04-10 07:15:00.000000`, read as UTC).
 */

/**
 * One NAB series in file order (NAB scores rows in file order; its real files are not always strictly ascending, e.g.
 * an hour repeated at a clock change): epoch-ms timestamps and values, with the timestamp text for writing back.
 */
export interface NabSeries {
  timestamps: Float64Array;
  values: Float64Array;
  timestampText: string[];
}

/** An anomaly window as inclusive epoch-ms bounds. */
export interface NabWindow {
  start: number;
  end: number;
}

/** File path relative to the data folder (always with `/`) → its windows, in time order. */
export type NabWindows = Record<string, NabWindow[]>;

/** Parses a `timestamp,value` CSV (header required; extra columns ignored). `source` names the input in errors. */
export function parseNabCsv(text: string, source = 'data'): NabSeries {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (error) {
    throw new ValidationError(`${source}: not a readable CSV: ${(error as Error).message}`);
  }
  if (rows.length === 0) throw new ValidationError(`${source}: empty file, expected a 'timestamp,value' header`);
  const header = rows[0].map((name) => name.toLowerCase());
  const timeColumn = header.indexOf('timestamp');
  const valueColumn = header.indexOf('value');
  if (timeColumn < 0 || valueColumn < 0) {
    throw new ValidationError(
      `${source}: header must contain 'timestamp' and 'value' columns, got ${describeValue(rows[0].join(','))}`,
    );
  }
  const count = rows.length - 1;
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  const timestampText: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const row = rows[i + 1];
    const line = i + 2;
    const rawTime = row[timeColumn];
    const ts = parseTimestamp(rawTime);
    if (ts === undefined) {
      throw new ValidationError(
        `${source} line ${line}: 'timestamp' must be an ISO-8601 time, got ${describeValue(rawTime)}`,
      );
    }
    const rawValue = row[valueColumn];
    const value = rawValue === undefined || rawValue === '' ? Number.NaN : Number(rawValue);
    if (!Number.isFinite(value)) {
      throw new ValidationError(
        `${source} line ${line}: 'value' must be a finite number, got ${describeValue(rawValue)}`,
      );
    }
    timestamps[i] = ts;
    values[i] = value;
    timestampText[i] = rawTime;
  }
  return { timestamps, values, timestampText };
}

/** Reads and parses one NAB data file. */
export async function readNabCsv(path: string): Promise<NabSeries> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new NotFoundError(`data file not found: ${describeValue(path)}`);
  }
  return parseNabCsv(text, path);
}

/** Validates a parsed `combined_windows.json`. */
export function parseNabWindows(json: unknown, source = 'labels'): NabWindows {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ValidationError(`${source}: expected an object mapping file paths to window lists`);
  }
  const windows: NabWindows = {};
  for (const [file, list] of Object.entries(json)) {
    if (!Array.isArray(list)) {
      throw new ValidationError(
        `${source}: '${file}' must be a list of [start, end] pairs, got ${describeValue(list)}`,
      );
    }
    windows[file] = list.map((pair: unknown, index) => {
      const where = `${source}: '${file}' window ${index}`;
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new ValidationError(`${where} must be a [start, end] pair, got ${describeValue(pair)}`);
      }
      const start = parseTimestamp(pair[0]);
      const end = parseTimestamp(pair[1]);
      if (start === undefined)
        throw new ValidationError(`${where}: start is not a timestamp, got ${describeValue(pair[0])}`);
      if (end === undefined)
        throw new ValidationError(`${where}: end is not a timestamp, got ${describeValue(pair[1])}`);
      if (end < start)
        throw new ValidationError(`${where}: end ${describeValue(pair[1])} is before start ${describeValue(pair[0])}`);
      return { start, end };
    });
    windows[file].sort((a, b) => a.start - b.start);
  }
  return windows;
}

/** Reads and validates a `combined_windows.json` file. */
export async function readNabWindows(path: string): Promise<NabWindows> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new NotFoundError(`labels file not found: ${describeValue(path)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  return parseNabWindows(json, path);
}

/** Every `.csv` under `dataDir`, as paths relative to it with `/` separators, sorted. */
export async function listNabDataFiles(dataDir: string): Promise<string[]> {
  if (!existsSync(dataDir)) throw new NotFoundError(`data folder not found: ${describeValue(dataDir)}`);
  const entries = await readdir(dataDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.csv'))
    .map((entry) => relative(dataDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/**
 * Where the file a label key names lives: `dataDir/key`, or `dataDir/data/key` when `dataDir` is the NAB root
 * (which holds `data/` and `labels/`). Undefined when neither exists.
 */
export function resolveNabDataFile(dataDir: string, key: string): string | undefined {
  for (const candidate of [join(dataDir, key), join(dataDir, 'data', key)]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
