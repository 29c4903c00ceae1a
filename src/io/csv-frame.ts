import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { CsvError, type Options as CsvOptions, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { describeValue, ValidationError } from '../core/errors.js';
import { type Column, Frame, isMissingText, parseBooleanText, parseNumberText } from './frame.js';

export interface CsvFrameOptions {
  /** Field separator; detected from the header line (`,` `;` or tab) when omitted. */
  delimiter?: string;
  /** Name used in error messages; defaults to the file's base name or `CSV input`. */
  source?: string;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

const INITIAL_CAPACITY = 1024;

function grow<T extends Float64Array | Int32Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = new (array.constructor as { new (size: number): T })(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

/**
 * Accumulates one CSV column while inferring its type with the same rules as `inferColumn`: numbers while every
 * present value is numeric, 0/1 while every present value is a boolean word, otherwise text. A column that turns
 * out to be text after numbers or booleans were seen needs a second pass (`needsRescan`) so that its text is kept
 * exactly as written.
 */
class ColumnBuilder {
  mode: 'empty' | 'number' | 'boolean' | 'text' = 'empty';
  needsRescan = false;
  private length = 0;
  private numbers = new Float64Array(INITIAL_CAPACITY);
  private codes = new Int32Array(0);
  private readonly levels: string[] = [];
  private readonly codeOf = new Map<string, number>();

  constructor(readonly name: string) {}

  add(raw: string): void {
    const row = this.length++;
    if (this.needsRescan) return;
    if (this.mode === 'text') {
      this.addText(row, raw);
      return;
    }
    if (row >= this.numbers.length) this.numbers = grow(this.numbers, row + 1);
    if (this.mode !== 'boolean') {
      const value = parseNumberText(raw);
      if (value !== undefined) {
        this.mode = 'number';
        this.numbers[row] = value;
        return;
      }
    }
    if (isMissingText(raw)) {
      this.numbers[row] = Number.NaN;
      return;
    }
    if (this.mode !== 'number') {
      const flag = parseBooleanText(raw);
      if (flag !== undefined) {
        this.mode = 'boolean';
        this.numbers[row] = flag;
        return;
      }
    }
    if (this.mode === 'empty') {
      this.mode = 'text';
      this.codes = new Int32Array(Math.max(INITIAL_CAPACITY, row + 1)).fill(-1);
      this.addText(row, raw);
      return;
    }
    this.mode = 'text';
    this.needsRescan = true;
  }

  /** Restarts the column as text for the second pass. */
  restartAsText(): void {
    this.mode = 'text';
    this.needsRescan = false;
    this.length = 0;
    this.codes = new Int32Array(INITIAL_CAPACITY);
  }

  private addText(row: number, raw: string): void {
    this.codes = grow(this.codes, row + 1);
    if (isMissingText(raw)) {
      this.codes[row] = -1;
      return;
    }
    const text = raw.trim();
    let code = this.codeOf.get(text);
    if (code === undefined) {
      code = this.levels.length;
      this.codeOf.set(text, code);
      this.levels.push(text);
    }
    this.codes[row] = code;
  }

  build(): Column {
    const rows = this.length;
    if (this.mode !== 'text') {
      const values = new Float64Array(rows);
      values.set(this.numbers.subarray(0, rows));
      if (this.mode === 'empty') values.fill(Number.NaN);
      return { kind: 'numeric', name: this.name, values, boolean: this.mode === 'boolean' };
    }
    const order = this.levels.map((_, code) => code);
    order.sort((a, b) => {
      const left = this.levels[a] as string;
      const right = this.levels[b] as string;
      return left < right ? -1 : left > right ? 1 : 0;
    });
    const remap = new Int32Array(order.length);
    order.forEach((provisional, sorted) => {
      remap[provisional] = sorted;
    });
    const codes = new Int32Array(rows);
    for (let row = 0; row < rows; row++) {
      const code = this.codes[row];
      codes[row] = code < 0 ? -1 : remap[code];
    }
    return { kind: 'category', name: this.name, codes, levels: order.map((code) => this.levels[code] as string) };
  }
}

/** Picks `,` unless the header line has none and has `;` or tabs. */
export function detectDelimiter(firstLine: string): string {
  if (firstLine.includes(',')) return ',';
  const semicolons = firstLine.split(';').length - 1;
  const tabs = firstLine.split('\t').length - 1;
  if (tabs > 0 && tabs >= semicolons) return '\t';
  if (semicolons > 0) return ';';
  return ',';
}

function parserOptions(delimiter: string): CsvOptions {
  return { bom: true, delimiter, info: true, relax_column_count: true, skip_empty_lines: true };
}

/** Column names from the header; an empty name becomes `Unnamed: <index>` (as pandas names an index column). */
export function readHeader(fields: string[], source: string): string[] {
  const names = fields.map((field, index) => field.trim() || `Unnamed: ${index}`);
  const firstPosition = new Map<string, number>();
  names.forEach((name, index) => {
    const earlier = firstPosition.get(name);
    if (earlier !== undefined) {
      throw new ValidationError(
        `${source}: column '${name}' appears twice in the header (fields ${earlier + 1} and ${index + 1})`,
        [{ path: name, message: 'duplicate column' }],
      );
    }
    firstPosition.set(name, index);
  });
  return names;
}

function checkFieldCount(fields: string[], names: string[], line: number, source: string): void {
  if (fields.length === names.length) return;
  const detail =
    fields.length < names.length
      ? `no value for '${names[fields.length]}'`
      : `extra value ${describeValue(fields[names.length])} after '${names[names.length - 1]}'`;
  throw new ValidationError(
    `${source} line ${line}: ${fields.length} fields, the header has ${names.length} (${detail})`,
    [{ path: `line ${line}`, message: 'wrong number of fields' }],
  );
}

function wrapParseError(error: unknown, source: string): never {
  if (error instanceof CsvError) {
    throw new ValidationError(`${source}: ${error.message.replace(/\.$/, '')}`, [
      { path: source, message: error.code },
    ]);
  }
  throw error;
}

/**
 * Feeds the records after the header to the builders; returns false when there was no header. Records arrive one
 * at a time (csv-parse) or in batches (the unquoted fast path).
 */
async function consume(
  records: AsyncIterable<ParsedRecord | ParsedRecord[]> | Iterable<ParsedRecord | ParsedRecord[]>,
  source: string,
  onHeader: (names: string[]) => ColumnBuilder[],
  onlyColumns?: number[],
): Promise<boolean> {
  let builders: ColumnBuilder[] | undefined;
  let names: string[] = [];
  const take = ({ record, info }: ParsedRecord): void => {
    if (!builders) {
      names = readHeader(record, source);
      builders = onHeader(names);
      return;
    }
    checkFieldCount(record, names, info.lines, source);
    if (onlyColumns) {
      for (const index of onlyColumns) (builders[index] as ColumnBuilder).add(record[index] as string);
    } else {
      for (let index = 0; index < builders.length; index++) {
        (builders[index] as ColumnBuilder).add(record[index] as string);
      }
    }
  };
  try {
    for await (const item of records) {
      if (Array.isArray(item)) for (const record of item) take(record);
      else take(item);
    }
  } catch (error) {
    wrapParseError(error, source);
  }
  return builders !== undefined;
}

function finish(builders: ColumnBuilder[]): Frame {
  return new Frame(builders.map((builder) => builder.build()));
}

function rescanIndices(builders: ColumnBuilder[]): number[] {
  const indices: number[] = [];
  builders.forEach((builder, index) => {
    if (builder.needsRescan) {
      builder.restartAsText();
      indices.push(index);
    }
  });
  return indices;
}

/**
 * Parses CSV text with a header row into a frame (column types inferred as in `inferColumn`). Quoted fields may
 * hold delimiters, quotes (`""`) and newlines. Throws `ValidationError` naming the source, line and column for a
 * malformed file. O(rows × columns).
 */
export async function parseCsvFrame(text: string, options: CsvFrameOptions = {}): Promise<Frame> {
  const source = options.source ?? 'CSV input';
  const lineEnd = text.indexOf('\n');
  const delimiter = options.delimiter ?? detectDelimiter(lineEnd < 0 ? text : text.slice(0, lineEnd));
  const records = (): ParsedRecord[] => {
    try {
      return parseSync(text, parserOptions(delimiter)) as unknown as ParsedRecord[];
    } catch (error) {
      return wrapParseError(error, source);
    }
  };
  let builders: ColumnBuilder[] = [];
  const parsed = records();
  const hasHeader = await consume(parsed, source, (names) => {
    builders = names.map((name) => new ColumnBuilder(name));
    return builders;
  });
  if (!hasHeader) throw new ValidationError(`${source}: no header row`);
  const rescan = rescanIndices(builders);
  if (rescan.length > 0) await consume(parsed, source, () => builders, rescan);
  return finish(builders);
}

/** The first line of a file (at most 64 KiB), for its delimiter; a missing file is a `ValidationError` naming `source`. */
export async function readFirstLine(path: string, source: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(code);
    throw new ValidationError(`cannot read data file '${source}': ${reason}`, [{ path: source, message: reason }]);
  }
  try {
    const buffer = Buffer.alloc(65_536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    return end < 0 ? text : text.slice(0, end);
  } finally {
    await handle.close();
  }
}

/** True when the file has a `"` anywhere, i.e. may hold quoted fields. O(bytes). */
async function containsQuote(path: string): Promise<boolean> {
  for await (const chunk of createReadStream(path)) if ((chunk as Buffer).includes(0x22)) return true;
  return false;
}

/**
 * Records of a file without quotes: lines split on the delimiter, `\r\n` or `\n` endings, empty lines skipped,
 * a leading BOM removed. Several times faster than the general parser on large numeric files. O(bytes).
 */
async function* unquotedRecords(path: string, delimiter: string): AsyncGenerator<ParsedRecord[]> {
  let carry = '';
  let line = 0;
  let first = true;
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    let text = carry + (chunk as string);
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    const batch: ParsedRecord[] = [];
    let start = 0;
    let end = text.indexOf('\n', start);
    while (end >= 0) {
      line++;
      const content =
        text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end);
      if (content.length > 0) batch.push({ record: content.split(delimiter), info: { lines: line } });
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    carry = text.slice(start);
    if (batch.length > 0) yield batch;
  }
  const last = carry.endsWith('\r') ? carry.slice(0, -1) : carry;
  if (last.length > 0) yield [{ record: last.split(delimiter), info: { lines: line + 1 } }];
}

/**
 * Reads a CSV file with a header row into a frame, streaming it (a second pass only for a column whose text
 * begins with numbers). Throws `ValidationError` naming the file, line and column for a malformed file.
 * O(rows × columns).
 */
export async function readCsvFrame(path: string, options: CsvFrameOptions = {}): Promise<Frame> {
  const source = options.source ?? basename(path);
  const delimiter = options.delimiter ?? detectDelimiter(await readFirstLine(path, path));
  const quoted = await containsQuote(path);
  const stream = (): AsyncIterable<ParsedRecord | ParsedRecord[]> =>
    quoted
      ? (createReadStream(path).pipe(parse(parserOptions(delimiter))) as AsyncIterable<ParsedRecord>)
      : unquotedRecords(path, delimiter);
  let builders: ColumnBuilder[] = [];
  const hasHeader = await consume(stream(), source, (names) => {
    builders = names.map((name) => new ColumnBuilder(name));
    return builders;
  });
  if (!hasHeader) throw new ValidationError(`${source}: no header row`);
  const rescan = rescanIndices(builders);
  if (rescan.length > 0) await consume(stream(), source, () => builders, rescan);
  return finish(builders);
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function quoteField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV lines of the given rows (no header, each ending in a newline). */
function formatRows(frame: Frame, from: number, to: number): string {
  const columns = frame.columns;
  const cells = new Array<string>(columns.length);
  let text = '';
  for (let row = from; row < to; row++) {
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index] as Column;
      if (column.kind === 'numeric') {
        const value = column.values[row] as number;
        cells[index] = Number.isNaN(value) ? '' : String(value);
      } else {
        const code = column.codes[row] as number;
        cells[index] = code < 0 ? '' : quoteField(column.levels[code] as string);
      }
    }
    text += `${cells.join(',')}\n`;
  }
  return text;
}

function formatHeader(frame: Frame): string {
  return `${frame.names.map(quoteField).join(',')}\n`;
}

/**
 * Writes a frame as CSV text with a header row: numbers in their shortest round-trip form, missing values empty,
 * text quoted when it holds a comma, quote, newline or edge spaces. O(rows × columns).
 */
export function frameToCsv(frame: Frame): string {
  return formatHeader(frame) + formatRows(frame, 0, frame.rowCount);
}

const ROWS_PER_WRITE = 10_000;

/** Writes a frame to a CSV file (as `frameToCsv`), a block of rows at a time. O(rows × columns). */
export async function writeCsvFile(path: string, frame: Frame): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'w');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ValidationError(`cannot write CSV file '${path}': ${code === 'ENOENT' ? 'no such directory' : code}`);
  }
  try {
    await handle.write(formatHeader(frame));
    for (let from = 0; from < frame.rowCount; from += ROWS_PER_WRITE) {
      await handle.write(formatRows(frame, from, Math.min(frame.rowCount, from + ROWS_PER_WRITE)));
    }
  } finally {
    await handle.close();
  }
}
