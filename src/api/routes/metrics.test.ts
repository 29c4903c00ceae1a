import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { parseCsvFrame } from '../../io/csv-frame.js';
import { trainModel } from '../../models/train.js';
import { createApiKey, MemoryApiKeyStore } from '../../store/api-keys.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { DuckDBModelRegistry } from '../../store/duckdb-registry.js';
import type { StoredJsonObject } from '../../store/registry.js';
import { createApp } from '../app.js';
import type { AuthConfig } from '../context.js';
import { ApiMetrics } from '../middleware/metrics.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the Prometheus text exposition format 0.0.4: `# HELP`/`# TYPE` lines and samples
 * `name{label="value",…} number`; throws on any other line.
 */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)$/.exec(line);
    if (!sample) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g)) {
      labels[pair[1] as string] = pair[2] as string;
    }
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find(
    (sample) => sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
  )?.value;
}

async function withApp(
  auth: AuthConfig | undefined,
  task: (app: ReturnType<typeof createApp>) => Promise<void>,
  processMetrics = false,
): Promise<void> {
  const store = await DuckDBStore.open(':memory:', { threads: 1 });
  try {
    const metrics = new ApiMetrics({ processMetrics });
    await task(
      createApp({
        store,
        clock: new ManualClock(T0),
        limits: { maxBodyBytes: 10_000, maxReadings: 3 },
        version: 'test',
        auth,
        metrics,
      }),
    );
  } finally {
    await store.close();
  }
}

describe('GET /metrics', () => {
  it('counts requests by route pattern, readings ingested and batches refused by reason', async () => {
    await withApp(undefined, async (app) => {
      const post = (body: string) =>
        app.request('/v1/readings', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const batch = [
        { asset: 'pump-01', ts: T0, metrics: { temperature: 70, vibration: 0.5 } },
        { asset: 'pump-01', ts: T0 + 1000, metrics: { temperature: 71 } },
      ];
      expect((await post(JSON.stringify(batch))).status).toBe(200);
      expect((await post(JSON.stringify(batch))).status).toBe(200);
      expect((await post('{not json')).status).toBe(400);
      expect((await post(JSON.stringify([...batch, ...batch]))).status).toBe(413);
      expect((await app.request('/v1/assets/pump-01')).status).toBe(200);
      expect((await app.request('/v1/assets/pump-02')).status).toBe(404);
      expect((await app.request('/nowhere')).status).toBe(404);

      const response = await app.request('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const { samples, types } = parsePrometheus(await response.text());
      expect(types.get('upkeep_http_requests_total')).toBe('counter');
      expect(types.get('upkeep_http_request_duration_seconds')).toBe('histogram');
      const requests = (route: string, method: string, status: string) =>
        value(samples, 'upkeep_http_requests_total', { route, method, status });
      expect(requests('/v1/readings', 'POST', '200')).toBe(2);
      expect(requests('/v1/readings', 'POST', '400')).toBe(1);
      expect(requests('/v1/readings', 'POST', '413')).toBe(1);
      expect(requests('/v1/assets/:id', 'GET', '200')).toBe(1);
      expect(requests('/v1/assets/:id', 'GET', '404')).toBe(1);
      expect(requests('unmatched', 'GET', '404')).toBe(1);
      expect(
        value(samples, 'upkeep_http_request_duration_seconds_count', {
          route: '/v1/readings',
          method: 'POST',
          status: '200',
        }),
      ).toBe(2);
      // Two accepted batches of 2 readings; 3 values each, the second batch all duplicates.
      expect(value(samples, 'upkeep_readings_ingested_total')).toBe(4);
      expect(value(samples, 'upkeep_values_ingested_total', { outcome: 'accepted' })).toBe(3);
      expect(value(samples, 'upkeep_values_ingested_total', { outcome: 'duplicate' })).toBe(3);
      expect(value(samples, 'upkeep_ingest_batches_rejected_total', { reason: 'invalid' })).toBe(1);
      expect(value(samples, 'upkeep_ingest_batches_rejected_total', { reason: 'too_large' })).toBe(1);
      expect(value(samples, 'upkeep_store_append_seconds_count')).toBe(2);
    });
  });

  it('exports process metrics when asked', async () => {
    await withApp(
      undefined,
      async (app) => {
        const { samples } = parsePrometheus(await (await app.request('/metrics')).text());
        expect(value(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
        expect(value(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
      },
      true,
    );
  });

  it('needs a read key when authentication is on, unless metrics are public', async () => {
    const keys = new MemoryApiKeyStore();
    const read = (await createApiKey(keys, { name: 'prometheus', role: 'read', createdAt: T0 })).key;
    const ingest = (await createApiKey(keys, { name: 'gateway', role: 'ingest', createdAt: T0 })).key;
    await withApp({ keys }, async (app) => {
      expect((await app.request('/metrics')).status).toBe(401);
      expect((await app.request('/metrics', { headers: { 'x-api-key': ingest } })).status).toBe(403);
      expect((await app.request('/metrics', { headers: { 'x-api-key': read } })).status).toBe(200);
    });
    await withApp({ keys, publicMetrics: true }, async (app) => {
      expect((await app.request('/metrics')).status).toBe(200);
    });
  });

  it('exports the distribution of each model predictions and the PSI drift of its features against the card', async () => {
    const store = await DuckDBStore.open(':memory:', { threads: 1 });
    try {
      const lines = ['x1,x2,failure'];
      for (let i = 0; i < 40; i++) {
        const x1 = (i % 8) - 3.5;
        const x2 = Math.floor(i / 8) - 2;
        lines.push(`${x1},${x2},${x1 + 0.5 * x2 > 0 ? 1 : 0}`);
      }
      const csv = `${lines.join('\n')}\n`;
      const trained = trainModel(
        await parseCsvFrame(csv),
        { target: 'failure', model: 'logistic', task: 'classification' },
        {
          clock: new ManualClock(T0),
        },
      );
      const histograms = trained.card.featureHistograms;
      // Training deciles of x1 ∈ {-3.5 … 3.5}, five rows each.
      expect(histograms?.x1).toEqual({
        edges: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5],
        counts: [5, 5, 5, 5, 5, 5, 5, 5],
      });
      const registry = await DuckDBModelRegistry.open(store);
      for (const name of ['steady', 'shifted']) {
        await registry.saveVersion({
          name,
          kind: trained.card.kind,
          task: trained.card.task,
          metrics: {},
          card: trained.card as unknown as StoredJsonObject,
          model: trained.toJSON() as unknown as StoredJsonObject,
          createdAt: T0,
        });
      }
      const app = createApp({
        store,
        clock: new ManualClock(T0),
        limits: { maxBodyBytes: 1_000_000, maxReadings: 1000 },
        version: 'test',
        registry,
        metrics: new ApiMetrics({ processMetrics: false }),
      });
      const predict = async (id: string, rows: Record<string, number>[]) => {
        const response = await app.request(`/v1/models/${id}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ rows }),
        });
        expect(response.status, await response.clone().text()).toBe(200);
      };
      const trainingRows = lines.slice(1).map((line) => {
        const [x1, x2] = line.split(',').map(Number);
        return { x1: x1 as number, x2: x2 as number };
      });
      await predict('steady@1', trainingRows);
      // The same rows moved far right: every x1 lands in the top bin.
      await predict(
        'shifted@1',
        trainingRows.map((row) => ({ ...row, x1: row.x1 + 10 })),
      );

      const response = await app.request('/metrics');
      const { samples, types } = parsePrometheus(await response.text());
      expect(types.get('upkeep_model_predictions')).toBe('histogram');
      expect(types.get('upkeep_model_feature_psi')).toBe('gauge');
      expect(value(samples, 'upkeep_model_predictions_count', { model: 'steady@1' })).toBe(40);
      expect(value(samples, 'upkeep_model_predictions_bucket', { model: 'steady@1', le: '+Inf' })).toBe(40);
      // Probabilities: every one ≤ 1.
      expect(value(samples, 'upkeep_model_predictions_bucket', { model: 'steady@1', le: '1' })).toBe(40);
      expect(value(samples, 'upkeep_model_feature_psi', { model: 'steady@1', feature: 'x1' })).toBeCloseTo(0, 12);
      expect(value(samples, 'upkeep_model_feature_psi', { model: 'steady@1', feature: 'x2' })).toBeCloseTo(0, 12);
      // 8 bins of 1/8 against [1e-4 × 7, 1]: python3 -c "import math;E=[1/8]*8;A=[1e-4]*7+[1];
      // print(sum((a-e)*math.log(a/e) for a,e in zip(A,E)))"
      expect(value(samples, 'upkeep_model_feature_psi', { model: 'shifted@1', feature: 'x1' })).toBeCloseTo(
        8.054056196297953,
        10,
      );
      expect(value(samples, 'upkeep_model_feature_psi', { model: 'shifted@1', feature: 'x2' })).toBeCloseTo(0, 12);
    } finally {
      await store.close();
    }
  });
});
