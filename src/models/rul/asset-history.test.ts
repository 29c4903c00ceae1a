import { describe, expect, it } from 'vitest';
import { SensorNormaliser } from '../../features/normalise-sensors.js';
import type { ReadingQuery, StoredValue } from '../../store/store.js';
import { assetRunData, FIRST_RECENT_SPAN_MS, recentRunData } from './asset-history.js';
import type { RulEstimator } from './estimator.js';
import { type RulCard, RulPipeline } from './pipeline.js';

/** A pipeline reading sensors a and b with one operating condition (setting1 is read but not required). */
function pipeline(): RulPipeline {
  const columns = ['setting1', 'a', 'b'];
  const normaliser = new SensorNormaliser({
    conditionColumns: ['setting1'],
    conditions: { method: 'grid', step: 1 },
  }).fit([Float64Array.from([0, 1, 2, 0, 3, 5, 0, 4, 1])], columns);
  const config = { window: { length: 2, stride: 1 }, cap: 125, level: 0.9, inputColumns: columns, sensors: ['a', 'b'] };
  return new RulPipeline(normaliser, config, {} as RulEstimator, {} as RulCard);
}

describe('assetRunData', () => {
  it('keeps the timestamps where every needed sensor has a value, in time order, filling unused columns with 0', () => {
    const model = pipeline();
    expect(model.requiredColumns).toEqual(['a', 'b']);
    const values = [
      { ts: 30, metric: 'a', value: 3 },
      { ts: 10, metric: 'a', value: 1 },
      { ts: 10, metric: 'b', value: 10 },
      { ts: 20, metric: 'a', value: 2 },
      { ts: 30, metric: 'b', value: 30 },
      { ts: 30, metric: 'setting1', value: 0.5 },
      { ts: 40, metric: 'temperature', value: 70 },
    ];
    const data = assetRunData(model, values);
    expect(data?.columns).toEqual(['setting1', 'a', 'b']);
    const [unit] = data?.units ?? [];
    // ts 20 lacks b and ts 40 has neither: rows at 10 and 30, numbered as cycles 1 and 2.
    expect(Array.from(unit?.cycles ?? [])).toEqual([1, 2]);
    expect(Array.from(unit?.values ?? [])).toEqual([0, 1, 10, 0.5, 3, 30]);
    expect(Array.from(assetRunData(model, values, 1)?.units[0]?.values ?? [])).toEqual([0.5, 3, 30]);
  });

  it('is undefined when no timestamp has every needed sensor', () => {
    expect(assetRunData(pipeline(), [{ ts: 1, metric: 'a', value: 1 }])).toBeUndefined();
    expect(assetRunData(pipeline(), [])).toBeUndefined();
  });
});

describe('recentRunData', () => {
  /** A store of one asset whose values are `values`, recording the `from` of every query. */
  function fakeStore(values: StoredValue[]) {
    const reads: (number | undefined)[] = [];
    const times = values.map((value) => value.ts);
    return {
      reads,
      async getAsset(id: string) {
        if (id !== 'engine') return undefined;
        const [firstTs, lastTs] = [Math.min(...times), Math.max(...times)];
        return { id, attributes: {}, metrics: ['a', 'b'], readingCount: values.length, firstTs, lastTs };
      },
      async queryReadings(_asset: string, query: ReadingQuery = {}) {
        reads.push(query.from);
        return values.filter((value) => query.from === undefined || value.ts >= query.from);
      },
    };
  }

  /** Sensors a and b every 10 s for `count` timestamps; b missing at the timestamps `gap` picks. */
  function history(count: number, gap: (index: number) => boolean): StoredValue[] {
    return Array.from({ length: count }, (_, index) => [
      { ts: 10_000 * index, metric: 'a', value: index },
      ...(gap(index) ? [] : [{ ts: 10_000 * index, metric: 'b', value: -index }]),
    ]).flat();
  }

  it('frames the same last rows as the whole history, reading only a recent range', async () => {
    const values = history(10_000, () => false);
    const store = fakeStore(values);
    const recent = await recentRunData(store, 'engine', pipeline(), 5);
    expect(recent).toEqual(assetRunData(pipeline(), values, 5));
    // 60 s back from the last value holds 7 rows: one read, of that range.
    expect(store.reads).toEqual([10_000 * 9_999 - FIRST_RECENT_SPAN_MS]);
  });

  it('widens the range eightfold while it lacks complete rows, and ends at the whole history', async () => {
    // The last 300 timestamps (50 min) lack b: 1 and 8 min back hold no complete row, 64 min back holds 84.
    const values = history(2_000, (index) => index >= 1_700);
    const store = fakeStore(values);
    expect(await recentRunData(store, 'engine', pipeline(), 5)).toEqual(assetRunData(pipeline(), values, 5));
    expect(store.reads.length).toBe(3);
    // Asking for more rows than exist reads everything once the range passes the first value.
    const all = fakeStore(history(100, () => false));
    expect(await recentRunData(all, 'engine', pipeline(), 500)).toEqual(
      assetRunData(
        pipeline(),
        history(100, () => false),
        500,
      ),
    );
    expect(all.reads.at(-1)).toBeUndefined();
    expect(await recentRunData(all, 'unknown', pipeline(), 5)).toBeUndefined();
  });
});
