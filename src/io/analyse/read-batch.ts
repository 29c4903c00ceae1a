// A POST /analyse body into metric columns (columns.ts): flat-scanner.ts reads flat readings straight from the bytes;
// anything else goes through parsed-batch.ts (JSON.parse, then validation naming every problem), with
// reading-spans.ts finding each reading's bytes for the echo. write-response.ts then writes the results.

import type { Columns } from './columns.js';
import { FlatBatchScanner } from './flat-scanner.js';
import { parseBody, readingsOf, toColumns } from './parsed-batch.js';
import { readingSpans } from './reading-spans.js';

/** The batch as columns, and where each reading lies in the body (undefined: echo by serialising `readings`). */
export interface Batch {
  columns: Columns;
  spans: Int32Array | undefined;
  readings: unknown[] | undefined;
}

/**
 * The body's readings in columns: by the fast scanner when it accepts the body (`readings` is then undefined), else
 * by JSON.parse and full validation (throws ValidationError / PayloadTooLargeError naming the problem).
 */
export function readBatch(body: Uint8Array, maxReadings: number): Batch {
  const scanned = new FlatBatchScanner(body, maxReadings).scan();
  if (scanned !== undefined) return { ...scanned, readings: undefined };
  const readings = readingsOf(parseBody(body), maxReadings);
  const columns = toColumns(readings);
  return { columns, spans: readingSpans(body, readings.length), readings };
}
