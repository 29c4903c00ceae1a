import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

interface AnalyseBody {
  total_readings: number;
  anomalies_detected: number;
  results: Record<string, unknown>[];
}

let store: Store;

/** 7 × (center − 1), 7 × center, 7 × (center + 1): median `center`, MAD 1. */
async function storeHistory(asset: string, center: number): Promise<void> {
  const values = [...Array(7).fill(center - 1), ...Array(7).fill(center), ...Array(7).fill(center + 1)] as number[];
  await store.appendReadings(
    values.map((temperature, index) => ({ asset, ts: T0 + index * 60_000, metrics: { temperature } })),
  );
}

async function analyse(query: string, readings: unknown[], path = '/v1/analyse') {
  const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test' });
  const response = await app.request(`${path}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ readings }),
  });
  return { status: response.status, body: (await response.json()) as AnalyseBody };
}

beforeEach(async () => {
  store = await openStore(':memory:');
  await storeHistory('pump-1', 50);
  for (const asset of ['pump-2', 'pump-3', 'pump-4', 'pump-5']) await storeHistory(asset, 80);
});

afterEach(async () => {
  await store.close();
});

const batch = [
  { sensor_id: 'pump-1', temperature: 80 },
  { sensor_id: 'pump-2', temperature: 80 },
  { sensor_id: 'pump-3', temperature: 81 },
  { sensor_id: 'pump-4', temperature: 80 },
  { sensor_id: 'pump-5', temperature: 80 },
];

describe('POST /v1/analyse?mode=history', () => {
  it('flags a value normal for the batch but abnormal for its own asset', async () => {
    const peers = await analyse('', batch);
    expect(peers.status).toBe(200);
    expect(peers.body.anomalies_detected).toBe(0);

    const own = await analyse('?mode=history', batch);
    expect(own.status).toBe(200);
    expect(own.body.total_readings).toBe(5);
    expect(own.body.anomalies_detected).toBe(1);
    expect(own.body.results[0]).toEqual({
      sensor_id: 'pump-1',
      temperature: 80,
      is_anomaly: true,
      // 0.6745 · |80 − 50| / 1
      anomaly_scores: { temperature: 20.235 },
      anomalous_metrics: ['temperature'],
    });
    // 0.6745 · |81 − 80| / 1
    expect(own.body.results[2]).toMatchObject({ is_anomaly: false, anomaly_scores: { temperature: 0.6745 } });
    expect(own.body.results[1]).toMatchObject({ is_anomaly: false, anomaly_scores: { temperature: 0 } });
  });

  it('takes the threshold and the unversioned path', async () => {
    const { body } = await analyse('?mode=history&threshold=0.5', batch, '/analyse');
    expect(body.results.map((result) => result.is_anomaly)).toEqual([true, false, true, false, false]);
  });

  it('scores 0 and lists metrics without stored history in no_history', async () => {
    const { status, body } = await analyse('?mode=history', [
      { asset: 'new-pump', ts: T0, metrics: { temperature: 500 } },
      { sensor_id: 'pump-1', temperature: 50, pressure: 3 },
    ]);
    expect(status).toBe(200);
    expect(body.anomalies_detected).toBe(0);
    expect(body.results[0]).toMatchObject({ anomaly_scores: { temperature: 0 }, no_history: ['temperature'] });
    expect(body.results[1]).toMatchObject({
      anomaly_scores: { temperature: 0, pressure: 0 },
      no_history: ['pressure'],
    });
  });

  it('rejects an unknown mode and invalid readings naming the field', async () => {
    const mode = await analyse('?mode=future', batch);
    expect(mode.status).toBe(400);
    expect((mode.body as unknown as { error: string }).error).toMatch(/'mode' must be batch or history, got "future"/);
    const bad = await analyse('?mode=history', [{ sensor_id: 'pump-1', temperature: 'hot' }]);
    expect(bad.status).toBe(400);
    expect((bad.body as unknown as { error: string }).error).toMatch(/metric 'temperature' must be a finite number/);
  });

  it('refuses a body over the limit with 413', async () => {
    const app = createApp({
      store,
      clock: new ManualClock(T0),
      limits: { ...DEFAULT_LIMITS, maxBodyBytes: 64 },
      version: 'test',
    });
    const response = await app.request('/v1/analyse?mode=history', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ readings: batch }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/exceeds the limit of 64 bytes/);
  });

  it('keeps the batch mode when asked explicitly', async () => {
    const { body } = await analyse('?mode=batch', batch);
    expect(body.anomalies_detected).toBe(0);
    expect(body.results[0]).not.toHaveProperty('no_history');
  });
});
