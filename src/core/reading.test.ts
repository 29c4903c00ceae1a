import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, ValidationError } from './errors.js';
import { normaliseReadings, toValueRows } from './reading.js';
import { VERSION } from './version.js';

const receivedAt = 1_767_225_600_000;

function errorOf(input: unknown, maxReadings?: number): Error {
  try {
    normaliseReadings(input, { receivedAt, maxReadings });
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected normaliseReadings to throw');
}

describe('normaliseReadings', () => {
  it('reads the canonical form', () => {
    const [reading] = normaliseReadings(
      [{ asset: 'pump-01', ts: '2026-01-01T00:00:05Z', metrics: { temperature: 71.2, vibration: 0.52 } }],
      { receivedAt },
    );
    expect(reading).toEqual({
      asset: 'pump-01',
      ts: receivedAt + 5000,
      metrics: { temperature: 71.2, vibration: 0.52 },
    });
  });

  it('reads the flat form with every id and time field name, booleans as 1/0', () => {
    const readings = normaliseReadings(
      [
        { sensor_id: 'a', timestamp: receivedAt, temperature: 1 },
        { asset_id: 'b', time: '2026-01-01T00:00:00Z', running: true },
        { machine_id: 'c', measurement_time: '2026-01-01T00:00:00Z', running: false },
        { unit: 7, ts: receivedAt, s2: 641.82 },
      ],
      { receivedAt },
    );
    expect(readings.map((r) => r.asset)).toEqual(['a', 'b', 'c', '7']);
    expect(readings[1]?.metrics).toEqual({ running: 1 });
    expect(readings[2]?.metrics).toEqual({ running: 0 });
    expect(readings.every((r) => r.ts === receivedAt)).toBe(true);
  });

  it('gives readings without a time the receive time', () => {
    expect(normaliseReadings([{ sensor_id: 'a', t: 1 }], { receivedAt })[0]?.ts).toBe(receivedAt);
  });

  it('names the index and field of every problem', () => {
    const error = errorOf([
      { sensor_id: 'ok', temperature: 1 },
      { sensor_id: 'p', temperature: 'hot' },
      { temperature: 2 },
      { sensor_id: 'q' },
      { sensor_id: 'r', ts: 'yesterday', temperature: 3 },
      { asset: 's', metrics: { vibration: Number.POSITIVE_INFINITY } },
      42,
    ]);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(
      /^reading 1: metric 'temperature' must be a finite number, got "hot" \(and 5 more\)$/,
    );
    const messages = (error as ValidationError).details.map((detail) => detail.message);
    expect(messages).toEqual([
      `reading 1: metric 'temperature' must be a finite number, got "hot"`,
      expect.stringMatching(/^reading 2: missing asset id/),
      'reading 3: has no metric (no numeric field)',
      expect.stringMatching(/^reading 4: 'ts' must be an ISO-8601 time or epoch milliseconds, got "yesterday"$/),
      "reading 5: metric 'vibration' must be a finite number, got Infinity",
      'reading 6: must be an object, got 42',
    ]);
  });

  it('refuses a non-array and an oversized batch', () => {
    expect(errorOf({ readings: [] })).toBeInstanceOf(ValidationError);
    const tooMany = Array.from({ length: 3 }, () => ({ sensor_id: 'a', x: 1 }));
    const error = errorOf(tooMany, 2);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.message).toMatch(/batch of 3 readings exceeds the limit of 2/);
  });
});

describe('toValueRows', () => {
  it('flattens readings to one row per metric value', () => {
    const rows = toValueRows([
      { asset: 'a', ts: 1, metrics: { x: 1, y: 2 } },
      { asset: 'b', ts: 2, metrics: { x: 3 } },
    ]);
    expect(rows.length).toBe(3);
    expect(rows.asset).toEqual(['a', 'a', 'b']);
    expect(rows.metric).toEqual(['x', 'y', 'x']);
    expect(Array.from(rows.ts)).toEqual([1, 1, 2]);
    expect(Array.from(rows.value)).toEqual([1, 2, 3]);
  });
});

describe('VERSION', () => {
  it('is the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
