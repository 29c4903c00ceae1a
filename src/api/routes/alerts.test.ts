import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { DuckDBAlerts } from '../../store/duckdb-alerts.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('alert routes', () => {
  let store: DuckDBStore;
  let alerts: DuckDBAlerts;
  let clock: ManualClock;
  let app: ReturnType<typeof createApp>;

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:');
    alerts = await DuckDBAlerts.open(store);
    clock = new ManualClock(T0 + 60_000);
    app = createApp({ store, clock, limits: DEFAULT_LIMITS, version: 'test', alerts });
  });

  afterEach(async () => {
    await store.close();
  });

  async function seed() {
    const base = { ruleId: '1', message: 'm', value: 90 };
    const a = await alerts.open({ ...base, asset: 'p1', severity: 'major', openedAt: T0 });
    const b = await alerts.open({ ...base, asset: 'p2', severity: 'critical', openedAt: T0 + 1000 });
    const c = await alerts.open({ ...base, ruleId: '2', asset: 'p1', severity: 'warning', openedAt: T0 + 2000 });
    return [a.alert.id, b.alert.id, c.alert.id] as const;
  }

  it('lists alerts newest first and filters by state, asset and severity', async () => {
    const [a, b, c] = await seed();
    const ids = async (query: string) => {
      const response = await app.request(`/v1/alerts${query}`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { alerts: Array<{ id: string }> }).alerts.map((alert) => alert.id);
    };
    expect(await ids('')).toEqual([c, b, a]);
    expect(await ids('?asset=p1')).toEqual([c, a]);
    expect(await ids('?severity=critical')).toEqual([b]);
    await app.request(`/v1/alerts/${a}/ack`, post({ by: 'ana', comment: 'on it' }));
    expect(await ids('?state=open')).toEqual([c, b]);
    expect(await ids('?state=acknowledged&asset=p1')).toEqual([a]);
    expect(await ids('?limit=1')).toEqual([c]);
    const bad = await app.request('/v1/alerts?severity=huge');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^severity: /);
  });

  it('acknowledges then resolves an alert with who, when and the comment; repeats are 409', async () => {
    const [a] = await seed();
    const acked = await app.request(`/v1/alerts/${a}/ack`, post({ by: 'ana', comment: 'on it' }));
    expect(acked.status).toBe(200);
    expect(await acked.json()).toEqual({
      id: a,
      rule_id: '1',
      asset: 'p1',
      severity: 'major',
      state: 'acknowledged',
      message: 'm',
      value: 90,
      opened_at: '2026-01-01T00:00:00.000Z',
      acknowledged: { by: 'ana', at: '2026-01-01T00:01:00.000Z', comment: 'on it' },
      resolved: null,
      resolution: null,
    });
    const again = await app.request(`/v1/alerts/${a}/ack`, post({ by: 'bo' }));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toBe(
      `alert ${a} is acknowledged: only an open alert can be acknowledged`,
    );
    clock.advance(30_000);
    const resolved = await app.request(`/v1/alerts/${a}/resolve`, post({ by: 'bo', comment: 'greased' }));
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({
      state: 'resolved',
      resolution: 'manual',
      resolved: { by: 'bo', at: '2026-01-01T00:01:30.000Z', comment: 'greased' },
    });
    expect((await app.request(`/v1/alerts/${a}/resolve`, post({ by: 'bo' }))).status).toBe(409);
    expect(await (await app.request(`/v1/alerts/${a}`)).json()).toMatchObject({ state: 'resolved' });
  });

  it('answers 404 for unknown alerts and 400 when nobody is named', async () => {
    const [a] = await seed();
    expect((await app.request('/v1/alerts/999')).status).toBe(404);
    expect((await app.request('/v1/alerts/abc/ack', post({ by: 'ana' }))).status).toBe(404);
    const anonymous = await app.request(`/v1/alerts/${a}/ack`, post({ comment: 'x' }));
    expect(anonymous.status).toBe(400);
    expect(((await anonymous.json()) as { error: string }).error).toMatch(/^by: /);
  });

  it('adds, lists, replaces and deletes rules; an inconsistent rule is a 400 naming the field', async () => {
    const created = await app.request(
      '/v1/alert-rules',
      post({
        name: 'bearing hot',
        condition: { kind: 'metric_above', metric: 'temperature', threshold: 80, clear: 70 },
        severity: 'major',
        for_ms: 60_000,
      }),
    );
    expect(created.status).toBe(201);
    const rule = (await created.json()) as { id: string };
    expect(rule).toEqual({
      id: rule.id,
      name: 'bearing hot',
      asset: null,
      condition: { kind: 'metric_above', metric: 'temperature', threshold: 80, clear: 70 },
      severity: 'major',
      for_ms: 60_000,
      clear_for_ms: 0,
    });
    const listed = (await (await app.request('/v1/alert-rules')).json()) as { rules: unknown[] };
    expect(listed.rules).toEqual([rule]);

    const inverted = await app.request(
      '/v1/alert-rules',
      post({ name: 'x', condition: { kind: 'metric_below', metric: 't', threshold: 10, clear: 5 }, severity: 'minor' }),
    );
    expect(inverted.status).toBe(400);
    expect(((await inverted.json()) as { error: string }).error).toBe(
      'condition.clear: must be at or above the threshold 10, got 5',
    );
    const unknownKind = await app.request(
      '/v1/alert-rules',
      post({ name: 'x', condition: { kind: 'vibes', threshold: 1, clear: 0 }, severity: 'minor' }),
    );
    expect(unknownKind.status).toBe(400);
    expect(((await unknownKind.json()) as { error: string }).error).toMatch(/^condition\.kind: /);

    const put = (id: string, body: unknown) => app.request(`/v1/alert-rules/${id}`, { ...post(body), method: 'PUT' });
    const replacement = {
      name: 'bearing very hot',
      asset: 'pump-01',
      condition: { kind: 'metric_above', metric: 'temperature', threshold: 90, clear: 80 },
      severity: 'critical',
    };
    const updated = await put(rule.id, replacement);
    expect(updated.status).toBe(200);
    const expected = { ...replacement, id: rule.id, for_ms: 0, clear_for_ms: 0 };
    expect(await updated.json()).toEqual(expected);
    expect(((await (await app.request('/v1/alert-rules')).json()) as { rules: unknown[] }).rules).toEqual([expected]);
    expect((await put('4242', replacement)).status).toBe(404);
    const invertedUpdate = await put(rule.id, { ...replacement, condition: { ...replacement.condition, clear: 95 } });
    expect(invertedUpdate.status).toBe(400);

    expect((await app.request(`/v1/alert-rules/${rule.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await app.request(`/v1/alert-rules/${rule.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(((await (await app.request('/v1/alert-rules')).json()) as { rules: unknown[] }).rules).toEqual([]);
  });

  it('is not served without an alert store, and documents its routes', async () => {
    const bare = createApp({ store, clock, limits: DEFAULT_LIMITS, version: 'test' });
    expect((await bare.request('/v1/alerts')).status).toBe(404);
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/alerts', '/v1/alerts/{id}', '/v1/alerts/{id}/ack', '/v1/alert-rules/{id}']),
    );
  });
});
