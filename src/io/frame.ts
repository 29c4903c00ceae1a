import { describeValue, UnprocessableError, ValidationError } from '../core/errors.js';

/** A column of numbers; `NaN` marks a missing value. Booleans parsed from text are numeric 0/1 with `boolean` set. */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
  /** True when the column was read from `true/false` or `yes/no` values. */
  readonly boolean: boolean;
}

/** A column of text values stored as codes into `levels`; code -1 marks a missing value. */
export interface CategoryColumn {
  readonly kind: 'category';
  readonly name: string;
  readonly codes: Int32Array;
  /** Distinct values, sorted by code unit so that the same values always get the same codes. */
  readonly levels: readonly string[];
}

export type Column = NumericColumn | CategoryColumn;

/** A raw cell as it arrives from a CSV file (string) or a JSON body (string, number, boolean, null). */
export type RawValue = string | number | boolean | null | undefined;

/** Text that means "no value" in a data file. */
const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none']);
const TRUE_TOKENS = new Set(['true', 'yes']);
const FALSE_TOKENS = new Set(['false', 'no']);

/** True for text that means "no value": empty, `NA`, `N/A`, `NaN`, `null`, `None` (any case, trimmed). */
export function isMissingText(text: string): boolean {
  return MISSING_TOKENS.has(text.trim().toLowerCase());
}

/**
 * Parses a decimal number written in plain or exponent notation (`42`, `-0.5`, `.5`, `1e-3`; surrounding spaces
 * allowed); `undefined` for anything else, including hex, `Infinity` and `NaN`. Only the characters `0-9 . + - e E`
 * reach `Number`, which accepts exactly the decimal literals among such strings. O(length).
 */
export function parseNumberText(text: string): number | undefined {
  const length = text.length;
  if (length === 0) return undefined;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const allowed =
      (code >= 48 && code <= 57) || code === 46 || code === 45 || code === 43 || code === 101 || code === 69;
    if (!allowed) {
      const trimmed = text.trim();
      return trimmed.length > 0 && trimmed.length < length ? parseNumberText(trimmed) : undefined;
    }
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** 1 for `true`/`yes`, 0 for `false`/`no` (any case, trimmed); `undefined` for anything else. */
export function parseBooleanText(text: string): number | undefined {
  const token = text.trim().toLowerCase();
  if (TRUE_TOKENS.has(token)) return 1;
  if (FALSE_TOKENS.has(token)) return 0;
  return undefined;
}

function booleanOf(value: RawValue): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return typeof value === 'string' ? parseBooleanText(value) : undefined;
}

function isMissingValue(value: RawValue): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'number') return Number.isNaN(value);
  if (typeof value === 'string') return isMissingText(value);
  return false;
}

function textOf(value: RawValue): string {
  if (typeof value === 'string') return value.trim();
  return String(value);
}

/**
 * Builds a column from raw values, inferring its type: numeric when every present value is a number (or numeric
 * text); boolean (numeric 0/1) when every present value is `true/false` or `yes/no` in any case; otherwise a
 * category column of the trimmed text. Missing values (empty, `NA`, `NaN`, `null`, …) do not vote. O(n log L).
 */
export function inferColumn(name: string, values: readonly RawValue[]): Column {
  const count = values.length;
  let numeric = true;
  let boolean = true;
  let present = 0;
  for (let row = 0; row < count && (numeric || boolean); row++) {
    const value = values[row];
    if (isMissingValue(value)) continue;
    present++;
    if (numeric) {
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) numeric = false;
      } else if (typeof value !== 'string' || parseNumberText(value) === undefined) numeric = false;
    }
    if (boolean && booleanOf(value) === undefined) boolean = false;
  }
  if (present === 0 || numeric) {
    const out = new Float64Array(count);
    for (let row = 0; row < count; row++) {
      const value = values[row];
      out[row] = isMissingValue(value) ? Number.NaN : typeof value === 'number' ? value : Number(textOf(value));
    }
    return { kind: 'numeric', name, values: out, boolean: false };
  }
  if (boolean) {
    const out = new Float64Array(count);
    for (let row = 0; row < count; row++) {
      const value = values[row];
      out[row] = isMissingValue(value) ? Number.NaN : (booleanOf(value) as number);
    }
    return { kind: 'numeric', name, values: out, boolean: true };
  }
  return categoryFromText(
    name,
    values.map((value) => (isMissingValue(value) ? undefined : textOf(value))),
  );
}

/** A category column from text values (`undefined` = missing); levels sorted by code unit. O(n log L). */
export function categoryFromText(name: string, texts: readonly (string | undefined)[]): CategoryColumn {
  const distinct = new Set<string>();
  for (const text of texts) if (text !== undefined) distinct.add(text);
  const levels = [...distinct].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const codeOf = new Map<string, number>();
  levels.forEach((level, code) => {
    codeOf.set(level, code);
  });
  const codes = new Int32Array(texts.length);
  for (let row = 0; row < texts.length; row++) {
    const text = texts[row];
    codes[row] = text === undefined ? -1 : (codeOf.get(text) as number);
  }
  return { kind: 'category', name, codes, levels };
}

/** A numeric column from numbers (`NaN` = missing). */
export function numericColumn(name: string, values: Float64Array | readonly number[], boolean = false): NumericColumn {
  return { kind: 'numeric', name, values: Float64Array.from(values), boolean };
}

function columnLength(column: Column): number {
  return column.kind === 'numeric' ? column.values.length : column.codes.length;
}

/**
 * A table of named, typed columns of equal length. Immutable: `select`, `drop` and `take` return new frames
 * (sharing column storage where nothing changes).
 */
export class Frame {
  readonly rowCount: number;
  readonly columns: readonly Column[];
  private readonly byName: Map<string, Column>;

  constructor(columns: readonly Column[], rowCount?: number) {
    const byName = new Map<string, Column>();
    let length = rowCount;
    for (const column of columns) {
      if (byName.has(column.name)) throw new ValidationError(`column '${column.name}' appears more than once`);
      byName.set(column.name, column);
      const size = columnLength(column);
      if (length === undefined) length = size;
      else if (size !== length) {
        throw new ValidationError(`column '${column.name}' has ${size} rows, expected ${length}`);
      }
    }
    this.rowCount = length ?? 0;
    this.columns = columns;
    this.byName = byName;
  }

  /** Column names in order. */
  get names(): string[] {
    return this.columns.map((column) => column.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The named column; throws `UnprocessableError` naming it when absent. */
  column(name: string): Column {
    const column = this.byName.get(name);
    if (!column) {
      throw new UnprocessableError(`column '${name}' is not in the data (columns: ${this.names.join(', ')})`, [
        { path: name, message: 'missing column' },
      ]);
    }
    return column;
  }

  /** The values of a numeric (or boolean) column; throws `UnprocessableError` for a text column. */
  numeric(name: string): Float64Array {
    const column = this.column(name);
    if (column.kind !== 'numeric') {
      const example = column.levels[0];
      throw new UnprocessableError(`column '${name}' must be numeric, got text such as ${describeValue(example)}`, [
        { path: name, message: 'not numeric' },
      ]);
    }
    return column.values;
  }

  /** A frame with only the named columns, in the given order. */
  select(names: readonly string[]): Frame {
    return new Frame(
      names.map((name) => this.column(name)),
      this.rowCount,
    );
  }

  /** A frame without the named columns; names not in the frame are ignored. */
  drop(names: readonly string[]): Frame {
    const dropped = new Set(names);
    return new Frame(
      this.columns.filter((column) => !dropped.has(column.name)),
      this.rowCount,
    );
  }

  /** A frame of the given rows, in the given order (repeats allowed). O(rows × columns). */
  take(indices: ArrayLike<number>): Frame {
    const count = indices.length;
    for (let i = 0; i < count; i++) {
      const index = indices[i];
      if (!Number.isInteger(index) || index < 0 || index >= this.rowCount) {
        throw new ValidationError(
          `row index ${describeValue(index)} at position ${i} is outside 0..${this.rowCount - 1}`,
        );
      }
    }
    const columns = this.columns.map((column): Column => {
      if (column.kind === 'numeric') {
        const values = new Float64Array(count);
        for (let i = 0; i < count; i++) values[i] = column.values[indices[i]];
        return { ...column, values };
      }
      const codes = new Int32Array(count);
      for (let i = 0; i < count; i++) codes[i] = column.codes[indices[i]];
      return { ...column, codes };
    });
    return new Frame(columns, count);
  }

  /** The cell as a plain value: a number, a string, or `null` when missing. */
  value(name: string, row: number): number | string | null {
    const column = this.column(name);
    if (column.kind === 'numeric') {
      const value = column.values[row];
      return Number.isNaN(value) ? null : value;
    }
    const code = column.codes[row];
    return code < 0 ? null : (column.levels[code] as string);
  }
}

/**
 * A frame from raw columns (e.g. the fields of a CSV file), inferring each column's type with `inferColumn`.
 */
export function frameFromColumns(names: readonly string[], values: readonly (readonly RawValue[])[]): Frame {
  return new Frame(names.map((name, index) => inferColumn(name, values[index] ?? [])));
}

/**
 * A frame from JSON rows (e.g. a prediction request). Columns are the union of the rows' keys, in order of first
 * appearance; a key absent from a row is a missing value. Values must be strings, numbers, booleans or null.
 */
export function frameFromRows(rows: readonly unknown[]): Frame {
  if (!Array.isArray(rows)) throw new ValidationError(`'rows' must be an array, got ${describeValue(rows)}`);
  const names: string[] = [];
  const indexOf = new Map<string, number>();
  const columns: RawValue[][] = [];
  rows.forEach((row, rowIndex) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new ValidationError(`row ${rowIndex}: must be an object, got ${describeValue(row)}`, [
        { path: `rows[${rowIndex}]`, message: 'must be an object' },
      ]);
    }
    for (const [key, value] of Object.entries(row)) {
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
        throw new ValidationError(
          `row ${rowIndex}: '${key}' must be a string, number, boolean or null, got ${describeValue(value)}`,
          [{ path: `rows[${rowIndex}].${key}`, message: 'unsupported value type' }],
        );
      }
      let index = indexOf.get(key);
      if (index === undefined) {
        index = names.length;
        indexOf.set(key, index);
        names.push(key);
        columns.push(new Array<RawValue>(rows.length).fill(undefined));
      }
      (columns[index] as RawValue[])[rowIndex] = value as RawValue;
    }
  });
  return new Frame(
    names.map((name, index) => inferColumn(name, columns[index] as RawValue[])),
    rows.length,
  );
}
