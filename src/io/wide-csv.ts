import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { type Info, parse } from 'csv-parse';
import { describeValue, ValidationError } from '../core/errors.js';
import { ASSET_ID_FIELDS, type Reading, TIME_FIELDS } from '../core/reading.js';
import { parseTimestamp } from '../core/time.js';

/** An asset's descriptive text columns (model, site, …), as read from the file. */
export interface AssetAttributes {
  id: string;
  attributes: Record<string, string>;
}

export interface WideCsvOptions {
  /** Column naming the asset; found among the contract's id fields (asset, sensor_id, …) when not given. */
  idColumn?: string;
  /** Column carrying the time; found among the contract's time fields (ts, timestamp, …) when not given. */
  timeColumn?: string;
  /** Rows per batch. */
  batchSize?: number;
  /** Time given to every row when the file has no time column (epoch ms). */
  receivedAt: number;
  /** Name used in error messages (the file name). */
  source?: string;
}

/** How the file's columns were understood, fixed after the first batch. */
export interface WideCsvLayout {
  idColumn: string;
  timeColumn: string | undefined;
  metricColumns: string[];
  attributeColumns: string[];
}

export interface WideCsvBatch {
  readings: Reading[];
  /** Assets first seen in this batch, or whose attributes changed since the previous batch. */
  assets: AssetAttributes[];
  /** Data rows read so far (header excluded), this batch included. */
  rowsRead: number;
  /** Bytes of the file parsed so far. */
  bytesRead: number;
  layout: WideCsvLayout;
}

export const DEFAULT_BATCH_SIZE = 5000;

/** Text that means "no value" in a data file (same tokens as `frame.ts`). */
const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '-']);
const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

type CellKind = 'missing' | 'number' | 'text';

function isMissing(cell: string): boolean {
  return MISSING_TOKENS.has(cell.trim().toLowerCase());
}

/** A metric cell as a number: decimals, exponents, and `true`/`false` (any case) as 1/0; `undefined` otherwise. */
function parseMetric(cell: string): number | undefined {
  const trimmed = cell.trim();
  if (NUMBER_PATTERN.test(trimmed)) {
    const value = Number(trimmed);
    return Number.isFinite(value) ? value : undefined;
  }
  const lower = trimmed.toLowerCase();
  if (lower === 'true') return 1;
  if (lower === 'false') return 0;
  return undefined;
}

function classify(cell: string): CellKind {
  if (isMissing(cell)) return 'missing';
  return parseMetric(cell) === undefined ? 'text' : 'number';
}

/** Epoch ms from a time cell: ISO-8601 text or epoch milliseconds written as digits. */
function parseTimeCell(cell: string): number | undefined {
  const trimmed = cell.trim();
  return NUMBER_PATTERN.test(trimmed) ? parseTimestamp(Number(trimmed)) : parseTimestamp(trimmed);
}

function findColumn(header: readonly string[], candidates: readonly string[]): string | undefined {
  for (const candidate of candidates) {
    const exact = header.find((name) => name === candidate);
    if (exact !== undefined) return exact;
  }
  for (const candidate of candidates) {
    const loose = header.find((name) => name.trim().toLowerCase() === candidate);
    if (loose !== undefined) return loose;
  }
  return undefined;
}

function requireColumn(header: readonly string[], name: string, option: string, source: string): string {
  if (header.includes(name)) return name;
  throw new ValidationError(
    `${source}: ${option} column ${describeValue(name)} is not in the header (columns: ${header.join(', ')})`,
    [{ path: option, message: `unknown column ${describeValue(name)}` }],
  );
}

interface RawRow {
  cells: string[];
  /** 1-based data row number (the header is not counted). */
  row: number;
  /** Line of the file where the row ends. */
  line: number;
}

/**
 * Streams a wide CSV file — one row per asset and instant, one column per metric — as batches of readings.
 *
 * Columns: the asset id and the time (found by the contract's field names unless given); numeric columns are
 * metrics (`true`/`false` read as 1/0, empty or `NA` cells are missing values of that row); other text columns
 * are asset attributes. Columns are classified on the first batch: a column is a metric when most of its
 * non-empty cells there are numbers, so a stray word in a numeric column is reported as an error naming its
 * row, not silently turned into an attribute. A column empty in the whole first batch is decided by its first
 * non-empty cell. Errors throw `ValidationError` naming the row, line and column; batches yielded before the
 * error stay valid. Memory is O(batch size + distinct assets).
 */
export async function* readWideCsv(input: Readable, options: WideCsvOptions): AsyncGenerator<WideCsvBatch> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValidationError(`batch size must be a positive integer, got ${describeValue(batchSize)}`, [
      { path: 'batchSize', message: 'must be a positive integer' },
    ]);
  }
  const source = options.source ?? 'input';
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: false, skip_empty_lines: true, info: true, cast: false }),
  );
  input.on('error', (error) => parser.destroy(error));

  let header: string[] | undefined;
  let layout: WideCsvLayout | undefined;
  let idIndex = -1;
  let timeIndex = -1;
  /** Per column: 'metric', 'attribute', or undecided (empty in every row seen so far). */
  let roles: Array<'metric' | 'attribute' | 'id' | 'time' | undefined> = [];
  const knownAttributes = new Map<string, string>();
  let pending: RawRow[] = [];
  let rowsRead = 0;
  let bytesRead = 0;

  const fail = (raw: RawRow, column: string, message: string): never => {
    throw new ValidationError(`${source} row ${raw.row} (line ${raw.line}): column '${column}' ${message}`, [
      { path: `row ${raw.row}.${column}`, message },
    ]);
  };

  const decideLayout = (sample: readonly RawRow[]): WideCsvLayout => {
    const columns = header as string[];
    roles = columns.map((_, index) => {
      if (index === idIndex) return 'id';
      if (index === timeIndex) return 'time';
      let numbers = 0;
      let texts = 0;
      for (const raw of sample) {
        const kind = classify(raw.cells[index] ?? '');
        if (kind === 'number') numbers++;
        else if (kind === 'text') texts++;
      }
      if (numbers === 0 && texts === 0) return undefined;
      return numbers > texts ? 'metric' : 'attribute';
    });
    layout = {
      idColumn: columns[idIndex] as string,
      timeColumn: timeIndex >= 0 ? columns[timeIndex] : undefined,
      metricColumns: [],
      attributeColumns: [],
    };
    refreshLayoutLists();
    return layout;
  };

  const refreshLayoutLists = (): void => {
    const columns = header as string[];
    const current = layout as WideCsvLayout;
    current.metricColumns = columns.filter((_, index) => roles[index] === 'metric');
    current.attributeColumns = columns.filter((_, index) => roles[index] === 'attribute');
  };

  const toBatch = (rows: readonly RawRow[]): WideCsvBatch => {
    const columns = header as string[];
    const readings: Reading[] = [];
    const changed = new Map<string, AssetAttributes>();
    let rolesChanged = false;
    for (const raw of rows) {
      const asset = (raw.cells[idIndex] ?? '').trim();
      if (asset === '') fail(raw, columns[idIndex] as string, 'is empty: every row needs an asset id');
      let ts = options.receivedAt;
      if (timeIndex >= 0) {
        const cell = raw.cells[timeIndex] ?? '';
        const parsed = parseTimeCell(cell);
        if (parsed === undefined) {
          fail(
            raw,
            columns[timeIndex] as string,
            `must be an ISO-8601 time or epoch milliseconds, got ${describeValue(cell)}`,
          );
        }
        ts = parsed as number;
      }
      const metrics: Record<string, number> = {};
      let metricCount = 0;
      let attributes: Record<string, string> | undefined;
      for (let index = 0; index < columns.length; index++) {
        const cell = raw.cells[index] ?? '';
        let role = roles[index];
        if (role === 'id' || role === 'time' || isMissing(cell)) continue;
        if (role === undefined) {
          role = parseMetric(cell) === undefined ? 'attribute' : 'metric';
          roles[index] = role;
          rolesChanged = true;
        }
        const column = columns[index] as string;
        if (role === 'metric') {
          const value = parseMetric(cell);
          if (value === undefined) fail(raw, column, `must be a number (or true/false), got ${describeValue(cell)}`);
          metrics[column] = value as number;
          metricCount++;
        } else {
          attributes ??= {};
          attributes[column] = cell.trim();
        }
      }
      if (metricCount > 0) readings.push({ asset, ts, metrics });
      const signature = attributes ? JSON.stringify(attributes) : '{}';
      if (knownAttributes.get(asset) !== signature) {
        knownAttributes.set(asset, signature);
        changed.set(asset, { id: asset, attributes: attributes ?? {} });
      }
    }
    if (rolesChanged) refreshLayoutLists();
    return {
      readings,
      assets: [...changed.values()],
      rowsRead,
      bytesRead,
      layout: { ...(layout as WideCsvLayout) },
    };
  };

  const flush = (): WideCsvBatch => {
    if (!layout) {
      const decided = decideLayout(pending);
      const undecided = roles.some((role) => role === undefined);
      if (decided.metricColumns.length === 0 && !undecided && pending.length > 0) {
        const columns = header as string[];
        throw new ValidationError(
          `${source}: no metric columns: every column other than '${columns[idIndex]}'${
            timeIndex >= 0 ? ` and '${columns[timeIndex]}'` : ''
          } holds text (columns: ${columns.join(', ')})`,
          [{ path: 'columns', message: 'no numeric column' }],
        );
      }
    }
    const batch = toBatch(pending);
    pending = [];
    return batch;
  };

  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const { record, info } = item;
      bytesRead = info.bytes;
      if (!header) {
        header = record.map((name) => name.trim());
        const seen = new Set<string>();
        for (const name of header) {
          if (name === '') throw new ValidationError(`${source}: the header has an empty column name`, []);
          if (seen.has(name)) {
            throw new ValidationError(`${source}: column ${describeValue(name)} appears twice in the header`, [
              { path: name, message: 'duplicate column' },
            ]);
          }
          seen.add(name);
        }
        const idColumn = options.idColumn
          ? requireColumn(header, options.idColumn, 'id', source)
          : findColumn(header, ASSET_ID_FIELDS);
        if (idColumn === undefined) {
          throw new ValidationError(
            `${source}: no asset id column (looked for ${ASSET_ID_FIELDS.join(', ')}): name it with --id (columns: ${header.join(', ')})`,
            [{ path: 'id', message: 'no id column' }],
          );
        }
        const timeColumn = options.timeColumn
          ? requireColumn(header, options.timeColumn, 'time', source)
          : findColumn(header, TIME_FIELDS);
        idIndex = header.indexOf(idColumn);
        timeIndex = timeColumn === undefined ? -1 : header.indexOf(timeColumn);
        continue;
      }
      rowsRead++;
      pending.push({ cells: record, row: rowsRead, line: info.lines });
      if (pending.length >= batchSize) yield flush();
    }
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      throw new ValidationError(`${source}: ${(error as Error).message}`, [{ path: 'csv', message: code }]);
    }
    throw error;
  }
  if (!header) {
    throw new ValidationError(`${source}: the file is empty (no header row)`, [{ path: 'header', message: 'missing' }]);
  }
  if (pending.length > 0 || !layout) yield flush();
  if (rowsRead > 0 && (layout as WideCsvLayout).metricColumns.length === 0) {
    throw new ValidationError(`${source}: no metric columns: no column holds numbers (columns: ${header.join(', ')})`, [
      { path: 'columns', message: 'no numeric column' },
    ]);
  }
}

export interface WideCsvFile {
  /** Size in bytes, for progress and ETA. */
  size: number;
  batches: AsyncGenerator<WideCsvBatch>;
}

/** Opens a wide CSV file for `readWideCsv`; a missing or unreadable file is a `ValidationError` naming the path. */
export async function openWideCsv(path: string, options: Omit<WideCsvOptions, 'source'>): Promise<WideCsvFile> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ValidationError(`${path} is not a file`, [{ path: 'file', message: 'not a file' }]);
    size = info.size;
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new ValidationError(`cannot read ${path}: ${reason}`, [{ path: 'file', message: reason }]);
  }
  const stream = createReadStream(path);
  return { size, batches: readWideCsv(stream, { ...options, source: path }) };
}
