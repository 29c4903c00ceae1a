import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { createDetector, scoreSeries } from '../models/anomaly/factory.js';
import type { DetectorStateRecord, DetectorStateStore } from '../store/detector-states.js';
import { openStore } from '../store/open.js';
import { openDetectorStates } from '../store/open-detector-states.js';
import type { Store } from '../store/store.js';
import { AssetHealthScorer, healthStatus } from './asset-health.js';
import { lastValues } from './recent-values.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;
const MINUTE = 60_000;

/** n minutely values around `level` with N(0, 1) noise from a fixed seed. */
function steady(n: number, level: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => level + rng.normal());
}

async function store(asset: string, metric: string, values: number[], start = 0): Promise<void> {
  await db.appendReadings(
    values.map((value, index) => ({ asset, ts: T0 + (start + index) * MINUTE, metrics: { [metric]: value } })),
  );
}

let db: Store;

beforeEach(async () => {
  db = await openStore(':memory:');
});

afterEach(async () => {
  await db.close();
});

describe('healthStatus', () => {
  it('is ok below watch, watch from it, alarm from alarm', () => {
    const thresholds = { watch: 0.5, alarm: 0.8 };
    expect(healthStatus(0.49, thresholds)).toBe('ok');
    expect(healthStatus(0.5, thresholds)).toBe('watch');
    expect(healthStatus(0.79, thresholds)).toBe('watch');
    expect(healthStatus(0.8, thresholds)).toBe('alarm');
  });
});

describe('lastValues', () => {
  it('returns the last n values of one metric, ts ascending, whatever the sampling', async () => {
    // Dense at first, sparse later: the first window guessed from the average rate is too narrow and is widened.
    const dense = Array.from({ length: 900 }, (_, index) => index);
    await store('a', 'x', dense);
    await db.appendReadings(
      Array.from({ length: 10 }, (_, index) => ({
        asset: 'a',
        ts: T0 + (10_000 + index * 1000) * MINUTE,
        metrics: { x: 900 + index },
      })),
    );
    await store('a', 'y', [1, 2, 3]);
    const summary = await db.getAsset('a');
    if (!summary) throw new Error('asset a missing');
    const last = await lastValues(db, 'a', 'x', 25, summary);
    expect(last.map((row) => row.value)).toEqual(Array.from({ length: 25 }, (_, index) => 885 + index));
    expect((await lastValues(db, 'a', 'y', 25, summary)).map((row) => row.value)).toEqual([1, 2, 3]);
    expect(await lastValues(db, 'a', 'z', 25, summary)).toEqual([]);
  });
});

describe('AssetHealthScorer', () => {
  it('is ok for a steady asset, and reports the time of each last value', async () => {
    await store('pump', 'temperature', steady(1100, 70, 1));
    await store('pump', 'vibration', steady(1100, 5, 2));
    const health = await new AssetHealthScorer(db).health('pump');
    expect(health.status).toBe('ok');
    expect(health.likelihood).toBeLessThan(0.5);
    expect(Object.keys(health.metrics).sort()).toEqual(['temperature', 'vibration']);
    expect(health.metrics.temperature.ts).toBe(T0 + 1099 * MINUTE);
    expect(health.likelihood).toBe(
      Math.max(health.metrics.temperature.likelihood, health.metrics.vibration.likelihood),
    );
  });

  it('alarms on a spike after a steady history, naming the metric', async () => {
    // A 25σ spike after 1,100 steady values: beyond everything seen, rated by the ensemble's extrapolated tail.
    await store('pump', 'temperature', [...steady(1100, 70, 1), 95]);
    await store('pump', 'vibration', steady(1101, 5, 2));
    const health = await new AssetHealthScorer(db).health('pump');
    expect(health.status).toBe('alarm');
    expect(health.metrics.temperature.likelihood).toBeGreaterThanOrEqual(0.8);
    expect(health.metrics.vibration.likelihood).toBeLessThan(0.5);
  });

  it('equals a detector run over the last historyLimit values, and later calls feed only new values', async () => {
    const values = [...steady(700, 70, 3), 71, 90, 70.5];
    await store('pump', 'temperature', values.slice(0, 650));
    const scorer = new AssetHealthScorer(db, { historyLimit: 500 });
    const first = await scorer.health('pump');
    await store('pump', 'temperature', values.slice(650), 650);
    const second = await scorer.health('pump');
    expect(scorer.cachedDetectors).toBe(1);
    // No look-ahead: the same detector fed values 150…702 one at a time, as a fresh scorer's first call would not.
    const fed = values.slice(150);
    const timestamps = fed.map((_, index) => T0 + (150 + index) * MINUTE);
    const expected = scoreSeries('default', timestamps, fed);
    expect(first.metrics.temperature.likelihood).toBe(expected[499]);
    expect(second.metrics.temperature.likelihood).toBe(expected[expected.length - 1]);
    expect(second.metrics.temperature.ts).toBe(T0 + 702 * MINUTE);
  });

  it('keeps at most cacheSize detectors, dropping the least recently used', async () => {
    for (const asset of ['a', 'b', 'c']) await store(asset, 'x', steady(20, 1, 4));
    const scorer = new AssetHealthScorer(db, { cacheSize: 2 });
    for (const asset of ['a', 'b', 'a', 'c']) await scorer.health(asset);
    expect(scorer.cachedDetectors).toBe(2);
  });

  it('rejects an unknown asset and bad options with typed errors', async () => {
    await expect(new AssetHealthScorer(db).health('ghost')).rejects.toThrow(/asset "ghost" not found/);
    expect(() => new AssetHealthScorer(db, { historyLimit: 0 })).toThrow(
      /'historyLimit' must be a positive integer, got 0/,
    );
    expect(() => new AssetHealthScorer(db, { watch: 0.95 })).toThrow(/watch 0.95 and alarm 0.8/);
  });
});

describe('AssetHealthScorer persistence', () => {
  it('resumes after a restart with the likelihoods of a scorer that never stopped, learning only new values', async () => {
    const states = await openDetectorStates(db);
    if (!states) throw new Error('no detector-state table on DuckDB');
    const values = steady(1500, 40, 11);
    await store('press-1', 'temperature', values.slice(0, 1000));
    await store('press-1', 'pressure', steady(1000, 5, 12));
    const clock = () => T0 + 10_000 * MINUTE;
    const running = new AssetHealthScorer(db, {}, { states, now: clock });
    await running.health('press-1');
    expect(await running.snapshot()).toEqual({ saved: 2 });
    // Nothing learned since: nothing to save.
    expect(await running.snapshot()).toEqual({ saved: 0 });

    // New readings after the "restart", with a spike in the last one.
    const later = values.slice(1000);
    later[later.length - 1] += 30;
    await store('press-1', 'temperature', later, 1000);
    const restarted = new AssetHealthScorer(db, {}, { states, now: clock });
    expect(await restarted.restore()).toEqual({ restored: 2, skipped: 0 });
    let readsAfterRestore = 0;
    const queryReadings = db.queryReadings.bind(db);
    db.queryReadings = (asset, query) => {
      readsAfterRestore += 1;
      // A restored detector asks only for what is newer than its last value.
      expect(query?.from).toBe(T0 + 999 * MINUTE + 1);
      return queryReadings(asset, query);
    };
    const resumed = await restarted.health('press-1');
    db.queryReadings = queryReadings;
    const continuous = await running.health('press-1');
    expect(readsAfterRestore).toBe(2);
    expect(resumed.metrics.temperature.likelihood).toBe(continuous.metrics.temperature.likelihood);
    expect(resumed.metrics.temperature.likelihood).toBeGreaterThan(0.5);
    expect(resumed).toEqual(continuous);
  });

  it('skips saved states of another detector configuration and warms those series up afresh', async () => {
    const states = await openDetectorStates(db);
    if (!states) throw new Error('no detector-state table on DuckDB');
    const other = createDetector('default', { warmup: 10 });
    await states.save([
      { asset: 'a', metric: 'x', detector: JSON.stringify(other.toJSON()), lastTs: T0, score: 0, savedAt: T0 },
      { asset: 'a', metric: 'y', detector: '{not json', lastTs: T0, score: 0, savedAt: T0 },
    ]);
    const scorer = new AssetHealthScorer(db, {}, { states, now: () => T0 });
    expect(await scorer.restore()).toEqual({ restored: 0, skipped: 2 });
    expect(scorer.cachedDetectors).toBe(0);
  });

  it('saves detectors in batches, and keeps them to save again when a batch fails', async () => {
    for (let asset = 0; asset < 40; asset++) await store(`m${asset}`, 'x', steady(30, 10, asset));
    const saved: DetectorStateRecord[][] = [];
    let failNext = true;
    const states: DetectorStateStore = {
      save: async (records) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        saved.push([...records]);
      },
      load: async () => [],
      clear: async () => undefined,
    };
    const scorer = new AssetHealthScorer(db, {}, { states, now: () => T0 });
    for (let asset = 0; asset < 40; asset++) await scorer.health(`m${asset}`);
    await expect(scorer.snapshot()).rejects.toThrow(/disk full/);
    expect(await scorer.snapshot()).toEqual({ saved: 40 });
    expect(saved.map((batch) => batch.length)).toEqual([32, 8]);
    expect(new Set(saved.flat().map((record) => record.asset)).size).toBe(40);
    expect(await scorer.snapshot()).toEqual({ saved: 0 });
  });
});
