import { isUtf8 } from 'node:buffer';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isJsonWhitespace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  READINGS_KEY,
} from './json-bytes.js';

/**
 * Where each element of the body's top-level "readings" array lies in the body: element i is the bytes
 * [spans[2i], spans[2i + 1]], braces included. Runs on a body JSON.parse has accepted, so it only tracks strings
 * and nesting: O(body bytes). Undefined when the body's own bytes cannot be echoed — not valid UTF-8, a top-level
 * key written with escapes, or a count that differs from the parsed array — and results are serialised instead.
 */
export function readingSpans(body: Uint8Array, count: number): Int32Array | undefined {
  if (!isUtf8(body)) return undefined;
  const spans = new Int32Array(2 * count);
  let found = 0;
  let depth = 0;
  let expectKey = false;
  let afterReadingsKey = false;
  let inReadings = false;
  for (let index = 0; index < body.length; index++) {
    const byte = body[index];
    if (byte === QUOTE) {
      const start = index + 1;
      let escaped = false;
      index++;
      while (body[index] !== QUOTE) {
        if (body[index] === BACKSLASH) {
          escaped = true;
          index++;
        }
        index++;
      }
      if (depth === 1) {
        if (expectKey) {
          if (escaped) return undefined;
          expectKey = false;
          afterReadingsKey = index - start === READINGS_KEY.length && READINGS_KEY.compare(body, start, index) === 0;
        } else {
          afterReadingsKey = false;
        }
      }
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (depth === 1 && afterReadingsKey) {
        afterReadingsKey = false;
        if (byte === OPEN_BRACKET) {
          // JSON.parse keeps the last of repeated keys: so does this.
          inReadings = true;
          found = 0;
        }
      } else if (depth === 2 && inReadings) {
        if (found === count) return undefined;
        spans[2 * found] = index;
      }
      depth++;
      if (depth === 1) expectKey = true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 2 && inReadings) {
        spans[2 * found + 1] = index;
        found++;
      } else if (depth === 1) {
        inReadings = false;
      }
    } else if (depth === 1) {
      if (byte === COMMA) expectKey = true;
      else if (byte !== COLON && !isJsonWhitespace(byte)) afterReadingsKey = false;
    }
  }
  return found === count ? spans : undefined;
}
