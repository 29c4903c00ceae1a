import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/helpers/paths.js';
import { ManualClock } from '../../core/clock.js';
import { Rng } from '../../core/rng.js';
import { type CmapssData, type CmapssUnit, readCmapss } from '../../io/cmapss.js';
import { trainRulPipeline } from '../../models/rul/train.js';
import { truncateUnit } from '../../models/rul/truncate.js';
import { AssetHealthScorer } from '../../scoring/asset-health.js';
import type { DuckDBStore } from '../../store/duckdb.js';
import { DuckDBModelRegistry } from '../../store/duckdb-registry.js';
import { openStore } from '../../store/open.js';
import type { StoredJsonObject } from '../../store/registry.js';
import type { Store } from '../../store/store.js';
import { Pipeline } from '../../stream/pipeline.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;
const MINUTE = 60_000;

interface HealthBody {
  asset: string;
  status: string;
  anomaly: { likelihood: number; metrics: Record<string, { likelihood: number; ts: string }> };
  failure_risk: unknown;
  rul: unknown;
}

let store: Store;

beforeEach(async () => {
  store = await openStore(':memory:');
});

afterEach(async () => {
  await store.close();
});

/** 1,100 minutely temperatures around 70 with N(0, 1) noise, then `last`. */
async function storeHistory(asset: string, last: number): Promise<void> {
  const rng = new Rng(1);
  const values = [...Array.from({ length: 1100 }, () => 70 + rng.normal()), last];
  await store.appendReadings(
    values.map((temperature, index) => ({ asset, ts: T0 + index * MINUTE, metrics: { temperature } })),
  );
}

async function health(id: string): Promise<{ status: number; body: HealthBody }> {
  const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test' });
  const response = await app.request(`/v1/assets/${encodeURIComponent(id)}/health`);
  return { status: response.status, body: (await response.json()) as HealthBody };
}

describe('GET /v1/assets/{id}/health', () => {
  it("answers from the pipeline's detectors when the server runs a pipeline", async () => {
    await storeHistory('pump 2', 95);
    const scorer = new AssetHealthScorer(store);
    const pipeline = new Pipeline({ store, scorer });
    const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test', pipeline });
    expect(scorer.cachedDetectors).toBe(0);
    const response = await app.request('/v1/assets/pump%202/health');
    const body = (await response.json()) as HealthBody;
    // The pipeline's scorer did the work (its cache now holds the detector) and agrees with the answer.
    expect(scorer.cachedDetectors).toBe(1);
    expect(body.anomaly.likelihood).toBe((await scorer.health('pump 2')).likelihood);
    expect(body.status).not.toBe('ok');
    await pipeline.close();
  });

  it('is ok for a steady asset, with null failure risk and RUL', async () => {
    await storeHistory('pump 1/a', 70.3);
    const { status, body } = await health('pump 1/a');
    expect(status).toBe(200);
    expect(body.asset).toBe('pump 1/a');
    expect(body.status).toBe('ok');
    expect(body.anomaly.likelihood).toBeLessThan(0.5);
    expect(Object.keys(body.anomaly.metrics)).toEqual(['temperature']);
    // T0 + 1100 minutes
    expect(body.anomaly.metrics.temperature.ts).toBe('2026-01-01T18:20:00.000Z');
    expect(body.failure_risk).toBeNull();
    expect(body.rul).toBeNull();
  });

  it('alarms when the last value spikes', async () => {
    await storeHistory('pump-2', 95);
    const { status, body } = await health('pump-2');
    expect(status).toBe(200);
    expect(body.status).toBe('alarm');
    expect(body.anomaly.likelihood).toBe(body.anomaly.metrics.temperature.likelihood);
    expect(body.anomaly.likelihood).toBeGreaterThanOrEqual(0.8);
  });

  it('answers 404 naming an unknown asset', async () => {
    const { status, body } = await health('ghost');
    expect(status).toBe(404);
    expect((body as unknown as { error: string }).error).toMatch(/asset "ghost" not found/);
  });

  it('is documented in the OpenAPI description', async () => {
    const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test' });
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, { get?: object }> };
    expect(JSON.stringify(doc.paths['/v1/assets/{id}/health']?.get)).toMatch(/rul comes from the active RUL pipeline/);
  });
});

describe('GET /v1/assets/{id}/health with an active RUL model', () => {
  /** Engine 3 of the fixture, cut after 120 of its 179 cycles (59 cycles left), stored as minutely readings. */
  async function storeEngine(asset: string): Promise<CmapssData> {
    const data = await readCmapss(join(ROOT, 'test', 'fixtures', 'cmapss', 'train_FD001_five_units.txt'));
    const engine = data.units.find((unit) => unit.unit === 3) as CmapssUnit;
    const cut = truncateUnit(engine, 120, data.columns.length);
    const readings = Array.from(cut.cycles, (cycle, row) => ({
      asset,
      ts: T0 + cycle * MINUTE,
      metrics: Object.fromEntries(
        data.columns.map((name, column) => [name, cut.values[row * data.columns.length + column]]),
      ),
    }));
    await store.appendReadings(readings);
    return { columns: data.columns, units: [cut], rowCount: 120 };
  }

  it('answers the RUL and interval of the active rul version, equal to the model on the same cycles', async () => {
    const data = await readCmapss(join(ROOT, 'test', 'fixtures', 'cmapss', 'train_FD001_five_units.txt'));
    const pipeline = await trainRulPipeline(data, {
      model: 'gbdt',
      gbdt: { nEstimators: 15, maxDepth: 3, nThreads: 1 },
    });
    const registry = await DuckDBModelRegistry.open(store as DuckDBStore);
    const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test', registry });
    const engine = await storeEngine('engine-3');
    const get = async () => (await (await app.request('/v1/assets/engine-3/health')).json()) as HealthBody;

    expect((await get()).rul).toBeNull();
    await registry.saveVersion({
      name: 'rul',
      kind: 'gbdt',
      task: 'rul',
      metrics: { rmse: pipeline.card.validation.windows?.rmse ?? 0 },
      card: pipeline.card as unknown as StoredJsonObject,
      model: JSON.parse(JSON.stringify(pipeline.toJSON())) as StoredJsonObject,
      createdAt: T0,
    });
    const body = await get();
    // Only the last window (50 cycles) is needed: the model on cycles 71..120 gives the same answer as on 1..120.
    const [expected] = await pipeline.predictUnits(engine);
    expect(body.rul).toEqual({
      value: expected?.rul,
      lower: expected?.lower,
      upper: expected?.upper,
      level: 0.9,
      model: 'rul@1',
      cycles: 50,
    });
    const rul = body.rul as { value: number; lower: number; upper: number };
    expect(rul.lower).toBeLessThanOrEqual(rul.value);
    expect(rul.upper).toBeGreaterThanOrEqual(rul.value);
    // 59 cycles were left; a 15-tree model trained on four engines is within a few dozen.
    expect(Math.abs(rul.value - 59)).toBeLessThan(40);
    expect(body.status).toBeDefined();
  });

  it('is null for an asset without the sensors the model reads', async () => {
    const data = await readCmapss(join(ROOT, 'test', 'fixtures', 'cmapss', 'train_FD001_five_units.txt'));
    const pipeline = await trainRulPipeline(data, {
      model: 'gbdt',
      gbdt: { nEstimators: 5, maxDepth: 2, nThreads: 1 },
    });
    const registry = await DuckDBModelRegistry.open(store as DuckDBStore);
    await registry.saveVersion({
      name: 'engine-rul',
      kind: 'gbdt',
      task: 'rul',
      metrics: {},
      card: pipeline.card as unknown as StoredJsonObject,
      model: JSON.parse(JSON.stringify(pipeline.toJSON())) as StoredJsonObject,
      createdAt: T0,
    });
    // A tabular regressor active under the name rul (as the simulator's default models are) is passed over.
    await registry.saveVersion({
      name: 'rul',
      kind: 'linear',
      task: 'rul',
      metrics: {},
      card: {},
      model: { format: 'upkeep-model' },
      createdAt: T0 + 1,
    });
    await storeHistory('pump-3', 70);
    const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test', registry });
    const body = (await (await app.request('/v1/assets/pump-3/health')).json()) as HealthBody;
    expect(body.rul).toBeNull();
    expect(body.anomaly.metrics.temperature).toBeDefined();
  });
});
