import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { DuckDBStore } from '../../store/duckdb.js';
import type { Store } from '../../store/store.js';
import { createApp } from '../app.js';
import type { ApiLimits } from '../context.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;
const LIMITS: ApiLimits = { maxBodyBytes: 2_000, maxReadings: 5 };

interface ErrorBody {
  error: string;
  details: { path: string; message: string }[];
}

describe('POST /v1/readings', () => {
  let store: Store;
  let app: OpenAPIHono;
  const clock = new ManualClock(T0 + 42_000);

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:');
    app = createApp({ store, clock, limits: LIMITS, version: 'test' });
  });

  afterEach(async () => {
    await store.close();
  });

  const post = (body: string, contentType?: string, headers: Record<string, string> = {}) =>
    app.request('/v1/readings', {
      method: 'POST',
      body,
      headers: contentType ? { 'content-type': contentType, ...headers } : headers,
    });

  it('stores a JSON array of canonical readings and counts values and readings', async () => {
    const body = [
      { asset: 'pump-01', ts: '2026-01-01T00:00:00Z', metrics: { temperature: 71.2, vibration: 0.52 } },
      { asset: 'pump-01', ts: T0 + 1000, metrics: { temperature: 71.4 } },
    ];
    const response = await post(JSON.stringify(body), 'application/json');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 3, duplicates: 0, readings: 2 });
    expect(await store.queryReadings('pump-01')).toEqual([
      { ts: T0, metric: 'temperature', value: 71.2 },
      { ts: T0, metric: 'vibration', value: 0.52 },
      { ts: T0 + 1000, metric: 'temperature', value: 71.4 },
    ]);
  });

  it('is idempotent: the same batch again is counted as duplicates', async () => {
    const body = JSON.stringify([{ sensor_id: 'pump-01', ts: T0, temperature: 70, vibration: 0.5 }]);
    await post(body, 'application/json');
    const again = await post(body, 'application/json');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 2, readings: 1 });
    expect(await store.queryReadings('pump-01')).toHaveLength(2);
  });

  it('accepts {"readings": [...]} with flat readings', async () => {
    const body = { readings: [{ machine_id: 'm-7', timestamp: '2026-01-01 00:00:05', speed: 1200, running: true }] };
    const response = await post(JSON.stringify(body), 'application/json; charset=utf-8');
    expect(await response.json()).toEqual({ accepted: 2, duplicates: 0, readings: 1 });
    expect(await store.queryReadings('m-7')).toEqual([
      { ts: T0 + 5000, metric: 'running', value: 1 },
      { ts: T0 + 5000, metric: 'speed', value: 1200 },
    ]);
  });

  it('accepts NDJSON', async () => {
    const body = '{"asset":"fan-1","ts":1767225600000,"metrics":{"rpm":900}}\n{"sensor_id":"fan-2","rpm":950}\n';
    const response = await post(body, 'application/x-ndjson');
    expect(await response.json()).toEqual({ accepted: 2, duplicates: 0, readings: 2 });
    expect(await store.queryReadings('fan-2')).toEqual([{ ts: T0 + 42_000, metric: 'rpm', value: 950 }]);
  });

  it('accepts CSV with a header row, True/False as 1/0 and empty cells as missing', async () => {
    const body = 'unit,time,temperature,alarm\nu1,2026-01-01T00:00:00Z,20.5,True\nu1,1767225601000,,False\n';
    const response = await post(body, 'text/csv');
    expect(await response.json()).toEqual({ accepted: 3, duplicates: 0, readings: 2 });
    expect(await store.queryReadings('u1')).toEqual([
      { ts: T0, metric: 'alarm', value: 1 },
      { ts: T0, metric: 'temperature', value: 20.5 },
      { ts: T0 + 1000, metric: 'alarm', value: 0 },
    ]);
  });

  it('gives readings without a time the clock’s receive time', async () => {
    await post(JSON.stringify([{ asset: 'pump-09', metrics: { temperature: 1 } }]), 'application/json');
    expect(await store.queryReadings('pump-09')).toEqual([{ ts: T0 + 42_000, metric: 'temperature', value: 1 }]);
  });

  it('answers an empty batch with zero counts', async () => {
    const response = await post('[]', 'application/json');
    expect(await response.json()).toEqual({ accepted: 0, duplicates: 0, readings: 0 });
  });

  it('refuses malformed JSON with 400 "Malformed JSON in request body"', async () => {
    const response = await post('[{"asset": "pump-01", ', 'application/json');
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toBe('Malformed JSON in request body');
    expect(body.details[0]?.path).toBe('body');
  });

  it('refuses a malformed NDJSON line, naming it', async () => {
    const response = await post('{"asset":"a","metrics":{"x":1}}\n{"asset":', 'application/x-ndjson');
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toBe('Malformed JSON in request body');
    expect(body.details[0]?.path).toBe('line 2');
  });

  it('refuses malformed CSV, naming the line', async () => {
    const response = await post('asset,x\na,1\nb,2,3\n', 'text/csv');
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).details[0]?.path).toBe('line 3');
  });

  it('refuses invalid readings with 400 naming index and field, and stores none of the batch', async () => {
    const body = [
      { asset: 'pump-01', ts: T0, metrics: { temperature: 70 } },
      { sensor_id: 'pump-02', temperature: 'hot' },
      { temperature: 3 },
    ];
    const response = await post(JSON.stringify(body), 'application/json');
    expect(response.status).toBe(400);
    const error = (await response.json()) as ErrorBody;
    expect(error.error).toMatch(/^reading 1: metric 'temperature' must be a finite number, got "hot" \(and 1 more\)$/);
    expect(error.details.map((detail) => detail.path)).toEqual(['readings[1].temperature', 'readings[2]']);
    expect(error.details[1]?.message).toMatch(/reading 2: missing asset id/);
    expect(await store.listAssets()).toEqual([]);
  });

  it('refuses a bad time, naming the field', async () => {
    const response = await post(
      JSON.stringify([{ asset: 'a', ts: 'yesterday', metrics: { x: 1 } }]),
      'application/json',
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).details[0]?.path).toBe('readings[0].ts');
  });

  it('refuses a "readings" field that is not an array', async () => {
    const response = await post('{"readings": {"asset": "a"}}', 'application/json');
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toMatch(/'readings' must be an array/);
  });

  it('refuses a batch over maxReadings with 413', async () => {
    const body = Array.from({ length: 6 }, (_, index) => ({ asset: 'a', ts: T0 + index, metrics: { x: index } }));
    const response = await post(JSON.stringify(body), 'application/json');
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: 'batch of 6 readings exceeds the limit of 5',
      details: [{ path: 'readings', message: 'at most 5 readings per batch' }],
    });
    expect(await store.listAssets()).toEqual([]);
  });

  it('refuses a body over maxBodyBytes with 413', async () => {
    const body = JSON.stringify([{ asset: 'a', metrics: { x: 1 }, padding: 'x'.repeat(3_000) }]);
    const response = await post(body, 'application/json');
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error).toMatch(/exceeds the limit of 2000 bytes/);
  });

  it('refuses a streamed body without Content-Length once it passes maxBodyBytes', async () => {
    const chunk = new TextEncoder().encode(`${' '.repeat(499)}\n`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ === 10) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const response = await app.request('/v1/readings', {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/x-ndjson' },
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(10);
  });

  it('refuses an unsupported Content-Type with 400 naming it', async () => {
    const response = await post('<readings/>', 'application/xml');
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toMatch(/unsupported Content-Type "application\/xml"/);
  });

  it('answers 500 with the error shape when the store fails, without leaking the cause', async () => {
    const failing: Store = Object.assign(Object.create(store) as Store, {
      appendReadings: () => Promise.reject(new Error('disk on fire')),
    });
    const failingApp = createApp({ store: failing, clock, limits: LIMITS, version: 'test' });
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await failingApp.request('/v1/readings', {
      method: 'POST',
      body: '[{"asset":"a","metrics":{"x":1}}]',
      headers: { 'content-type': 'application/json' },
    });
    quiet.mockRestore();
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'Internal server error', details: [] });
  });

  it('is described in /openapi.json with its three body types', async () => {
    const document = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, { post?: { requestBody: { content: Record<string, unknown> } } }>;
      components: { schemas: Record<string, unknown> };
    };
    const content = document.paths['/v1/readings']?.post?.requestBody.content ?? {};
    expect(Object.keys(content).sort()).toEqual(['application/json', 'application/x-ndjson', 'text/csv']);
    expect(document.components.schemas).toHaveProperty('ReadingInput');
    expect(document.components.schemas).toHaveProperty('IngestResult');
  });
});
