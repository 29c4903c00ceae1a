import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { readBatch } from './read-batch.js';

/** The values of each metric column as JSON.parse reads them, in reading order. */
function parsedColumns(text: string): Record<string, number[]> {
  const columns: Record<string, number[]> = {};
  for (const reading of (JSON.parse(text) as { readings: Record<string, unknown>[] }).readings) {
    for (const [field, value] of Object.entries(reading)) {
      if (
        [
          'sensor_id',
          'asset',
          'asset_id',
          'machine_id',
          'unit',
          'ts',
          'timestamp',
          'time',
          'measurement_time',
        ].includes(field)
      )
        continue;
      columns[field] ??= [];
      columns[field].push(typeof value === 'boolean' ? Number(value) : (value as number));
    }
  }
  return columns;
}

function scannedColumns(text: string): { fast: boolean; columns: Record<string, number[]> } {
  const batch = readBatch(Buffer.from(text), 1_000_000);
  const columns: Record<string, number[]> = {};
  for (const column of batch.columns.list) columns[column.name] = Array.from(column.values.subarray(0, column.count));
  return { fast: batch.readings === undefined, columns };
}

describe('reading the body: the fast scanner and the general path agree', () => {
  const bytes = (text: string) => Buffer.from(text);

  it('reads every number exactly as JSON.parse does', () => {
    const rng = new Rng(99);
    const spellings = [
      (x: number) => String(x),
      (x: number) => x.toExponential(rng.int(17)),
      (x: number) => x.toFixed(rng.int(12)),
      (x: number) => x.toPrecision(1 + rng.int(21)).replace('e+', 'E'),
      (x: number) => String(Math.round(x)),
    ];
    const fixed = [
      '-0',
      '0',
      '0e0',
      '0.000',
      '1E5',
      '1e+5',
      '5e-324',
      '1e-400',
      '1.7976931348623157e308',
      '9007199254740993',
      '123456789012345678901234567890',
      '0.1',
      '0.30000000000000004',
      '-12.5e-1',
      '3.141592653589793238462643383279',
      '1e22',
      '1e23',
      '4.35e-22',
      '123456789.123456789e-5',
      '00000.5e1'.slice(4),
    ];
    const values: string[] = [...fixed];
    for (let i = 0; i < 2000; i++) {
      const magnitude = 10 ** (rng.int(40) - 20);
      const x = (rng.next() - 0.3) * magnitude;
      values.push(spellings[rng.int(spellings.length)](x));
    }
    const text = `{"readings":[${values.map((v, i) => `{"sensor_id":"s${i}","v":${v}}`).join(',')}]}`;
    const scanned = scannedColumns(text);
    expect(scanned.fast).toBe(true);
    const expected = parsedColumns(text).v;
    let same = true;
    for (let i = 0; i < expected.length; i++) same &&= Object.is(scanned.columns.v[i], expected[i]);
    expect(same).toBe(true);
  });

  it('reads pretty-printed bodies, escapes in ids, non-ASCII names, booleans and time fields on the fast path', () => {
    const text = `{
      "readings" : [
        { "sensor_id" : "pompe-\\u00e9\\"01\\"" , "température" : 71.2 , "ts" : "2026-01-01T00:00:00Z", "ok": true },
        {"machine_id":7,"ok":false,"température":70.8,"time":null,"timestamp":1767225600000},
        {"température":-0.5e1,"unit":"u","ok":true}
      ]
    }`;
    const scanned = scannedColumns(text);
    expect(scanned.fast).toBe(true);
    expect(scanned.columns).toEqual(parsedColumns(text));
  });

  it('leaves to the general path what it does not fully understand, and the answer is the same', () => {
    const general = [
      '{"source":"line-4","readings":[{"sensor_id":"a","t":1},{"sensor_id":"b","t":2}]}',
      '{"readings":[{"asset":"a","metrics":{"t":1}},{"asset":"b","metrics":{"t":2}}]}',
      '{"readings":[{"sensor_id":"a","t":1,"t":5},{"sensor_id":"b","t":2}]}',
      '{"readings":[{"asset":null,"sensor_id":"a","t":1},{"sensor_id":"b","t":2}]}',
      '{"readings":[{"sensor_id":"a","t":1,"ts":{"s":1}},{"sensor_id":"b","t":2}]}',
      '{"readings":[{"sensor_id":"a","\\u0074":1},{"sensor_id":"b","t":2}]}',
      '{"readings":[{"sensor_id":"a","t":1,"is_anomaly":2},{"sensor_id":"b","t":2}]}',
    ];
    for (const text of general) {
      const batch = readBatch(bytes(text), 10);
      expect(batch.readings, text).toBeDefined();
      expect(batch.columns.readingCount).toBe(2);
    }
  });

  it('keeps memory proportional to the values given when every reading brings new metric names', () => {
    const readings = Array.from({ length: 2000 }, (_, i) => `{"sensor_id":"s${i}","m${i}":${i}}`);
    const text = `{"readings":[${readings.join(',')}]}`;
    for (const batch of [readBatch(bytes(text), 5000), readBatch(bytes(`{"x":1,${text.slice(1)}`), 5000)]) {
      expect(batch.columns.list).toHaveLength(2000);
      let allocated = 0;
      for (const column of batch.columns.list) allocated += column.values.length;
      expect(allocated).toBeLessThan(8 * 2000 + 16 * 2000);
    }
  });

  it('refuses through the general path what JSON.parse refuses', () => {
    const malformed = [
      '{"readings":[{"sensor_id":"a","t":01}]}',
      '{"readings":[{"sensor_id":"a","t":1.}]}',
      '{"readings":[{"sensor_id":"a","t":.5}]}',
      '{"readings":[{"sensor_id":"a","t":+1}]}',
      '{"readings":[{"sensor_id":"a","t":1},]}',
      '{"readings":[{"sensor_id":"a","t":1,}]}',
      '{"readings":[{"sensor_id":"a\\x","t":1}]}',
      '{"readings":[{"sensor_id":"a","t":NaN}]}',
      '{"readings":[{"sensor_id":"a","t":1}]} x',
      '{"readings":[{"sensor_id":"a","t":1}]',
      `{"readings":[{"sensor_id":"a\tb","t":1}]}`.replace('\\t', '\t'),
    ];
    for (const text of malformed) {
      expect(() => readBatch(bytes(text), 10), text).toThrow(/^Malformed JSON in request body$/);
    }
    expect(() => readBatch(bytes('{"readings":[{"sensor_id":"a","t":1e400}]}'), 10)).toThrow(
      /reading 0: metric 't' must be a finite number, got Infinity/,
    );
    expect(() => readBatch(bytes('{"readings":[{"sensor_id":"a","t":1},{"sensor_id":"b","t":2}]}'), 1)).toThrow(
      /batch of 2 readings exceeds the limit of 1/,
    );
  });
});
