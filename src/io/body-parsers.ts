import { parse as parseCsv } from 'csv-parse/sync';
import { describeValue, ValidationError } from '../core/errors.js';
import { ASSET_ID_FIELDS, TIME_FIELDS } from '../core/reading.js';

/** How a request body carries its readings; `sniff` when a generic Content-Type leaves it to the content. */
export type ReadingsBodyFormat = 'json' | 'ndjson' | 'csv' | 'sniff';

/** A reading as written by the client, before `normaliseReadings` validates it. */
export type RawReading = unknown;

export const MALFORMED_JSON = 'Malformed JSON in request body';

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
]);
const CSV_TYPES = new Set(['text/csv', 'application/csv']);
/** What curl, fetch and friends send when the client names no type. */
const GENERIC_TYPES = new Set(['', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']);

/**
 * The format named by a Content-Type header: JSON for `application/json` or `…+json`; NDJSON for
 * `application/x-ndjson` (and its aliases); CSV for `text/csv`; `sniff` when the header is missing or generic
 * (`text/plain`, curl's default form type, `application/octet-stream`). Anything else is a ValidationError.
 */
export function bodyFormat(contentType: string | undefined): ReadingsBodyFormat {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (GENERIC_TYPES.has(mediaType)) return 'sniff';
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return 'json';
  if (NDJSON_TYPES.has(mediaType)) return 'ndjson';
  if (CSV_TYPES.has(mediaType)) return 'csv';
  throw new ValidationError(
    `unsupported Content-Type ${describeValue(contentType)}: send application/json, application/x-ndjson or text/csv`,
    [{ path: 'content-type', message: 'must be application/json, application/x-ndjson or text/csv' }],
  );
}

function malformed(path: string, cause: unknown): ValidationError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ValidationError(MALFORMED_JSON, [{ path, message: `${path}: ${reason}` }]);
}

/**
 * A JSON body: an array of readings, `{"readings": [...]}`, or a single reading object (a batch of one).
 * Whatever else `readings` holds is passed on for `normaliseReadings` to refuse with a clear message.
 */
export function parseJsonReadings(text: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw malformed('body', error);
  }
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) {
    if ('readings' in body) return (body as { readings: unknown }).readings;
    return [body];
  }
  return body;
}

/** An NDJSON body: one JSON reading per line; blank lines are skipped. O(body length). */
export function parseNdjsonReadings(text: string): RawReading[] {
  const readings: RawReading[] = [];
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNumber++;
    const line = text.slice(start, end).trim();
    if (line.length > 0) {
      try {
        readings.push(JSON.parse(line));
      } catch (error) {
        throw malformed(`line ${lineNumber}`, error);
      }
    }
    start = end + 1;
  }
  return readings;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const idFields = new Set<string>(ASSET_ID_FIELDS);
const timeFields = new Set<string>(TIME_FIELDS);

/** A CSV cell as a flat-form field: ids stay text; times become epoch ms when numeric; metrics become numbers. */
function csvCell(column: string, cell: string): string | number | undefined {
  if (idFields.has(column)) return cell;
  if (timeFields.has(column)) return DECIMAL.test(cell) ? Number(cell) : cell;
  if (DECIMAL.test(cell)) return Number(cell);
  const lower = cell.toLowerCase();
  if (lower === 'true') return 1;
  if (lower === 'false') return 0;
  // Left as text so that validation names the column and the value.
  return cell;
}

/**
 * A CSV body with a header row: each row becomes a flat-form reading (id and time columns as in the reading
 * contract, every other column a metric). Empty cells are missing values and are left out of the row.
 */
export function parseCsvReadings(text: string): RawReading[] {
  let records: string[][];
  try {
    records = parseCsv(text, { bom: true, skip_empty_lines: true, trim: true, relax_quotes: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const line = (error as { lines?: unknown }).lines;
    const path = typeof line === 'number' ? `line ${line}` : 'body';
    throw new ValidationError(`malformed CSV in request body: ${reason}`, [{ path, message: reason }]);
  }
  const [header, ...rows] = records;
  if (!header) return [];
  const seen = new Set<string>();
  header.forEach((column, index) => {
    if (column.length === 0 || seen.has(column)) {
      throw new ValidationError(
        `CSV header: column ${index + 1} has an empty or repeated name ${describeValue(column)}`,
        [{ path: `header[${index}]`, message: 'column names must be non-empty and distinct' }],
      );
    }
    seen.add(column);
  });
  return rows.map((cells) => {
    const reading: Record<string, string | number> = {};
    for (let index = 0; index < header.length; index++) {
      const cell = cells[index] ?? '';
      if (cell.length === 0) continue;
      const column = header[index] as string;
      const value = csvCell(column, cell);
      if (value !== undefined) reading[column] = value;
    }
    return reading;
  });
}

/** Decodes a request body (UTF-8) and parses it in the format its Content-Type names. */
export function parseReadingsBody(contentType: string | undefined, body: Uint8Array | string): unknown {
  const format = bodyFormat(contentType);
  const text =
    typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (format === 'ndjson') return parseNdjsonReadings(text);
  if (format === 'csv') return parseCsvReadings(text);
  if (format === 'sniff') return parseSniffed(text);
  return parseJsonReadings(text);
}

/**
 * A body of unnamed type: JSON when it starts with `[` or `{` (NDJSON when it is several JSON lines rather than one
 * document), CSV when it starts with anything else. Empty is an empty batch.
 */
function parseSniffed(text: string): unknown {
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return [];
  if (first === '[') return parseJsonReadings(text);
  if (first === '{') {
    try {
      return parseJsonReadings(text);
    } catch (error) {
      if (/\}\s*\r?\n\s*\{/.test(text)) return parseNdjsonReadings(text);
      throw error;
    }
  }
  return parseCsvReadings(text);
}
