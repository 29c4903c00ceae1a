import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { DEFAULT_LIMITS } from '../api/context.js';
import { ManualClock } from '../core/clock.js';
import { OverloadedError, ValidationError } from '../core/errors.js';
import type { Reading } from '../core/reading.js';
import { Rng } from '../core/rng.js';
import { AlertMonitor } from '../scoring/alert-monitor.js';
import { AssetHealthScorer } from '../scoring/asset-health.js';
import { DuckDBStore } from '../store/duckdb.js';
import { DuckDBAlerts } from '../store/duckdb-alerts.js';
import type { Store } from '../store/store.js';
import { Pipeline } from './pipeline.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;
const S = 1000;

/** A steady temperature around 50 (σ 1, seeded) every 10 s from T0, then `tail` values. */
function steady(asset: string, count: number, tail: readonly number[] = []): Reading[] {
  const rng = new Rng(7);
  const values = [...Array.from({ length: count }, () => 50 + rng.normal()), ...tail];
  return values.map((temperature, i) => ({ asset, ts: T0 + i * 10 * S, metrics: { temperature } }));
}

/** The store, with `getAsset` held until `release()`: the pipeline's scoring waits while ingest goes on. */
function gated(store: Store): { store: Store; release: () => void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held = new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'getAsset' && typeof value === 'function') {
        return async (id: string) => {
          await gate;
          return value.call(target, id);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: held, release };
}

describe('Pipeline', () => {
  let store: DuckDBStore;
  let alerts: DuckDBAlerts;

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:');
    alerts = await DuckDBAlerts.open(store);
  });

  afterEach(async () => {
    await store.close();
  });

  const appWith = (pipeline: Pipeline): OpenAPIHono =>
    createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test', alerts, pipeline });

  const post = (app: OpenAPIHono, readings: readonly Reading[]) =>
    app.request('/v1/readings', {
      method: 'POST',
      body: JSON.stringify(readings),
      headers: { 'content-type': 'application/json' },
    });

  it('readings posted through the API open an alert for a metric threshold rule, response shape unchanged', async () => {
    const rule = await alerts.addRule({
      name: 'hot',
      condition: { kind: 'metric_above', metric: 'temperature', threshold: 80, clear: 70 },
      severity: 'major',
      forMs: 0,
      clearForMs: 0,
    });
    const pipeline = new Pipeline({ store, monitor: await AlertMonitor.open(alerts) });
    const app = appWith(pipeline);
    const response = await post(app, [
      { asset: 'pump-01', ts: T0, metrics: { temperature: 75 } },
      { asset: 'pump-01', ts: T0 + 10 * S, metrics: { temperature: 85, vibration: 0.5 } },
      { asset: 'pump-02', ts: T0, metrics: { temperature: 60 } },
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 4, duplicates: 0, readings: 3 });
    await pipeline.idle();
    const open = await alerts.list({ state: 'open' });
    expect(open.map((alert) => [alert.ruleId, alert.asset, alert.openedAt, alert.value])).toEqual([
      [rule.id, 'pump-01', T0 + 10 * S, 85],
    ]);
    expect(pipeline.stats()).toMatchObject({
      queuedReadings: 0,
      processedReadings: { http: 3, mqtt: 0, simulator: 0 },
      rejectedReadings: { http: 0, mqtt: 0, simulator: 0 },
      failedReadings: 0,
      alertsOpened: 1,
    });
  });

  it('a spike after a steady history raises the likelihood and fires a likelihood rule', async () => {
    const rule = await alerts.addRule({
      name: 'odd temperature',
      condition: { kind: 'anomaly_likelihood_above', metric: 'temperature', threshold: 0.8, clear: 0.5 },
      severity: 'minor',
      forMs: 0,
      clearForMs: 0,
    });
    const scorer = new AssetHealthScorer(store);
    const pipeline = new Pipeline({ store, scorer, monitor: await AlertMonitor.open(alerts) });
    const history = steady('fan-01', 1100, [80]);
    await pipeline.ingest(history.slice(0, 1100), 'mqtt');
    await pipeline.idle();
    const calm = (await scorer.health('fan-01')).metrics.temperature;
    expect(calm.ts).toBe(history[1099].ts);
    expect(calm.likelihood).toBeLessThan(0.5);
    expect(await alerts.list()).toEqual([]);

    // 80 is a 30σ excursion from 1,100 values of N(50, 1), beyond all of them: the ensemble's likelihood reaches
    // its alarm range (as in asset-health.test.ts, which needs that much history for the tail to be rated)
    await pipeline.ingest(history.slice(1100), 'mqtt');
    await pipeline.idle();
    const spike = (await scorer.health('fan-01')).metrics.temperature;
    expect(spike.ts).toBe(history[1100].ts);
    expect(spike.likelihood).toBeGreaterThan(0.8);
    const open = await alerts.list({ state: 'open' });
    expect(open.map((alert) => [alert.ruleId, alert.asset, alert.openedAt])).toEqual([
      [rule.id, 'fan-01', history[1100].ts],
    ]);
    expect(open[0].value).toBe(spike.likelihood);
  });

  it('a late reading is stored under its own time but not learned by the detector', async () => {
    const scorer = new AssetHealthScorer(store);
    const pipeline = new Pipeline({ store, scorer });
    const history = steady('fan-01', 50);
    await pipeline.ingest(history, 'http');
    await pipeline.idle();
    const before = (await scorer.health('fan-01')).metrics.temperature;
    const late = { asset: 'fan-01', ts: T0 + 5 * S, metrics: { temperature: 500 } };
    expect(await pipeline.ingest([late], 'http')).toEqual({ accepted: 1, duplicates: 0 });
    await pipeline.idle();
    expect(await store.queryReadings('fan-01', { metric: 'temperature', from: T0 + 5 * S, to: T0 + 6 * S })).toEqual([
      { ts: T0 + 5 * S, metric: 'temperature', value: 500 },
    ]);
    expect((await scorer.health('fan-01')).metrics.temperature).toEqual(before);
  });

  it('scores a late value against the history before it, at its own time, leaving the running detector as it was', async () => {
    const seen: Reading[] = [];
    const monitor = {
      async observe(observations: readonly Reading[]) {
        seen.push(...observations);
        return { opened: [], resolved: [] };
      },
    } as unknown as AlertMonitor;
    const other = await DuckDBStore.open(':memory:');
    try {
      const scorer = new AssetHealthScorer(store);
      const reference = new AssetHealthScorer(other);
      const pipeline = new Pipeline({ store, scorer, monitor }, { lateHistoryMs: 24 * 3_600_000 });
      const control = new Pipeline({ store: other, scorer: reference });
      const history = steady('fan-01', 1300, [50.5]);
      for (const p of [pipeline, control]) {
        await p.ingest(history.slice(0, 1300), 'mqtt');
        await p.idle();
      }
      // Two late values between stored ones: a 30σ excursion and an ordinary one.
      const spikeTs = T0 + 1200 * 10 * S + 5 * S;
      const calmTs = T0 + 1250 * 10 * S + 5 * S;
      seen.length = 0;
      await pipeline.ingest(
        [
          { asset: 'fan-01', ts: spikeTs, metrics: { temperature: 80 } },
          { asset: 'fan-01', ts: calmTs, metrics: { temperature: 50.2 } },
        ],
        'mqtt',
      );
      await pipeline.idle();
      expect(pipeline.stats().lateValues).toBe(2);
      const likelihoodAt = (ts: number) =>
        seen.find((observation) => observation.ts === ts && 'likelihood:temperature' in observation.metrics)?.metrics[
          'likelihood:temperature'
        ];
      expect(likelihoodAt(spikeTs)).toBeGreaterThan(0.8);
      expect(likelihoodAt(calmTs)).toBeLessThan(0.5);
      // The running detector did not learn them: the next value scores exactly as without the late ones.
      for (const p of [pipeline, control]) {
        await p.ingest(history.slice(1300), 'mqtt');
        await p.idle();
      }
      const next = (await scorer.health('fan-01')).metrics.temperature;
      expect(next).toEqual((await reference.health('fan-01')).metrics.temperature);
      expect(next.ts).toBe(history[1300]?.ts);
    } finally {
      await other.close();
    }
  });

  it('a full queue answers 503 with Retry-After and stores nothing of the refused batch', async () => {
    const held = gated(store);
    const pipeline = new Pipeline({ store, scorer: new AssetHealthScorer(held.store) }, { capacity: 3 });
    const app = appWith(pipeline);
    const first = steady('pump-01', 3);
    expect((await post(app, first)).status).toBe(200);
    expect(pipeline.stats().queuedReadings).toBe(3);

    const refused = [{ asset: 'pump-02', ts: T0, metrics: { temperature: 51 } }];
    const response = await post(app, refused);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { error: string }).error).toBe(
      'ingest: batch of 1 readings refused, 3 readings are waiting to be scored (capacity 3); retry after 1 s',
    );
    expect(await store.getAsset('pump-02')).toBeUndefined();
    expect(pipeline.stats().rejectedReadings.http).toBe(1);

    held.release();
    await pipeline.idle();
    expect((await post(app, refused)).status).toBe(200);
    await pipeline.idle();
    expect(await store.queryReadings('pump-02')).toEqual([{ ts: T0, metric: 'temperature', value: 51 }]);
    expect(pipeline.stats().processedReadings.http).toBe(4);
  });

  it('accepts a batch larger than the capacity into an empty queue, and refuses everything once closed', async () => {
    const pipeline = new Pipeline({ store }, { capacity: 2 });
    expect(await pipeline.ingest(steady('pump-01', 5), 'simulator')).toEqual({ accepted: 5, duplicates: 0 });
    await pipeline.close();
    await expect(pipeline.ingest(steady('pump-01', 1), 'simulator')).rejects.toThrow(OverloadedError);
    expect(pipeline.stats().processedReadings.simulator).toBe(5);
    expect(pipeline.stats().rejectedReadings.simulator).toBe(1);
  });

  it('storeFor routes a source’s own appends through the pipeline and leaves the other methods to the store', async () => {
    const pipeline = new Pipeline({ store });
    const viaPipeline = pipeline.storeFor('mqtt');
    await viaPipeline.upsertAssets([{ id: 'pump-01', attributes: { site: 'north' } }]);
    expect(await viaPipeline.appendReadings(steady('pump-01', 2))).toEqual({ accepted: 2, duplicates: 0 });
    await pipeline.idle();
    expect(pipeline.stats().processedReadings.mqtt).toBe(2);
    expect((await viaPipeline.getAsset('pump-01'))?.metrics).toEqual(['temperature']);
  });

  it('keeps the data and goes on when scoring an asset fails, counting and reporting it', async () => {
    const broken = new Proxy(store, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property === 'getAsset') {
          return async (id: string) => {
            if (id === 'bad') throw new Error('disk unreadable');
            return target.getAsset(id);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const lines: string[] = [];
    const scorer = new AssetHealthScorer(broken);
    const pipeline = new Pipeline({ store, scorer }, { log: (line) => lines.push(line) });
    await pipeline.ingest([...steady('bad', 2), ...steady('good', 3)], 'http');
    await pipeline.idle();
    expect(lines).toEqual(['pipeline: 2 readings of "bad" not scored: disk unreadable']);
    expect(pipeline.stats()).toMatchObject({ processedReadings: { http: 5 }, failedReadings: 2, queuedReadings: 0 });
    expect(await store.queryReadings('bad')).toHaveLength(2);
    expect((await scorer.health('good')).metrics.temperature.ts).toBe(T0 + 20 * S);
  });

  it('refuses a capacity that is not a positive integer, naming the option', () => {
    expect(() => new Pipeline({ store }, { capacity: 0 })).toThrow(
      new ValidationError("pipeline: option 'capacity' must be a positive integer, got 0"),
    );
  });
});
