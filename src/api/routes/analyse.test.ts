import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import { createApp } from '../app.js';
import type { ApiLimits } from '../context.js';

const LIMITS: ApiLimits = { maxBodyBytes: 20_000, maxReadings: 50 };

interface AnalyseResult {
  sensor_id?: string;
  is_anomaly: boolean;
  anomaly_scores: Record<string, number>;
  anomalous_metrics: string[];
  [field: string]: unknown;
}
interface AnalyseBody {
  total_readings: number;
  anomalies_detected: number;
  results: AnalyseResult[];
}
interface ErrorBody {
  error: string;
  details: { path: string; message: string }[];
}

const PUMPS = [
  { sensor_id: 'pump-01', temperature: 71.2, vibration: 0.52 },
  { sensor_id: 'pump-02', temperature: 70.8, vibration: 0.49 },
  { sensor_id: 'pump-04', temperature: 72.0, vibration: 0.55 },
  { sensor_id: 'pump-05', temperature: 69.9, vibration: 0.47 },
  { sensor_id: 'pump-06', temperature: 71.5, vibration: 0.51 },
  { sensor_id: 'pump-07', temperature: 70.4, vibration: 0.5 },
  { sensor_id: 'pump-08', temperature: 71.9, vibration: 0.53 },
  { sensor_id: 'pump-09', temperature: 70.1, vibration: 0.48 },
  { sensor_id: 'pump-03', temperature: 198.5, vibration: 4.1 },
];

/** The NumPy service's scores, rounded as it rounds them. */
// /usr/bin/python3 -c "import numpy as np
// def mz(d):
//     d=np.array(d,dtype=float); m=np.median(d); mad=np.median(np.abs(d-m))
//     return [round(float(x),4) for x in np.abs(0.6745*(d-m)/mad)]
// print(mz([71.2,70.8,72.0,69.9,71.5,70.4,71.9,70.1,198.5])); print(mz([0.52,0.49,0.55,0.47,0.51,0.50,0.53,0.48,4.1]))"
// [0.0, 0.3373, 0.6745, 1.0961, 0.2529, 0.6745, 0.5902, 0.9274, 107.3298]
// [0.3372, 0.6745, 1.349, 1.349, 0.0, 0.3372, 0.6745, 1.0117, 121.0727]
const PUMP_TEMPERATURE_SCORES = [0.0, 0.3373, 0.6745, 1.0961, 0.2529, 0.6745, 0.5902, 0.9274, 107.3298];
const PUMP_VIBRATION_SCORES = [0.3372, 0.6745, 1.349, 1.349, 0.0, 0.3372, 0.6745, 1.0117, 121.0727];

describe('POST /analyse', () => {
  let store: Store;
  let app: OpenAPIHono;

  beforeAll(async () => {
    store = await openStore(':memory:');
    app = createApp({ store, clock: new ManualClock(0), limits: LIMITS, version: 'test' });
  });
  afterAll(async () => {
    await store.close();
  });

  const post = (body: unknown, query = '', path = '/analyse') =>
    app.request(`${path}${query}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const analyse = async (readings: unknown[], query = '') => {
    const response = await post({ readings }, query);
    expect(response.status).toBe(200);
    return (await response.json()) as AnalyseBody;
  };
  const refused = async (body: unknown, status = 400, query = '') => {
    const response = await post(body, query);
    expect(response.status).toBe(status);
    return (await response.json()) as ErrorBody;
  };

  it('flags an overheating, shaking pump on both metrics and no other pump, scores as the NumPy service', async () => {
    const body = await analyse(PUMPS);
    expect(body.total_readings).toBe(9);
    expect(body.anomalies_detected).toBe(1);
    expect(body.results).toEqual(
      PUMPS.map((pump, i) => ({
        ...pump,
        is_anomaly: i === 8,
        anomaly_scores: { temperature: PUMP_TEMPERATURE_SCORES[i], vibration: PUMP_VIBRATION_SCORES[i] },
        anomalous_metrics: i === 8 ? ['temperature', 'vibration'] : [],
      })),
    );
  });

  it('answers the same on /v1/analyse, with a JSON content type', async () => {
    const response = await post({ readings: PUMPS }, '', '/v1/analyse');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as AnalyseBody;
    expect(body.anomalies_detected).toBe(1);
    expect(body.results[8].anomalous_metrics).toEqual(['temperature', 'vibration']);
  });

  it('flags nothing in twenty identical readings (every score 0)', async () => {
    const readings = Array.from({ length: 20 }, (_, i) => ({
      sensor_id: `pump-${i}`,
      temperature: 71.2,
      vibration: 0.5,
    }));
    const body = await analyse(readings);
    expect(body.anomalies_detected).toBe(0);
    for (const result of body.results) expect(result.anomaly_scores).toEqual({ temperature: 0, vibration: 0 });
  });

  it('catches a single spike in otherwise constant data through the mean/σ fallback', async () => {
    // MAD = 0; 19 × 5 and one 50: σ = √96.1875, the spike scores 42.75/σ = √19 = 4.3589, the others 1/√19 = 0.2294
    const readings = Array.from({ length: 20 }, (_, i) => ({ sensor_id: `m-${i}`, temperature: i === 7 ? 50 : 5 }));
    const body = await analyse(readings);
    expect(body.anomalies_detected).toBe(1);
    expect(body.results[7]).toMatchObject({
      is_anomaly: true,
      anomaly_scores: { temperature: 4.3589 },
      anomalous_metrics: ['temperature'],
    });
    expect(body.results[0].anomaly_scores).toEqual({ temperature: 0.2294 });
  });

  it('scores exactly as computed by hand: median 10, MAD 1, M = 0.6745·|x − 10|', async () => {
    const readings = [10, 11, 9, 10, 14].map((temperature, i) => ({ sensor_id: `s${i}`, temperature }));
    const body = await analyse(readings);
    expect(body.results.map((result) => result.anomaly_scores.temperature)).toEqual([0, 0.6745, 0.6745, 0, 2.698]);
    expect(body.anomalies_detected).toBe(0);
    // 2.698 > 2.5: a lower threshold flags the 14
    const lower = await analyse(readings, '?threshold=2.5');
    expect(lower.anomalies_detected).toBe(1);
    expect(lower.results[4].anomalous_metrics).toEqual(['temperature']);
  });

  it('flags more with a lower threshold', async () => {
    const strict = await analyse(PUMPS, '?threshold=3.5');
    const loose = await analyse(PUMPS, '?threshold=1');
    expect(strict.anomalies_detected).toBe(1);
    // scores above 1: pump-05 (1.0961 temperature, 1.349 vibration), pump-04 (1.349), pump-09 (1.0117), pump-03
    expect(loose.anomalies_detected).toBe(4);
    expect(loose.results[3].anomalous_metrics).toEqual(['temperature', 'vibration']);
    expect(loose.results[2].anomalous_metrics).toEqual(['vibration']);
  });

  it('scores every numeric field except id and time fields, and echoes the reading', async () => {
    const readings = [
      [1012.0, 410, 1480],
      [1013.5, 415, 1500],
      [1011.8, 405, 1490],
      [1012.4, 980, 1495],
      [990.0, 412, 1510],
    ].map(([pressure, co2, rpm], i) => ({
      machine_id: `press-${i}`,
      ts: '2026-01-01T00:00:00Z',
      timestamp: 1_767_225_600_000 + i,
      pressure,
      co2,
      rpm,
    }));
    // /usr/bin/python3 -c "... print(mz([1012.0,1013.5,1011.8,1012.4,990.0])); print(mz([410,415,405,980,412]));
    //   print(mz([1480,1500,1490,1495,1510]))"   (mz as above)
    // [0.0, 2.5294, 0.3373, 0.6745, 37.0975]
    // [0.4497, 0.6745, 1.5738, 127.7053, 0.0]
    // [2.0235, 0.6745, 0.6745, 0.0, 2.0235]
    const body = await analyse(readings);
    expect(body.anomalies_detected).toBe(2);
    expect(body.results[3]).toEqual({
      ...readings[3],
      is_anomaly: true,
      anomaly_scores: { pressure: 0.6745, co2: 127.7053, rpm: 0 },
      anomalous_metrics: ['co2'],
    });
    expect(body.results[4].anomaly_scores).toEqual({ pressure: 37.0975, co2: 0, rpm: 2.0235 });
    expect(body.results[1].anomaly_scores).toEqual({ pressure: 2.5294, co2: 0.6745, rpm: 0.6745 });
  });

  it('scores each metric over the readings that carry it', async () => {
    const readings = [
      { sensor_id: 'a', temperature: 10 },
      { sensor_id: 'b', temperature: 11, pressure: 2.0 },
      { sensor_id: 'c', temperature: 9 },
      { sensor_id: 'd', temperature: 10, pressure: 2.2 },
      { sensor_id: 'e', pressure: 9.0, temperature: 14 },
    ];
    // pressure over b, d, e only: median 2.2, MAD median(0.2, 0, 6.8) = 0.2 → 0.6745·(0.2, 0, 6.8)/0.2
    const body = await analyse(readings);
    expect(body.results.map((result) => result.anomaly_scores)).toEqual([
      { temperature: 0 },
      { temperature: 0.6745, pressure: 0.6745 },
      { temperature: 0.6745 },
      { temperature: 0, pressure: 0 },
      { pressure: 22.933, temperature: 2.698 },
    ]);
    expect(body.results[4].anomalous_metrics).toEqual(['pressure']);
    expect(body.anomalies_detected).toBe(1);
  });

  it('accepts canonical readings and counts booleans as 0/1 metrics, as ingestion does', async () => {
    const canonical = [10, 11, 9, 10, 14].map((temperature, i) => ({
      asset: `pump-${i}`,
      ts: 1_767_225_600_000,
      metrics: { temperature },
    }));
    const body = await analyse(canonical);
    expect(body.results[4]).toEqual({
      ...canonical[4],
      is_anomaly: false,
      anomaly_scores: { temperature: 2.698 },
      anomalous_metrics: [],
    });
    const flags = await analyse([true, false, false, false, false].map((door_open, i) => ({ unit: i, door_open })));
    expect(flags.results[0].anomaly_scores).toEqual({ door_open: 2 });
  });

  it('writes its own result fields once even when a reading already carries them', async () => {
    const response = await post({ readings: [{ sensor_id: 'x', temperature: 1, is_anomaly: 'maybe' }] });
    // 'is_anomaly' is not a number: refused like any other non-numeric metric
    expect(response.status).toBe(400);
    // A numeric 'is_anomaly' is a metric (scored under anomaly_scores) but not echoed over the result's own flag
    const text = await (await post({ readings: [{ sensor_id: 'x', temperature: 1, is_anomaly: 1 }] })).text();
    expect(text.match(/"is_anomaly":(true|false|1)\b/g)).toEqual(['"is_anomaly":false']);
    expect((JSON.parse(text) as AnalyseBody).results[0].anomaly_scores).toEqual({ temperature: 0, is_anomaly: 0 });
  });

  describe('refuses bad input with 400 and the problem named', () => {
    it('a body that is not JSON', async () => {
      const body = await refused('{"readings": [');
      expect(body.error).toBe('Malformed JSON in request body');
      expect(body.details[0].path).toBe('body');
      expect((await refused('')).error).toBe('Malformed JSON in request body');
    });

    it('a body without a non-empty readings array', async () => {
      expect((await refused({})).error).toMatch(/'readings' is required/);
      expect((await refused({ readings: [] })).error).toMatch(/'readings' must be a non-empty array, got \[\]/);
      expect((await refused({ readings: 'pump' })).error).toMatch(/'readings' must be a non-empty array, got "pump"/);
      expect((await refused({ readings: null })).error).toMatch(/'readings' must be a non-empty array, got null/);
      expect((await refused([PUMPS[0]])).error).toMatch(/body must be an object \{"readings": \[\.\.\.\]\}/);
    });

    it('a reading that is not an object, has no id, or has no metric, by index', async () => {
      expect((await refused({ readings: [PUMPS[0], 42] })).error).toBe('reading 1: must be an object, got 42');
      const missing = await refused({ readings: [PUMPS[0], PUMPS[1], { temperature: 70 }] });
      expect(missing.error).toMatch(
        /^reading 2: missing asset id \(one of asset, sensor_id, asset_id, machine_id, unit\)$/,
      );
      expect(missing.details).toEqual([{ path: 'readings[2]', message: expect.stringMatching(/^reading 2: missing/) }]);
      const empty = await refused({ readings: [{ sensor_id: '', temperature: 1 }] });
      expect(empty.error).toBe(`reading 0: 'sensor_id' must be a non-empty string, got ""`);
      const noMetric = await refused({ readings: [PUMPS[0], { sensor_id: 'pump-02', ts: 1_767_225_600_000 }] });
      expect(noMetric.error).toBe('reading 1: has no metric (no numeric field)');
    });

    it('a metric that is not a finite number, by index and field, listing every problem', async () => {
      const body = await refused({
        readings: [
          PUMPS[0],
          { sensor_id: 'pump-02', temperature: 'hot', vibration: 0.5 },
          { sensor_id: 'p', rpm: null },
        ],
      });
      expect(body.error).toBe(`reading 1: metric 'temperature' must be a finite number, got "hot" (and 1 more)`);
      expect(body.details.map((detail) => detail.path)).toEqual(['readings[1].temperature', 'readings[2].rpm']);
    });

    it('a threshold that is not a positive number', async () => {
      for (const threshold of ['0', '-1', 'abc', '', 'Infinity']) {
        const body = await refused({ readings: PUMPS }, 400, `?threshold=${threshold}`);
        expect(body.error).toBe(`'threshold' must be a positive number, got ${JSON.stringify(threshold)}`);
        expect(body.details[0].path).toBe('threshold');
      }
    });
  });

  it('refuses with 413 a batch over the configured reading limit or body size', async () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ sensor_id: `p${i}`, temperature: i }));
    const body = await refused({ readings: many }, 413);
    expect(body.error).toBe('batch of 51 readings exceeds the limit of 50');
    const huge = await refused({ readings: PUMPS, padding: 'x'.repeat(25_000) }, 413);
    expect(huge.error).toMatch(/request body .* exceeds the limit of 20000 bytes/);
  });

  it('enforces the body limit whatever Content-Length says', async () => {
    const send = (body: string, declared: number) =>
      app.request('/analyse', { method: 'POST', body, headers: { 'content-length': String(declared) } });
    const small = JSON.stringify({ readings: PUMPS });
    expect((await send(small, Buffer.byteLength(small))).status).toBe(200);
    const large = JSON.stringify({ readings: PUMPS, padding: 'x'.repeat(25_000) });
    const declaredOver = await send(large, Buffer.byteLength(large));
    expect(declaredOver.status).toBe(413);
    expect(((await declaredOver.json()) as ErrorBody).error).toMatch(/of \d+ bytes exceeds the limit of 20000 bytes/);
    // A declared length within the limit on a body beyond it
    const understated = await send(large, 100);
    expect(understated.status).toBe(413);
    expect(((await understated.json()) as ErrorBody).error).toMatch(/exceeds the limit of 20000 bytes/);
  });

  it('is declared in the OpenAPI document with its threshold and mode parameters and both paths', async () => {
    const document = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, { post?: { parameters?: { name: string; in: string }[]; responses: object } }>;
      components: { schemas: Record<string, unknown> };
    };
    for (const path of ['/analyse', '/v1/analyse']) {
      const operation = document.paths[path]?.post;
      expect(operation?.parameters).toEqual([
        expect.objectContaining({ name: 'threshold', in: 'query' }),
        expect.objectContaining({ name: 'mode', in: 'query' }),
      ]);
      expect(Object.keys(operation?.responses ?? {})).toEqual(['200', '400', '413']);
    }
    expect(document.components.schemas).toHaveProperty('AnalyseRequest');
    expect(document.components.schemas).toHaveProperty('AnalyseResponse');
  });
});

describe('POST /analyse echoes each reading as sent', () => {
  let store: Store;
  let app: OpenAPIHono;
  beforeAll(async () => {
    store = await openStore(':memory:');
    app = createApp({ store, clock: new ManualClock(0), limits: LIMITS, version: 'test' });
  });
  afterAll(async () => {
    await store.close();
  });
  const text = async (body: string) => (await app.request('/analyse', { method: 'POST', body })).text();

  it('gives byte-identical responses on the fast and the general path, including formatting kept from the body', async () => {
    const readings = [
      '{ "sensor_id": "pump-01", "temperature": 71.20, "vibration": 5.2e-1 }',
      '{"sensor_id":"pump-\\u00fc","temperature":70.8,"vibration":0.49,"ts":"2026-01-01T00:00:00Z"}',
      '{"sensor_id":"pump-03","vibration":4.1,"temperature":198.5}',
      '{"sensor_id":"pump-04","temperature":72,"vibration":0.55}',
      '{"sensor_id":"pump-05","temperature":69.9,"vibration":0.47,"rpm":1500}',
    ];
    const fast = await text(`{"readings":[${readings.join(',')}]}`);
    const general = await text(`{"line":4,"readings":[${readings.join(',')}]}`);
    expect(fast).toBe(general);
    const body = JSON.parse(fast) as AnalyseBody;
    expect(fast).toContain('{ "sensor_id": "pump-01", "temperature": 71.20, "vibration": 5.2e-1 ,"is_anomaly":false,');
    expect(body.results[1].sensor_id).toBe('pump-ü');
    expect(body.results[2]).toMatchObject({ is_anomaly: true, anomalous_metrics: ['vibration', 'temperature'] });
    expect(body.results[4].anomaly_scores).toEqual({
      temperature: expect.any(Number),
      vibration: expect.any(Number),
      rpm: 0,
    });
  });

  it('serialises readings it cannot echo byte for byte and still answers the same', async () => {
    // The last "readings" key wins, as in JSON.parse; a key with an escape forces serialisation.
    const echoed = JSON.parse(
      await text('{"readings":[{"sensor_id":"x","t":9}],"readings":[{"sensor_id":"a","t":1},{"sensor_id":"b","t":3}]}'),
    ) as AnalyseBody;
    expect(echoed.results.map((r) => r.sensor_id)).toEqual(['a', 'b']);
    const serialised = JSON.parse(
      await text('{"readin\\u0067s":[{"sensor_id":"a","t":1},{"sensor_id":"b","t":3}]}'),
    ) as AnalyseBody;
    expect(serialised).toEqual(echoed);
  });
});
