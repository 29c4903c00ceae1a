import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import { type Reading, toValueRows } from '../core/reading.js';
import type { AssetSummary, Store } from './store.js';

/** 2026-01-01T00:00:00Z in epoch ms: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;
const SECOND = 1000;

function reading(asset: string, offsetSeconds: number, metrics: Record<string, number>): Reading {
  return { asset, ts: T0 + offsetSeconds * SECOND, metrics };
}

/** Two assets, three instants, two metrics each: 12 values. */
function fleetBatch(): Reading[] {
  const readings: Reading[] = [];
  for (let second = 0; second < 3; second++) {
    readings.push(reading('pump-01', second, { temperature: 70 + second, vibration: 0.5 + second / 10 }));
    readings.push(reading('pump-02', second, { temperature: 60 + second, vibration: 0.2 + second / 10 }));
  }
  return readings;
}

/** What a store reports for either pump of fleetBatch(): 2 metrics × 3 instants = 6 values, from T0 to T0 + 2 s. */
function fleetPumpSummary(id: 'pump-01' | 'pump-02'): AssetSummary {
  return {
    id,
    attributes: {},
    metrics: ['temperature', 'vibration'],
    readingCount: 6,
    firstTs: T0,
    lastTs: T0 + 2 * SECOND,
  };
}

/**
 * The behaviour every Store must have, run against a fresh, empty store from `factory` for each test.
 * The DuckDB store runs it in duckdb.test.ts; the PostgreSQL store runs the same suite.
 */
export function runStoreSuite(name: string, factory: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await factory();
    });

    afterEach(async () => {
      await store.close();
    });

    describe('appending', () => {
      it('stores every metric value and counts them as accepted', async () => {
        expect(await store.appendReadings(fleetBatch())).toEqual({ accepted: 12, duplicates: 0 });
        expect(await store.queryReadings('pump-01')).toHaveLength(6);
        expect(await store.queryReadings('pump-02')).toHaveLength(6);
      });

      it('is idempotent: the same batch twice leaves one copy and the second answer counts duplicates', async () => {
        await store.appendReadings(fleetBatch());
        expect(await store.appendReadings(fleetBatch())).toEqual({ accepted: 0, duplicates: 12 });
        expect(await store.queryReadings('pump-01')).toHaveLength(6);
        expect((await store.getAsset('pump-01'))?.readingCount).toBe(6);
      });

      it('keeps the first stored value when a later batch repeats (asset, metric, ts) with another value', async () => {
        await store.appendReadings([reading('pump-01', 0, { temperature: 70 })]);
        const result = await store.appendReadings([
          reading('pump-01', 0, { temperature: 99, vibration: 0.5 }),
          reading('pump-01', 1, { temperature: 71 }),
        ]);
        expect(result).toEqual({ accepted: 2, duplicates: 1 });
        expect(await store.queryReadings('pump-01')).toEqual([
          { ts: T0, metric: 'temperature', value: 70 },
          { ts: T0, metric: 'vibration', value: 0.5 },
          { ts: T0 + SECOND, metric: 'temperature', value: 71 },
        ]);
      });

      it('dedupes within one batch, keeping the first occurrence', async () => {
        const result = await store.appendReadings([
          reading('pump-01', 0, { temperature: 70 }),
          reading('pump-01', 0, { temperature: 80 }),
          reading('pump-01', 0, { temperature: 90, vibration: 0.1 }),
        ]);
        expect(result).toEqual({ accepted: 2, duplicates: 2 });
        expect(await store.queryReadings('pump-01', { metric: 'temperature' })).toEqual([
          { ts: T0, metric: 'temperature', value: 70 },
        ]);
      });

      it('gives concurrent appends of the same values one copy, counted once as accepted', async () => {
        const results = await Promise.all([
          store.appendReadings(fleetBatch()),
          store.appendReadings(fleetBatch()),
          store.appendReadings(fleetBatch().slice(0, 2)),
        ]);
        expect(results[0]).toEqual({ accepted: 12, duplicates: 0 });
        expect(results[1]).toEqual({ accepted: 0, duplicates: 12 });
        expect(results[2]).toEqual({ accepted: 0, duplicates: 4 });
        expect(await store.queryReadings('pump-01')).toHaveLength(6);
      });

      it('stores times as whole milliseconds: fractions that round to one instant are one value', async () => {
        const rows = toValueRows([
          reading('pump-01', 0, { temperature: 70 }),
          reading('pump-01', 0, { temperature: 71 }),
          reading('pump-01', 1, { temperature: 72 }),
        ]);
        rows.ts[0] = T0 + 0.2;
        rows.ts[1] = T0 + 0.4;
        expect(await store.appendValues(rows)).toEqual({ accepted: 2, duplicates: 1 });
        rows.ts[0] = T0 + 0.3;
        expect(await store.appendValues(rows)).toEqual({ accepted: 0, duplicates: 3 });
        expect(await store.queryReadings('pump-01')).toEqual([
          { ts: T0, metric: 'temperature', value: 70 },
          { ts: T0 + SECOND, metric: 'temperature', value: 72 },
        ]);
      });

      it('tells a late value of a known asset from a duplicate', async () => {
        await store.appendReadings([reading('pump-01', 10, { temperature: 70, vibration: 0.5 })]);
        const late = await store.appendReadings([
          reading('pump-01', 5, { temperature: 65 }),
          reading('pump-01', 10, { temperature: 99, pressure: 3 }),
        ]);
        expect(late).toEqual({ accepted: 2, duplicates: 1 });
        expect(
          (await store.queryReadings('pump-01')).map((value) => [value.ts - T0, value.metric, value.value]),
        ).toEqual([
          [5 * SECOND, 'temperature', 65],
          [10 * SECOND, 'pressure', 3],
          [10 * SECOND, 'temperature', 70],
          [10 * SECOND, 'vibration', 0.5],
        ]);
      });

      it('keeps ids and metric names of every length and script in one batch', async () => {
        // UTF-8 lengths: 1, 12, 13, 8 and 14 bytes.
        const names = ['p', 'twelve-bytes', 'thirteen-byte', 'ünï°C', 'ünï°C-x-y-z'];
        const batch = names.map((name, index) => reading(name, index, { [name]: index, speed: index }));
        expect(await store.appendReadings(batch)).toEqual({ accepted: 10, duplicates: 0 });
        expect((await store.listAssets()).map((asset) => [asset.id, asset.metrics])).toEqual(
          [...names].sort().map((name) => [name, [name, 'speed'].sort()]),
        );
        expect(await store.queryReadings('thirteen-byte')).toEqual([
          { ts: T0 + 2 * SECOND, metric: 'speed', value: 2 },
          { ts: T0 + 2 * SECOND, metric: 'thirteen-byte', value: 2 },
        ]);
        expect(await store.latestValues('ünï°C')).toEqual({
          speed: { ts: T0 + 3 * SECOND, value: 3 },
          'ünï°C': { ts: T0 + 3 * SECOND, value: 3 },
        });
      });

      it('answers an empty batch with zero counts', async () => {
        expect(await store.appendReadings([])).toEqual({ accepted: 0, duplicates: 0 });
        expect(await store.listAssets()).toEqual([]);
      });

      it('appends value rows directly, the same as readings', async () => {
        const rows = toValueRows(fleetBatch());
        expect(await store.appendValues(rows)).toEqual({ accepted: 12, duplicates: 0 });
        expect(await store.appendReadings(fleetBatch())).toEqual({ accepted: 0, duplicates: 12 });
      });

      it('refuses a non-finite value, naming the row', async () => {
        const rows = toValueRows([reading('pump-01', 0, { temperature: 70, vibration: 0.5 })]);
        rows.value[1] = Number.NaN;
        await expect(store.appendValues(rows)).rejects.toThrow(ValidationError);
        await expect(store.appendValues(rows)).rejects.toThrow(/row 1: metric 'vibration' must be a finite number/);
        expect(await store.queryReadings('pump-01')).toEqual([]);
      });

      it('keeps millisecond precision and ids with quotes, spaces and non-ASCII letters', async () => {
        const asset = "line 3 / o'brien's pump";
        await store.appendReadings([{ asset, ts: T0 + 123, metrics: { 'bearing "A" temp °C': 41.5 } }]);
        expect(await store.queryReadings(asset)).toEqual([
          { ts: T0 + 123, metric: 'bearing "A" temp °C', value: 41.5 },
        ]);
        expect((await store.listAssets()).map((summary) => summary.id)).toEqual([asset]);
      });
    });

    describe('range queries', () => {
      beforeEach(async () => {
        await store.appendReadings(fleetBatch());
      });

      it('returns one asset’s values ts ascending, then metric ascending', async () => {
        const values = await store.queryReadings('pump-01');
        expect(values.slice(0, 3)).toEqual([
          { ts: T0, metric: 'temperature', value: 70 },
          { ts: T0, metric: 'vibration', value: 0.5 },
          { ts: T0 + SECOND, metric: 'temperature', value: 71 },
        ]);
        const times = values.map((value) => value.ts);
        expect(times).toEqual([...times].sort((a, b) => a - b));
      });

      it('returns values in ts order whatever order they were appended in', async () => {
        await store.appendReadings([reading('pump-03', 5, { load: 5 }), reading('pump-03', 4, { load: 4 })]);
        await store.appendReadings([reading('pump-03', 3, { load: 3 })]);
        expect((await store.queryReadings('pump-03')).map((value) => value.value)).toEqual([3, 4, 5]);
      });

      it('filters by metric', async () => {
        expect(await store.queryReadings('pump-02', { metric: 'temperature' })).toEqual([
          { ts: T0, metric: 'temperature', value: 60 },
          { ts: T0 + SECOND, metric: 'temperature', value: 61 },
          { ts: T0 + 2 * SECOND, metric: 'temperature', value: 62 },
        ]);
      });

      it('treats from as inclusive and to as exclusive', async () => {
        const values = await store.queryReadings('pump-01', {
          metric: 'temperature',
          from: T0 + SECOND,
          to: T0 + 2 * SECOND,
        });
        expect(values).toEqual([{ ts: T0 + SECOND, metric: 'temperature', value: 71 }]);
      });

      it('returns the earliest values up to the limit', async () => {
        const values = await store.queryReadings('pump-01', { limit: 3 });
        expect(values.map((value) => [value.ts - T0, value.metric])).toEqual([
          [0, 'temperature'],
          [0, 'vibration'],
          [SECOND, 'temperature'],
        ]);
        expect(await store.queryReadings('pump-01', { limit: 0 })).toEqual([]);
      });

      it('returns nothing for an empty range, an unknown metric or an unknown asset', async () => {
        expect(await store.queryReadings('pump-01', { from: T0 + 10 * SECOND })).toEqual([]);
        expect(await store.queryReadings('pump-01', { from: T0 + SECOND, to: T0 + SECOND })).toEqual([]);
        expect(await store.queryReadings('pump-01', { metric: 'pressure' })).toEqual([]);
        expect(await store.queryReadings('no-such-asset')).toEqual([]);
      });

      it('refuses a negative or fractional limit', async () => {
        await expect(store.queryReadings('pump-01', { limit: -1 })).rejects.toThrow(/'limit' must be a non-negative/);
        await expect(store.queryReadings('pump-01', { limit: 1.5 })).rejects.toThrow(ValidationError);
      });
    });

    describe('latest values', () => {
      it('gives the most recent value of every metric, even when appended out of order', async () => {
        await store.appendReadings(fleetBatch());
        await store.appendReadings([reading('pump-01', -10, { temperature: 10, pressure: 3.2 })]);
        expect(await store.latestValues('pump-01')).toEqual({
          pressure: { ts: T0 - 10 * SECOND, value: 3.2 },
          temperature: { ts: T0 + 2 * SECOND, value: 72 },
          vibration: { ts: T0 + 2 * SECOND, value: 0.7 },
        });
      });

      it('is empty for an unknown asset', async () => {
        expect(await store.latestValues('no-such-asset')).toEqual({});
      });
    });

    describe('assets', () => {
      it('lists assets with their metrics, value counts and first/last times, ordered by id', async () => {
        await store.appendReadings(fleetBatch());
        await store.appendReadings([reading('compressor-9', 7, { pressure: 8.1 })]);
        expect(await store.listAssets()).toEqual([
          {
            id: 'compressor-9',
            attributes: {},
            metrics: ['pressure'],
            readingCount: 1,
            firstTs: T0 + 7 * SECOND,
            lastTs: T0 + 7 * SECOND,
          },
          fleetPumpSummary('pump-01'),
          fleetPumpSummary('pump-02'),
        ]);
      });

      it('searches by case-insensitive substring of the id and pages with limit and offset', async () => {
        const batch = ['pump-01', 'pump-02', 'pump-03', 'fan-01'].map((id) => reading(id, 0, { speed: 1 }));
        await store.appendReadings(batch);
        const ids = async (query: Parameters<Store['listAssets']>[0]) =>
          (await store.listAssets(query)).map((asset) => asset.id);
        expect(await ids({ search: 'PUMP' })).toEqual(['pump-01', 'pump-02', 'pump-03']);
        expect(await ids({ search: '-01' })).toEqual(['fan-01', 'pump-01']);
        expect(await ids({ search: 'pump', limit: 2 })).toEqual(['pump-01', 'pump-02']);
        expect(await ids({ search: 'pump', limit: 2, offset: 2 })).toEqual(['pump-03']);
        expect(await ids({ offset: 10 })).toEqual([]);
        expect(await ids({ search: 'nothing-like-it' })).toEqual([]);
      });

      it('takes the search text literally, not as a pattern', async () => {
        await store.appendReadings([reading('pump_01', 0, { speed: 1 }), reading('pump-01', 0, { speed: 1 })]);
        expect((await store.listAssets({ search: '_' })).map((asset) => asset.id)).toEqual(['pump_01']);
        expect((await store.listAssets({ search: '%' })).map((asset) => asset.id)).toEqual([]);
      });

      it('gets one asset, or undefined for an unknown id', async () => {
        await store.appendReadings(fleetBatch());
        expect(await store.getAsset('pump-02')).toEqual(fleetPumpSummary('pump-02'));
        expect(await store.getAsset('no-such-asset')).toBeUndefined();
      });

      it('registers an asset without readings, with no metrics and null times', async () => {
        await store.upsertAssets([{ id: 'spare-7', attributes: { site: 'north' } }]);
        expect(await store.getAsset('spare-7')).toEqual({
          id: 'spare-7',
          attributes: { site: 'north' },
          metrics: [],
          readingCount: 0,
          firstTs: null,
          lastTs: null,
        });
      });

      it('merges attributes on upsert: new keys added, existing keys overwritten, others kept', async () => {
        await store.upsertAssets([{ id: 'pump-01', attributes: { site: 'north', model: 'X1' } }]);
        await store.upsertAssets([{ id: 'pump-01', attributes: { model: 'X2', line: '3' } }]);
        expect((await store.getAsset('pump-01'))?.attributes).toEqual({ site: 'north', model: 'X2', line: '3' });
      });

      it('keeps attributes when readings arrive, and takes attributes carried by readings', async () => {
        await store.upsertAssets([{ id: 'pump-01', attributes: { site: 'north' } }]);
        await store.appendReadings(fleetBatch());
        await store.appendReadings([{ ...reading('pump-02', 9, { temperature: 1 }), attributes: { site: 'south' } }]);
        expect((await store.getAsset('pump-01'))?.attributes).toEqual({ site: 'north' });
        expect((await store.getAsset('pump-02'))?.attributes).toEqual({ site: 'south' });
        await store.appendReadings([
          { ...reading('pump-02', 10, { temperature: 1 }), attributes: { site: 'east', line: '1' } },
          { ...reading('pump-02', 11, { temperature: 1 }), attributes: { site: 'west' } },
        ]);
        expect((await store.getAsset('pump-02'))?.attributes).toEqual({ site: 'west', line: '1' });
      });

      it('refuses an asset with an empty id', async () => {
        await expect(store.upsertAssets([{ id: '', attributes: {} }])).rejects.toThrow(/asset 0: id must be/);
      });
    });
  });
}
