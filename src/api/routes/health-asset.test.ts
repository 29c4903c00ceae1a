import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { Rng } from '../../core/rng.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
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
    expect(JSON.stringify(doc.paths['/v1/assets/{id}/health']?.get)).toMatch(/failure_risk and rul are null/);
  });
});
