import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { historyBaseline, historyBaselines, historyKey, historyScore, MAX_HISTORY_SCORE } from './history-z-score.js';

/** 7 × 49, 7 × 50, 7 × 51: median 50; deviations 7 × 0 and 14 × 1, so MAD = 1. */
const SPREAD = [...Array(7).fill(49), ...Array(7).fill(50), ...Array(7).fill(51)] as number[];

describe('historyBaseline and historyScore', () => {
  it('rates a value by the median and MAD of the history', () => {
    const baseline = historyBaseline(Float64Array.from(SPREAD));
    expect(baseline).toEqual({ count: 21, center: 50, scale: 1, method: 'mad' });
    // 0.6745 · |80 − 50| / 1
    expect(historyScore(80, baseline as NonNullable<typeof baseline>)).toBeCloseTo(20.235, 12);
    expect(historyScore(50, baseline as NonNullable<typeof baseline>)).toBe(0);
  });

  it('falls back to mean and σ when the MAD is 0, and caps a change from a constant history', () => {
    // 10 × 0 and 1 × 11: median 0, MAD 0; mean 1, population σ = sqrt((10·1 + 100)/11) = sqrt(10)
    const skewed = historyBaseline(Float64Array.from([...Array(10).fill(0), 11]));
    expect(skewed?.method).toBe('std');
    expect(historyScore(1 + 2 * Math.sqrt(10), skewed as NonNullable<typeof skewed>)).toBeCloseTo(2, 12);
    const constant = historyBaseline(new Float64Array(12).fill(5));
    expect(historyScore(5, constant as NonNullable<typeof constant>)).toBe(0);
    expect(historyScore(5.1, constant as NonNullable<typeof constant>)).toBe(MAX_HISTORY_SCORE);
  });

  it('needs 10 values', () => {
    expect(historyBaseline(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toBeUndefined();
  });
});

describe('historyBaselines', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  it('uses only the last `window` values of each asset and metric', async () => {
    // 30 old values at 1000, then SPREAD: a window of 21 sees only SPREAD.
    const values = [...Array(30).fill(1000), ...SPREAD] as number[];
    await store.appendReadings(values.map((value, index) => ({ asset: 'a', ts: index * 1000, metrics: { x: value } })));
    const baselines = await historyBaselines(
      store,
      new Map([
        ['a', new Set(['x', 'y'])],
        ['ghost', new Set(['x'])],
      ]),
      21,
    );
    expect([...baselines.keys()]).toEqual([historyKey('a', 'x')]);
    expect(baselines.get(historyKey('a', 'x'))).toEqual({ count: 21, center: 50, scale: 1, method: 'mad' });
  });
});
