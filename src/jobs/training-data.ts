/**
 * The table a training job learns from, as a request gives it: JSON rows, CSV text, or stored telemetry of some
 * assets pivoted to one row per (asset, time) with a column per metric.
 */
import { z } from '@hono/zod-openapi';
import { describeValue, PayloadTooLargeError, UnprocessableError, ValidationError } from '../core/errors.js';
import { parseTimestamp } from '../core/time.js';
import { parseCsvFrame } from '../io/csv-frame.js';
import { type Frame, frameFromRows } from '../io/frame.js';
import type { Store } from '../store/store.js';

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const time = z.union([z.string(), z.number()]).openapi({ description: 'ISO-8601 or epoch milliseconds' });

export const RowsDataSchema = z
  .object({ rows: z.array(z.record(z.string(), cell)).min(1).openapi({ description: 'One object per row' }) })
  .strict();

export const CsvDataSchema = z
  .object({ csv: z.string().min(1).openapi({ description: 'CSV text with a header row' }) })
  .strict();

export const AssetDataSchema = z
  .object({
    assets: z.array(z.string().min(1)).min(1).max(1000).openapi({ description: 'Stored assets to learn from' }),
    from: time.optional(),
    to: time.optional(),
  })
  .strict()
  .openapi({
    description:
      'Stored telemetry: one row per (asset, time) with a column per metric, plus `asset` and `ts` (epoch ms)',
  });

export const TrainingDataSchema = z.union([RowsDataSchema, CsvDataSchema, AssetDataSchema]).openapi('TrainingData');

export type TrainingData = z.infer<typeof TrainingDataSchema>;

/** A short description of the data for the job record (never the data itself). */
export function describeTrainingData(data: TrainingData): { [key: string]: string | number | string[] } {
  if ('rows' in data) return { kind: 'rows', rows: data.rows.length };
  if ('csv' in data) return { kind: 'csv', bytes: Buffer.byteLength(data.csv) };
  return { kind: 'assets', assets: data.assets };
}

function timeBound(name: 'from' | 'to', value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ts = parseTimestamp(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
  if (ts === undefined) {
    throw new ValidationError(
      `'data.${name}' must be an ISO-8601 time or epoch milliseconds, got ${describeValue(value)}`,
      [{ path: `data.${name}`, message: 'must be an ISO-8601 time or epoch milliseconds' }],
    );
  }
  return ts;
}

/**
 * Stored values of the assets between `from` (inclusive) and `to` (exclusive) as wide rows: `{asset, ts, <metric>…}`,
 * by asset then time. At most `maxValues` values are read. O(values).
 */
async function readingsRows(
  store: Store,
  data: z.infer<typeof AssetDataSchema>,
  maxValues: number,
): Promise<Record<string, string | number>[]> {
  const from = timeBound('from', data.from);
  const to = timeBound('to', data.to);
  const rows: Record<string, string | number>[] = [];
  let values = 0;
  for (const asset of data.assets) {
    const stored = await store.queryReadings(asset, { from, to, limit: maxValues - values + 1 });
    values += stored.length;
    if (values > maxValues) {
      throw new PayloadTooLargeError(`the assets hold more than ${maxValues} values in the range: narrow 'from'/'to'`, [
        { path: 'data', message: `more than ${maxValues} values` },
      ]);
    }
    let row: Record<string, string | number> | undefined;
    for (const value of stored) {
      if (row?.ts !== value.ts) {
        row = { asset, ts: value.ts };
        rows.push(row);
      }
      row[value.metric] = value.value;
    }
  }
  if (rows.length === 0) {
    throw new UnprocessableError(`no stored readings for ${describeValue(data.assets)} in the range`, [
      { path: 'data.assets', message: 'no readings' },
    ]);
  }
  return rows;
}

export interface TrainingDataOptions {
  store: Store;
  /** Most rows (JSON or CSV) or stored values accepted (413 above). */
  maxRows: number;
}

/** The frame of a training request; bad data is a `ValidationError`/`UnprocessableError` naming what is wrong. */
export async function loadTrainingData(data: TrainingData, options: TrainingDataOptions): Promise<Frame> {
  let frame: Frame;
  if ('rows' in data) {
    if (data.rows.length > options.maxRows) throw tooManyRows(data.rows.length, options.maxRows);
    frame = frameFromRows(data.rows);
  } else if ('csv' in data) {
    frame = await parseCsvFrame(data.csv, { source: 'data.csv' });
    if (frame.rowCount > options.maxRows) throw tooManyRows(frame.rowCount, options.maxRows);
  } else {
    frame = frameFromRows(await readingsRows(options.store, data, options.maxRows));
  }
  if (frame.rowCount === 0) {
    throw new UnprocessableError('the training data has no rows', [{ path: 'data', message: 'no rows' }]);
  }
  return frame;
}

function tooManyRows(rows: number, maxRows: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`the training data has ${rows} rows, more than the limit ${maxRows}`, [
    { path: 'data', message: `more than ${maxRows} rows` },
  ]);
}
