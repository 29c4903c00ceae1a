import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { DuckDBStore } from '../../store/duckdb.js';
import type { Store } from '../../store/store.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

interface ErrorBody {
  error: string;
  details: { path: string; message: string }[];
}

describe('asset routes', () => {
  let store: Store;
  let app: OpenAPIHono;

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:');
    app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test' });
    await store.appendReadings([
      { asset: 'pump-01', ts: T0, metrics: { temperature: 70, vibration: 0.5 } },
      { asset: 'pump-01', ts: T0 + 1000, metrics: { temperature: 71, vibration: 0.6 } },
      { asset: 'pump-01', ts: T0 + 2000, metrics: { temperature: 72 } },
      { asset: 'pump-02', ts: T0, metrics: { temperature: 60 } },
      { asset: 'fan 7/a', ts: T0, metrics: { rpm: 900 } },
    ]);
    await store.upsertAssets([{ id: 'pump-01', attributes: { site: 'north' } }]);
  });

  afterEach(async () => {
    await store.close();
  });

  const get = async (path: string) => {
    const response = await app.request(path);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const ids = (body: Record<string, unknown>) => (body.assets as { id: string }[]).map((asset) => asset.id);

  describe('GET /v1/assets', () => {
    it('lists assets ordered by id with summaries, default page 100 from 0', async () => {
      const { status, body } = await get('/v1/assets');
      expect(status).toBe(200);
      expect(body.limit).toBe(100);
      expect(body.offset).toBe(0);
      expect(ids(body)).toEqual(['fan 7/a', 'pump-01', 'pump-02']);
      expect((body.assets as unknown[])[1]).toEqual({
        id: 'pump-01',
        attributes: { site: 'north' },
        metrics: ['temperature', 'vibration'],
        reading_count: 5,
        first_ts: '2026-01-01T00:00:00.000Z',
        last_ts: '2026-01-01T00:00:02.000Z',
      });
    });

    it('searches and pages', async () => {
      expect(ids((await get('/v1/assets?search=PUMP')).body)).toEqual(['pump-01', 'pump-02']);
      expect(ids((await get('/v1/assets?search=pump&limit=1&offset=1')).body)).toEqual(['pump-02']);
      expect(ids((await get('/v1/assets?search=')).body)).toHaveLength(3);
      expect(ids((await get('/v1/assets?offset=3')).body)).toEqual([]);
    });

    it.each([
      ['limit=abc', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=2.5', 'limit'],
      ['offset=-3', 'offset'],
    ])('refuses %s with 400 naming %s', async (query, parameter) => {
      const { status, body } = await get(`/v1/assets?${query}`);
      expect(status).toBe(400);
      expect((body as unknown as ErrorBody).error).toMatch(new RegExp(`^${parameter}: `));
      expect((body as unknown as ErrorBody).details[0]?.path).toBe(parameter);
    });
  });

  describe('GET /v1/assets/{id}', () => {
    it('gives the summary and the latest value of every metric', async () => {
      const { status, body } = await get('/v1/assets/pump-01');
      expect(status).toBe(200);
      expect(body).toEqual({
        id: 'pump-01',
        attributes: { site: 'north' },
        metrics: ['temperature', 'vibration'],
        reading_count: 5,
        first_ts: iso(0),
        last_ts: iso(2000),
        latest: { temperature: { ts: iso(2000), value: 72 }, vibration: { ts: iso(1000), value: 0.6 } },
      });
    });

    it('finds an id with a space and a slash when it is URL-encoded', async () => {
      const { status, body } = await get(`/v1/assets/${encodeURIComponent('fan 7/a')}`);
      expect(status).toBe(200);
      expect(body.id).toBe('fan 7/a');
    });

    it('answers 404 for an unknown asset, naming it', async () => {
      const { status, body } = await get('/v1/assets/pump-99');
      expect(status).toBe(404);
      expect(body).toEqual({ error: 'unknown asset "pump-99"', details: [{ path: 'id', message: 'no such asset' }] });
    });
  });

  describe('GET /v1/assets/{id}/readings', () => {
    it('gives values ts ascending (then metric), times as ISO strings', async () => {
      const { status, body } = await get('/v1/assets/pump-01/readings');
      expect(status).toBe(200);
      expect(body).toEqual({
        asset: 'pump-01',
        readings: [
          { ts: iso(0), metric: 'temperature', value: 70 },
          { ts: iso(0), metric: 'vibration', value: 0.5 },
          { ts: iso(1000), metric: 'temperature', value: 71 },
          { ts: iso(1000), metric: 'vibration', value: 0.6 },
          { ts: iso(2000), metric: 'temperature', value: 72 },
        ],
      });
    });

    it('filters by metric and by from (inclusive) / to (exclusive), in ISO or epoch ms', async () => {
      const values = async (query: string) =>
        ((await get(`/v1/assets/pump-01/readings?${query}`)).body.readings as { ts: string; value: number }[]).map(
          (reading) => reading.value,
        );
      expect(await values('metric=temperature')).toEqual([70, 71, 72]);
      expect(await values(`metric=temperature&from=${encodeURIComponent(iso(1000))}`)).toEqual([71, 72]);
      expect(await values(`metric=temperature&from=${T0 + 1000}&to=${T0 + 2000}`)).toEqual([71]);
      expect(await values('metric=temperature&to=2026-01-01T00:00:01Z')).toEqual([70]);
      expect(await values('metric=temperature&limit=2')).toEqual([70, 71]);
      expect(await values('metric=pressure')).toEqual([]);
      expect(await values(`from=${T0 + 60_000}`)).toEqual([]);
    });

    it.each([
      ['from=yesterday', '\'from\' must be an ISO-8601 time or epoch milliseconds, got "yesterday"'],
      ['to=2026-13-01', '\'to\' must be an ISO-8601 time or epoch milliseconds, got "2026-13-01"'],
      ['from=-5', '\'from\' must be an ISO-8601 time or epoch milliseconds, got "-5"'],
      ['limit=100001', 'limit: '],
      ['limit=x', 'limit: '],
    ])('refuses %s with 400 naming the parameter', async (query, message) => {
      const { status, body } = await get(`/v1/assets/pump-01/readings?${query}`);
      expect(status).toBe(400);
      expect((body as unknown as ErrorBody).error.startsWith(message)).toBe(true);
    });

    it('answers 404 for an unknown asset', async () => {
      const { status, body } = await get('/v1/assets/pump-99/readings');
      expect(status).toBe(404);
      expect((body as unknown as ErrorBody).error).toBe('unknown asset "pump-99"');
    });

    it('answers an empty list for a known asset without values in the range', async () => {
      await store.upsertAssets([{ id: 'spare', attributes: {} }]);
      expect(await get('/v1/assets/spare/readings')).toEqual({ status: 200, body: { asset: 'spare', readings: [] } });
    });
  });

  it('documents the three routes in /openapi.json', async () => {
    const { body } = await get('/openapi.json');
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining(['/v1/assets', '/v1/assets/{id}', '/v1/assets/{id}/readings']),
    );
  });
});
