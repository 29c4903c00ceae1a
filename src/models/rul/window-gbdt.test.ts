import { describe, expect, it } from 'vitest';
import type { UnitSeries } from '../../features/windows.js';
import { WindowGbdtEstimator } from './window-gbdt.js';

const TREES = { nEstimators: 10, maxDepth: 2, nThreads: 1 };

/** One sensor rising linearly to failure; target = rows left. */
function unit(id: number, rows: number): UnitSeries {
  return {
    unit: id,
    values: Float64Array.from({ length: rows }, (_, row) => row / rows),
    targets: Float64Array.from({ length: rows }, (_, row) => rows - 1 - row),
  };
}

const series = [unit(1, 120), unit(2, 90), unit(3, 150)];

describe('WindowGbdtEstimator with minHistory', () => {
  it('scores a long window from row minHistory − 1 on, like a window of that length', async () => {
    const padded = new WindowGbdtEstimator({ window: { length: 50, stride: 1 }, minHistory: 30, gbdt: TREES, seed: 0 });
    const short = new WindowGbdtEstimator({ window: { length: 30, stride: 1 }, gbdt: TREES, seed: 0 });
    const unpadded = new WindowGbdtEstimator({ window: { length: 50, stride: 1 }, gbdt: TREES, seed: 0 });
    for (const estimator of [padded, short, unpadded]) await estimator.fit(series, ['s']);
    const a = await padded.predict(series, ['s'], false);
    const b = await short.predict(series, ['s'], false);
    const c = await unpadded.predict(series, ['s'], false);
    // 91 + 61 + 121 windows ending at rows 29… of each unit; without minHistory from row 49 on.
    expect(a.endRows.length).toBe(273);
    expect(Array.from(a.endRows)).toEqual(Array.from(b.endRows));
    expect(Array.from(a.units)).toEqual(Array.from(b.units));
    expect(a.endRows[0]).toBe(29);
    expect(c.endRows.length).toBe(273 - 3 * 20);
    expect(c.endRows[0]).toBe(49);
    // Predictions follow the rising sensor: far more life left at the first window than at the last.
    expect(a.mean[0] as number).toBeGreaterThan((a.mean[90] as number) + 20);
  });

  it('answers a unit shorter than minHistory with one window at its last row, and keeps minHistory when saved', async () => {
    const estimator = new WindowGbdtEstimator({ window: { length: 50, stride: 1 }, minHistory: 30, gbdt: TREES });
    await estimator.fit(series, ['s']);
    const tiny = await estimator.predict([unit(9, 10)], ['s'], false);
    expect(Array.from(tiny.endRows)).toEqual([9]);
    const last = await estimator.predict(series, ['s'], true);
    expect(Array.from(last.endRows)).toEqual([119, 89, 149]);
    const loaded = WindowGbdtEstimator.fromJSON(JSON.parse(JSON.stringify(estimator.toJSON())));
    expect(loaded.options.minHistory).toBe(30);
    const again = await loaded.predict(series, ['s'], false);
    expect(again.endRows.length).toBe(273);
    expect(Array.from(again.mean)).toEqual(Array.from((await estimator.predict(series, ['s'], false)).mean));
  });
});
