import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.js';
import { DEFAULT_LIMITS } from '../src/api/context.js';
import { downsampledReadings, downsampleValues } from '../src/api/readings-downsample.js';
import { ManualClock } from '../src/core/clock.js';
import { FleetSimulator } from '../src/io/fleet-simulator.js';
import {
  ensureDefaultModels,
  FAILURE_HORIZON_MS,
  FAILURE_RISK_MODEL,
  RUL_CAP_HOURS,
  RUL_MODEL,
  trainingRows,
} from '../src/jobs/default-models.js';
import { DuckDBStore } from '../src/store/duckdb.js';
import { DuckDBAlerts } from '../src/store/duckdb-alerts.js';
import { DuckDBModelRegistry } from '../src/store/duckdb-registry.js';

const HOUR = 3_600_000;
/** 2026-01-01T00:00:00Z */
const NOW = 1_767_225_600_000;

describe('default models at first start', () => {
  let store: DuckDBStore;
  let registry: DuckDBModelRegistry;
  const clock = new ManualClock(NOW);
  const simulator = new FleetSimulator({ machines: 8, clock, seed: 3 });

  beforeAll(async () => {
    store = await DuckDBStore.open(':memory:');
    registry = await DuckDBModelRegistry.open(store);
  });
  afterAll(() => store.close());

  it('labels training rows from the simulator ground truth', () => {
    const rows = trainingRows(simulator, NOW - 6 * HOUR, NOW, 10 * 60_000);
    expect(rows.length).toBe(36 * 8);
    for (const row of rows) {
      const machine = simulator.machines.find((m) => m.id === row.asset);
      expect(machine).toBeDefined();
      if (!machine?.degrading) {
        expect(row.failure_soon).toBe(0);
        expect(row.rul_hours).toBe(RUL_CAP_HOURS);
      }
      expect(row.failure_soon).toBe((row.rul_hours as number) * HOUR <= FAILURE_HORIZON_MS ? 1 : 0);
    }
    expect(rows.some((row) => row.failure_soon === 1)).toBe(true);
  });

  it('stores history and trains failure-risk and rul on the first start, then reuses them', async () => {
    const lines: string[] = [];
    const first = await ensureDefaultModels({
      store,
      registry,
      simulator,
      clock,
      historyMs: 6 * HOUR,
      historyStepMs: 60_000,
      sampleStepMs: 5 * 60_000,
      log: (line) => lines.push(line),
    });
    expect(first.backfilled).toBe(6 * 60 * 8);
    expect(first.trained).toEqual([`${FAILURE_RISK_MODEL}@1`, `${RUL_MODEL}@1`]);
    expect(lines[0]).toMatch(/^storing 6 h of simulated history for 8 machines$/);
    expect(lines.some((line) => /failure-risk@1 trained in .* s and active/.test(line))).toBe(true);
    const active = await registry.getActive(FAILURE_RISK_MODEL);
    expect(active?.task).toBe('classification');
    const card = active?.card as { evaluation?: { roc?: { fpr: number[] } } } | undefined;
    const evaluation = card?.evaluation;
    expect(evaluation?.roc?.fpr[0]).toBe(0);
    expect(evaluation?.roc?.fpr.at(-1)).toBe(1);
    expect((await registry.getActive(RUL_MODEL))?.task).toBe('regression');

    const second = await ensureDefaultModels({ store, registry, simulator, clock, log: (line) => lines.push(line) });
    expect(second).toEqual({ backfilled: 0, trained: [], reused: ['failure-risk@1', 'rul@1'], failed: [] });
    expect(lines.at(-1)).toBe('default models: failure-risk@1, rul@1 (trained at an earlier start)');
  });

  it('serves the fleet summary: risk and RUL per asset, open alerts counted, the why and a trajectory', async () => {
    const alerts = await DuckDBAlerts.open(store);
    const target = simulator.machines[0]?.id as string;
    await alerts.open({ ruleId: '7', asset: target, severity: 'critical', message: 'hot', value: 99, openedAt: NOW });
    const app = createApp({ store, clock, limits: DEFAULT_LIMITS, version: 'test', registry, alerts });
    const response = await app.request('/v1/fleet');
    expect(response.status).toBe(200);
    const fleet = (await response.json()) as {
      models: { failure_risk: string; rul: string };
      assets: {
        id: string;
        failure_risk: number;
        rul: { hours: number; lower: number; upper: number };
        open_alerts: number;
        alert_severity: string | null;
        status: string | null;
      }[];
    };
    expect(fleet.models).toEqual({ failure_risk: 'failure-risk@1', rul: 'rul@1' });
    expect(fleet.assets.map((a) => a.id).sort()).toEqual(simulator.machines.map((m) => m.id).sort());
    for (const asset of fleet.assets) {
      expect(asset.failure_risk).toBeGreaterThanOrEqual(0);
      expect(asset.failure_risk).toBeLessThanOrEqual(1);
      expect(asset.rul.lower).toBeLessThanOrEqual(asset.rul.hours);
      expect(asset.rul.upper).toBeGreaterThanOrEqual(asset.rul.hours);
      expect(asset.rul.upper).toBeLessThanOrEqual(RUL_CAP_HOURS);
      expect(asset.open_alerts).toBe(asset.id === target ? 1 : 0);
      expect(asset.alert_severity).toBe(asset.id === target ? 'critical' : null);
    }

    const one = (await (await app.request(`/v1/fleet/${target}`)).json()) as {
      why: { model_id: string; input: Record<string, unknown>; contributions: { feature: string }[] };
    };
    expect(one.why.model_id).toBe('failure-risk@1');
    expect(one.why.input.kind).toBe(simulator.machines[0]?.kind);
    expect(one.why.contributions.length).toBeGreaterThan(0);
    expect((await app.request('/v1/fleet/nope')).status).toBe(404);

    const trajectory = (await (
      await app.request(`/v1/fleet/${target}/trajectory?from=${NOW - 2 * HOUR}&to=${NOW}&points=24`)
    ).json()) as { points: { ts: string; failure_risk: number; rul: { hours: number } }[] };
    expect(trajectory.points.length).toBe(24);
    const times = trajectory.points.map((p) => Date.parse(p.ts));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(NOW - 2 * HOUR);
    for (const point of trajectory.points) expect(point.rul.hours).toBeLessThanOrEqual(RUL_CAP_HOURS);
    expect((await app.request(`/v1/fleet/${target}/trajectory?from=yesterday`)).status).toBe(400);

    const ingestion = (await (await app.request('/v1/ingestion')).json()) as { dead_letters: unknown; queued: unknown };
    expect(ingestion.dead_letters).toBeNull();
    expect(ingestion.queued).toBeNull();
  });
});

describe('readings reduced for charts', () => {
  let store: DuckDBStore;
  beforeAll(async () => {
    store = await DuckDBStore.open(':memory:');
    const readings = [];
    for (let i = 0; i < 20_000; i++) {
      readings.push({
        asset: 'a',
        ts: NOW + i * 1000,
        metrics: { x: Math.sin(i / 300) + (i === 12_345 ? 9 : 0), y: i % 17 },
      });
    }
    await store.appendReadings(readings);
  });
  afterAll(() => store.close());

  it('keeps per time column the first, last, lowest and highest value, in DuckDB as in JS', async () => {
    const inDb = await downsampledReadings(store, 'a', {}, 400);
    const inJs = downsampleValues(await store.queryReadings('a', { limit: 100_000 }), 400);
    for (const metric of ['x', 'y']) {
      const db = inDb.filter((v) => v.metric === metric);
      const js = inJs.filter((v) => v.metric === metric);
      expect(db.length).toBeLessThanOrEqual(400);
      expect(db.length).toBeGreaterThan(100);
      expect(Math.max(...db.map((v) => v.value))).toBe(Math.max(...js.map((v) => v.value)));
      expect(Math.min(...db.map((v) => v.value))).toBe(Math.min(...js.map((v) => v.value)));
      expect(db[0]?.ts).toBe(NOW);
      expect(db.at(-1)?.ts).toBe(NOW + 19_999 * 1000);
    }
    // The spike survives.
    expect(inDb.some((v) => v.metric === 'x' && v.ts === NOW + 12_345 * 1000)).toBe(true);
    const times = inDb.map((v) => v.ts);
    expect(times).toEqual([...times].sort((p, q) => p - q));
  });

  it('returns a short range whole', async () => {
    const reduced = await downsampledReadings(store, 'a', { metric: 'x', from: NOW, to: NOW + 50_000 }, 400);
    expect(reduced.map((v) => v.ts)).toEqual(Array.from({ length: 50 }, (_, i) => NOW + i * 1000));
  });

  it('answers GET /v1/assets/{id}/readings?points=N', async () => {
    const app = createApp({ store, clock: new ManualClock(NOW), limits: DEFAULT_LIMITS, version: 'test' });
    const body = (await (await app.request('/v1/assets/a/readings?metric=y&points=40')).json()) as {
      readings: { value: number }[];
    };
    expect(body.readings.length).toBeLessThanOrEqual(40);
    expect(Math.max(...body.readings.map((r) => r.value))).toBe(16);
    expect((await app.request('/v1/assets/a/readings?points=2')).status).toBe(400);
  });
});
