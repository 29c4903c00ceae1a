/**
 * Reading a batch-inference input file a chunk of rows at a time, so that a file of any size is scored in bounded
 * memory: CSV (header row, quoted fields may hold newlines) or NDJSON (one JSON object per line). Each chunk becomes
 * a frame with its column types inferred as for a whole file.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { describeValue, ValidationError } from '../core/errors.js';
import { detectDelimiter, readFirstLine, readHeader } from '../io/csv-frame.js';
import { type Frame, frameFromColumns, frameFromRows, type RawValue } from '../io/frame.js';

export const BATCH_FORMATS = ['csv', 'ndjson'] as const;
export type BatchFormat = (typeof BATCH_FORMATS)[number];

/** Rows per chunk unless told otherwise. */
export const DEFAULT_CHUNK_ROWS = 10_000;

export interface InputChunk {
  frame: Frame;
  /** 1-based number of the chunk's first data row in the file. */
  firstRow: number;
  /** Bytes of the file read so far (for progress). */
  bytesRead: number;
}

/** Checks a format name, naming the field it came from. */
export function batchFormat(value: unknown, field: string): BatchFormat {
  if (typeof value === 'string' && (BATCH_FORMATS as readonly string[]).includes(value)) return value as BatchFormat;
  throw new ValidationError(`'${field}' must be one of ${BATCH_FORMATS.join(', ')}, got ${describeValue(value)}`, [
    { path: field, message: `must be one of ${BATCH_FORMATS.join(', ')}` },
  ]);
}

async function* csvChunks(path: string, chunkRows: number): AsyncGenerator<InputChunk> {
  const delimiter = detectDelimiter(await readFirstLine(path, 'input'));
  const file = createReadStream(path);
  const parser = file.pipe(parse({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true }));
  let names: string[] | undefined;
  let columns: RawValue[][] = [];
  let rows = 0;
  let firstRow = 1;
  const flush = (): InputChunk => {
    const frame = frameFromColumns(names as string[], columns);
    const chunk = { frame, firstRow, bytesRead: file.bytesRead };
    firstRow += rows;
    rows = 0;
    columns = (names as string[]).map(() => []);
    return chunk;
  };
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!names) {
        names = readHeader(record, 'input CSV');
        columns = names.map(() => []);
        continue;
      }
      for (let j = 0; j < names.length; j++) (columns[j] as RawValue[]).push(record[j]);
      rows++;
      if (rows >= chunkRows) yield flush();
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('CSV_')) {
      throw new ValidationError(`input CSV: ${error.message}`, [{ path: 'input', message: 'malformed CSV' }]);
    }
    throw error;
  } finally {
    file.destroy();
  }
  if (!names)
    throw new ValidationError('input CSV is empty: expected a header row', [{ path: 'input', message: 'empty' }]);
  if (rows > 0) yield flush();
}

async function* ndjsonChunks(path: string, chunkRows: number): AsyncGenerator<InputChunk> {
  const file = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: file, crlfDelay: Number.POSITIVE_INFINITY });
  let rows: unknown[] = [];
  let firstRow = 1;
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new ValidationError(`input line ${lineNumber}: not JSON (${(error as Error).message})`, [
          { path: 'input', message: `line ${lineNumber} is not JSON` },
        ]);
      }
      rows.push(value);
      if (rows.length >= chunkRows) {
        yield { frame: frameFromRows(rows), firstRow, bytesRead: file.bytesRead };
        firstRow += rows.length;
        rows = [];
      }
    }
  } finally {
    lines.close();
    file.destroy();
  }
  if (rows.length > 0) yield { frame: frameFromRows(rows), firstRow, bytesRead: file.bytesRead };
}

/** The rows of `path` in chunks of at most `chunkRows`. Malformed input is a `ValidationError` naming the line. */
export function readInputChunks(
  path: string,
  format: BatchFormat,
  chunkRows = DEFAULT_CHUNK_ROWS,
): AsyncGenerator<InputChunk> {
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) {
    throw new ValidationError(`chunk rows must be a whole number ≥ 1, got ${describeValue(chunkRows)}`);
  }
  return format === 'csv' ? csvChunks(path, chunkRows) : ndjsonChunks(path, chunkRows);
}
