// Fast path: flat readings straight from the bytes into columns.

import { isUtf8 } from 'node:buffer';
import { ASSET_ID_FIELDS, TIME_FIELDS } from '../../core/reading.js';
import { Columns, grown, type MetricColumn } from './columns.js';
import { RESULT_FIELD_SET } from './fields.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  DIGIT_NINE,
  DIGIT_ZERO,
  DOT,
  FALSE,
  isHexDigit,
  isJsonWhitespace,
  LOWER_E,
  LOWER_F,
  LOWER_N,
  LOWER_T,
  LOWER_U,
  MINUS,
  NULL,
  OPEN_BRACE,
  OPEN_BRACKET,
  PLUS,
  QUOTE,
  READINGS_KEY,
  TRUE,
  UPPER_E,
} from './json-bytes.js';

const FIELD_ID = 0;
const FIELD_TIME = 1;
const FIELD_METRIC = 2;
/** A field the result writes itself (is_anomaly, …): left to the general path. */
const FIELD_RESERVED = 3;

/** A reading field name met by the scanner, resolved once per distinct name. */
interface FieldName {
  bytes: Uint8Array;
  kind: number;
  column: MetricColumn | undefined;
}

/** Names tried by their bytes before decoding (a batch rarely has more distinct fields). */
const MAX_KNOWN_NAMES = 32;

/** 10⁰…10²² as doubles: every one exact, which makes the single multiplication or division below exact-rounded. */
const EXACT_POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, power) => Number(`1e${power}`));

/** What the fast path hands on: the batch in columns and where each reading lies in the body. */
export interface ScannedBatch {
  columns: Columns;
  spans: Int32Array;
}
/** The characters allowed after a backslash besides u: " \\ / b f n r t. */
const SIMPLE_ESCAPES = new Set([QUOTE, BACKSLASH, 0x2f, 0x62, LOWER_F, LOWER_N, 0x72, LOWER_T]);
const ASSET_ID_SET = new Set<string>(ASSET_ID_FIELDS);
const TIME_SET = new Set<string>(TIME_FIELDS);

/**
 * Reads `{"readings": [flat reading, …]}` in one pass over the body bytes: metric values go straight into their
 * columns and each reading's byte span is kept for the echo — no object per reading, no string per value. It only
 * accepts what it fully understands and what the general path would accept as is: one top-level key, readings
 * whose values are all scalars, keys without escapes, a valid asset id, at least one metric, numbers or booleans
 * for metrics, no repeated metric. For anything else `scan()` returns undefined and the caller takes the general
 * path (JSON.parse + `toColumns`), which gives the same answer or names the problem. O(body bytes).
 *
 * Numbers: a mantissa below 2⁵³ with a decimal exponent within ±22 is converted by one exact-rounded multiplication
 * or division (Clinger, "How to read floating point numbers accurately", PLDI 1990,
 * https://doi.org/10.1145/93542.93557); other numbers go through `Number()`, so every value equals JSON.parse's.
 */
export class FlatBatchScanner {
  private position = 0;
  private readonly names = new Map<string, FieldName>();
  /** The previous reading's fields in order: most readings of a batch repeat them, so a key is one compare. */
  private previousFields: FieldName[] = [];
  private previousCount = 0;
  private currentFields: FieldName[] = [];
  /** Names met so far, tried by their bytes before decoding a name that was not predicted. */
  private readonly known: FieldName[] = [];
  private numberValue = 0;
  private readonly body: Uint8Array;
  private readonly maxReadings: number;
  private readonly columns: Columns;

  constructor(body: Uint8Array, maxReadings: number) {
    this.body = body;
    this.maxReadings = maxReadings;
    // A flat reading takes at least ~20 bytes; columns grow if the guess is short.
    this.columns = new Columns(Math.min(maxReadings, Math.ceil(body.length / 64)));
  }

  scan(): ScannedBatch | undefined {
    const body = this.body;
    if (!isUtf8(body)) return undefined;
    if (!this.expect(OPEN_BRACE) || !this.expectKey(READINGS_KEY) || !this.expect(COLON)) return undefined;
    if (!this.expect(OPEN_BRACKET)) return undefined;
    const columns = this.columns;
    let spans = new Int32Array(2 * columns.slotStart.length);
    for (;;) {
      const index = columns.readingCount;
      if (index === this.maxReadings) return undefined;
      this.skipWhitespace();
      const start = this.position;
      if (!this.reading(columns)) return undefined;
      if (2 * index + 2 > spans.length) spans = grown(spans, 2 * index + 2);
      spans[2 * index] = start;
      spans[2 * index + 1] = this.position - 1;
      this.skipWhitespace();
      const next = body[this.position++];
      if (next === CLOSE_BRACKET) break;
      if (next !== COMMA) return undefined;
    }
    if (!this.expect(CLOSE_BRACE)) return undefined;
    this.skipWhitespace();
    if (this.position !== body.length) return undefined;
    return { columns, spans: spans.subarray(0, 2 * columns.readingCount) };
  }

  private skipWhitespace(): void {
    const body = this.body;
    while (this.position < body.length && isJsonWhitespace(body[this.position])) this.position++;
  }

  /** Whitespace, then `byte`. */
  private expect(byte: number): boolean {
    this.skipWhitespace();
    if (this.body[this.position] !== byte) return false;
    this.position++;
    return true;
  }

  /** Whitespace, then the key `"<name>"` spelled exactly. */
  private expectKey(name: Uint8Array): boolean {
    if (!this.expect(QUOTE) || !this.matches(name)) return false;
    this.position += name.length;
    return this.body[this.position++] === QUOTE;
  }

  private matches(bytes: Uint8Array): boolean {
    const body = this.body;
    const at = this.position;
    if (at + bytes.length > body.length) return false;
    for (let offset = 0; offset < bytes.length; offset++) if (body[at + offset] !== bytes[offset]) return false;
    return true;
  }

  /** One flat reading `{…}` into the columns; false to leave the batch to the general path. */
  private reading(columns: Columns): boolean {
    const body = this.body;
    if (body[this.position++] !== OPEN_BRACE) return false;
    const readingIndex = columns.readingCount;
    columns.beginReading();
    const fields = this.currentFields;
    let fieldCount = 0;
    let hasId = false;
    let metricCount = 0;
    for (;;) {
      this.skipWhitespace();
      if (body[this.position] !== QUOTE) return false;
      const field = this.fieldName(fieldCount);
      if (field === undefined || !this.expect(COLON)) return false;
      fields[fieldCount++] = field;
      this.skipWhitespace();
      const first = body[this.position];
      if (field.kind === FIELD_METRIC) {
        const column = field.column as MetricColumn;
        if (column.lastReading === readingIndex) return false;
        if (first === LOWER_T || first === LOWER_F) {
          const isTrue = first === LOWER_T;
          if (!this.literal(isTrue ? TRUE : FALSE)) return false;
          columns.add(column, isTrue ? 1 : 0);
        } else {
          if (!this.number()) return false;
          columns.add(column, this.numberValue);
        }
        metricCount++;
      } else if (field.kind === FIELD_ID) {
        // Valid ids only; null, empty or other values are left to the general path's rules.
        if (first === QUOTE) {
          if (body[this.position + 1] === QUOTE || !this.string()) return false;
        } else if (!this.number()) {
          return false;
        }
        hasId = true;
      } else if (field.kind === FIELD_TIME) {
        if (!this.scalar()) return false;
      } else {
        return false;
      }
      this.skipWhitespace();
      const next = body[this.position++];
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return false;
    }
    columns.endReading();
    const swap = this.previousFields;
    this.previousFields = fields;
    this.previousCount = fieldCount;
    this.currentFields = swap;
    return hasId && metricCount > 0;
  }

  /** The key at the cursor (a quote), resolved; undefined for keys with escapes or control characters. */
  private fieldName(ordinal: number): FieldName | undefined {
    const body = this.body;
    const start = this.position + 1;
    const predicted = ordinal < this.previousCount ? this.previousFields[ordinal] : undefined;
    if (predicted !== undefined && this.spells(predicted.bytes, start)) {
      this.position = start + predicted.bytes.length + 1;
      return predicted;
    }
    let end = start;
    while (end < body.length && body[end] !== QUOTE) {
      if (body[end] === BACKSLASH || body[end] < 0x20) return undefined;
      end++;
    }
    if (end >= body.length) return undefined;
    this.position = end + 1;
    // Readings with different field sets: a name met before, found by its bytes.
    for (const known of this.known)
      if (known.bytes.length === end - start && this.spells(known.bytes, start)) return known;
    const name = Buffer.from(body.buffer, body.byteOffset + start, end - start).toString('utf8');
    let field = this.names.get(name);
    if (field === undefined) {
      const kind = RESULT_FIELD_SET.has(name)
        ? FIELD_RESERVED
        : ASSET_ID_SET.has(name)
          ? FIELD_ID
          : TIME_SET.has(name)
            ? FIELD_TIME
            : FIELD_METRIC;
      field = {
        bytes: body.slice(start, end),
        kind,
        column: kind === FIELD_METRIC ? this.columns.column(name) : undefined,
      };
      this.names.set(name, field);
      if (this.known.length < MAX_KNOWN_NAMES) this.known.push(field);
    }
    return field;
  }

  /** Whether the body at `start` holds `bytes` then a closing quote. */
  private spells(bytes: Uint8Array, start: number): boolean {
    const body = this.body;
    const end = start + bytes.length;
    if (end >= body.length || body[end] !== QUOTE) return false;
    for (let offset = 0; offset < bytes.length; offset++) if (body[start + offset] !== bytes[offset]) return false;
    return true;
  }

  /** A JSON string at the cursor (its quote), validated and skipped. */
  private string(): boolean {
    const body = this.body;
    let at = this.position + 1;
    for (;;) {
      if (at >= body.length) return false;
      const byte = body[at];
      if (byte === QUOTE) break;
      if (byte < 0x20) return false;
      if (byte === BACKSLASH) {
        const escaped = body[at + 1];
        if (escaped === LOWER_U) {
          for (let digit = 2; digit < 6; digit++) if (!isHexDigit(body[at + digit])) return false;
          at += 6;
          continue;
        }
        if (!SIMPLE_ESCAPES.has(escaped)) return false;
        at += 2;
        continue;
      }
      at++;
    }
    this.position = at + 1;
    return true;
  }

  private literal(bytes: Uint8Array): boolean {
    if (!this.matches(bytes)) return false;
    this.position += bytes.length;
    return true;
  }

  /** Any scalar at the cursor (string, number, true, false, null), skipped; nested values are refused. */
  private scalar(): boolean {
    const first = this.body[this.position];
    if (first === QUOTE) return this.string();
    if (first === LOWER_T) return this.literal(TRUE);
    if (first === LOWER_F) return this.literal(FALSE);
    if (first === LOWER_N) return this.literal(NULL);
    return this.number();
  }

  /** A JSON number at the cursor into `numberValue`; false when it is not one or not finite. */
  private number(): boolean {
    const body = this.body;
    const start = this.position;
    let at = start;
    const negative = body[at] === MINUS;
    if (negative) at++;
    let mantissa = 0;
    let digits = 0;
    if (body[at] === DIGIT_ZERO) {
      at++;
    } else {
      while (body[at] >= DIGIT_ZERO && body[at] <= DIGIT_NINE) {
        mantissa = mantissa * 10 + (body[at] - DIGIT_ZERO);
        at++;
        digits++;
      }
      if (digits === 0) return false;
    }
    let exponent = 0;
    if (body[at] === DOT) {
      at++;
      const fractionStart = at;
      while (body[at] >= DIGIT_ZERO && body[at] <= DIGIT_NINE) {
        mantissa = mantissa * 10 + (body[at] - DIGIT_ZERO);
        at++;
      }
      if (at === fractionStart) return false;
      exponent = fractionStart - at;
    }
    let exact = true;
    if (body[at] === LOWER_E || body[at] === UPPER_E) {
      at++;
      const sign = body[at] === MINUS ? -1 : 1;
      if (body[at] === MINUS || body[at] === PLUS) at++;
      const exponentStart = at;
      let written = 0;
      while (body[at] >= DIGIT_ZERO && body[at] <= DIGIT_NINE) {
        written = written * 10 + (body[at] - DIGIT_ZERO);
        at++;
      }
      if (at === exponentStart) return false;
      if (at - exponentStart > 4) exact = false;
      exponent += sign * written;
    }
    this.position = at;
    let value: number;
    if (exact && mantissa <= Number.MAX_SAFE_INTEGER && exponent >= -22 && exponent <= 22) {
      value = exponent < 0 ? mantissa / EXACT_POWERS_OF_TEN[-exponent] : mantissa * EXACT_POWERS_OF_TEN[exponent];
      if (negative) value = -value;
    } else {
      value = Number(Buffer.from(body.buffer, body.byteOffset + start, at - start).toString('latin1'));
    }
    if (!Number.isFinite(value)) return false;
    this.numberValue = value;
    return true;
  }
}
