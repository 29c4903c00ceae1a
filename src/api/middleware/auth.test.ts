import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../core/api-keys.js';
import { ManualClock } from '../../core/clock.js';
import { createApiKey, MemoryApiKeyStore } from '../../store/api-keys.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { openAlertStores } from '../../store/open-alerts.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';
import { presentedKey } from './auth.js';
import { ApiMetrics } from './metrics.js';
import { accessFor, type RouteAccess } from './route-access.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

interface ErrorBody {
  error: string;
  details: { path: string; message: string }[];
}

/**
 * Every route of the API with the roles allowed on it, written out by hand from the access rules in
 * docs/security.md (not derived from the policy under test). `public` routes need no key.
 */
const ROUTES: Array<{ method: string; path: string; allowed: Role[] | 'public'; body?: string }> = [
  { method: 'GET', path: '/health', allowed: 'public' },
  { method: 'GET', path: '/ready', allowed: 'public' },
  { method: 'GET', path: '/openapi.json', allowed: 'public' },
  { method: 'GET', path: '/index.html', allowed: 'public' },
  { method: 'GET', path: '/metrics', allowed: ['read', 'operate', 'admin'] },
  { method: 'POST', path: '/v1/readings', allowed: ['ingest', 'admin'], body: '[]' },
  { method: 'POST', path: '/analyse', allowed: ['ingest', 'read', 'operate', 'admin'], body: '{}' },
  { method: 'POST', path: '/v1/analyse', allowed: ['ingest', 'read', 'operate', 'admin'], body: '{}' },
  { method: 'GET', path: '/v1/assets', allowed: ['read', 'operate', 'admin'] },
  { method: 'GET', path: '/v1/assets/pump-01', allowed: ['read', 'operate', 'admin'] },
  { method: 'GET', path: '/v1/assets/pump-01/readings', allowed: ['read', 'operate', 'admin'] },
  { method: 'GET', path: '/v1/assets/pump-01/health', allowed: ['read', 'operate', 'admin'] },
  { method: 'GET', path: '/v1/models', allowed: ['read', 'operate', 'admin'] },
  { method: 'GET', path: '/v1/models/risk@1', allowed: ['read', 'operate', 'admin'] },
  { method: 'POST', path: '/v1/models/risk@1/predict', allowed: ['read', 'operate', 'admin'], body: '{}' },
  { method: 'POST', path: '/v1/models', allowed: ['operate', 'admin'], body: '{}' },
  { method: 'POST', path: '/v1/models/risk@1/promote', allowed: ['operate', 'admin'] },
  { method: 'GET', path: '/v1/jobs', allowed: ['read', 'operate', 'admin'] },
  { method: 'GET', path: '/v1/jobs/job-1', allowed: ['read', 'operate', 'admin'] },
  { method: 'GET', path: '/v1/alerts', allowed: ['read', 'operate', 'admin'] },
  { method: 'POST', path: '/v1/alerts/a-1/ack', allowed: ['operate', 'admin'], body: '{}' },
  { method: 'POST', path: '/v1/alerts/a-1/resolve', allowed: ['operate', 'admin'], body: '{}' },
  { method: 'POST', path: '/v1/alert-rules', allowed: ['admin'], body: '{}' },
  { method: 'DELETE', path: '/v1/alert-rules/1', allowed: ['admin'] },
  { method: 'GET', path: '/v1/dead-letters', allowed: ['read', 'operate', 'admin'] },
  { method: 'GET', path: '/v1/keys', allowed: ['admin'] },
  { method: 'POST', path: '/v1/keys', allowed: ['admin'], body: '{}' },
  { method: 'DELETE', path: '/v1/keys/0000000000000000', allowed: ['admin'] },
];

describe('the access policy', () => {
  it('reads what a route needs from the one table: undeclared routes are admin, unmatched ones public', () => {
    const cases: Array<[string, string | undefined, RouteAccess]> = [
      ['GET', '/health', 'public'],
      ['HEAD', '/ready', 'public'],
      ['GET', '/metrics', 'read'],
      ['GET', '/*', 'public'],
      ['POST', '/v1/readings', 'ingest'],
      ['POST', '/analyse', 'score'],
      ['GET', '/v1/keys', 'admin'],
      ['POST', '/v1/models/:id/predict', 'read'],
      ['POST', '/v1/models/:id/promote', 'operate'],
      ['PUT', '/v1/assets/:id', 'admin'],
      ['POST', undefined, 'public'],
    ];
    for (const [method, pattern, expected] of cases)
      expect(accessFor(method, pattern), `${method} ${pattern}`).toBe(expected);
    expect(accessFor('GET', '/metrics', true)).toBe('public');
  });

  it('takes the key from a Bearer header first, then from X-API-Key', () => {
    expect(presentedKey('Bearer abc', 'def')).toBe('abc');
    expect(presentedKey('bearer   abc  ', undefined)).toBe('abc');
    expect(presentedKey('Basic abc', 'def')).toBe('def');
    expect(presentedKey(undefined, '  ')).toBeUndefined();
    expect(presentedKey(undefined, undefined)).toBeUndefined();
  });
});

describe('authentication and roles over HTTP', () => {
  let store: DuckDBStore;
  let app: OpenAPIHono;
  const clock = new ManualClock(T0);
  const keys = new MemoryApiKeyStore();
  const byRole = new Map<Role, string>();
  let revokedKey = '';
  let expiredKey = '';

  beforeAll(async () => {
    store = await DuckDBStore.open(':memory:', { threads: 1 });
    for (const role of ROLES) byRole.set(role, (await createApiKey(keys, { name: role, role, createdAt: T0 })).key);
    const revoked = await createApiKey(keys, { name: 'old', role: 'admin', createdAt: T0 });
    await keys.revoke(revoked.summary.id, T0 + 1);
    revokedKey = revoked.key;
    expiredKey = (await createApiKey(keys, { name: 'temp', role: 'admin', createdAt: T0, expiresAt: T0 + 10 })).key;
    clock.set(T0 + 1000);
    app = createApp({
      store,
      clock,
      limits: DEFAULT_LIMITS,
      version: 'test',
      ...(await openAlertStores(store)),
      auth: { keys, rateLimit: { perSecond: 1e6, burst: 1e6 } },
      metrics: new ApiMetrics({ processMetrics: false }),
    });
  });

  afterAll(async () => {
    await store.close();
  });

  const send = (route: (typeof ROUTES)[number], headers: Record<string, string> = {}) =>
    app.request(route.path, {
      method: route.method,
      headers: route.body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: route.body,
    });

  const expectError = async (response: Response, status: number, pattern: RegExp) => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toMatch(pattern);
    expect(Array.isArray(body.details)).toBe(true);
  };

  it.each(ROUTES)('$method $path: no key, a revoked key and an expired key', async (route) => {
    const anonymous = await send(route);
    if (route.allowed === 'public') {
      expect(anonymous.status).not.toBe(401);
      expect(anonymous.status).not.toBe(403);
      return;
    }
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="upkeep"');
    await expectError(anonymous, 401, /^missing API key$/);
    await expectError(
      await send(route, { authorization: `Bearer ${revokedKey}` }),
      401,
      /was revoked at 2026-01-01T00:00:00.001Z/,
    );
    await expectError(await send(route, { 'x-api-key': expiredKey }), 401, /expired at 2026-01-01T00:00:00.010Z/);
    await expectError(
      await send(route, { authorization: 'Bearer upk_0000000000000000_nope' }),
      401,
      /^unknown API key$/,
    );
  });

  const matrix = ROUTES.flatMap((route) => ROLES.map((role) => ({ ...route, role })));
  it.each(matrix)('$method $path as $role', async (route) => {
    const response = await send(route, { authorization: `Bearer ${byRole.get(route.role)}` });
    const allowed = route.allowed === 'public' || route.allowed.includes(route.role);
    if (allowed) {
      expect([401, 403]).not.toContain(response.status);
    } else {
      await expectError(response, 403, new RegExp(`has role '${route.role}', which may not ${route.method} `));
    }
  });

  it('accepts the same key in X-API-Key, and a wrong secret for a known id is refused', async () => {
    const read = byRole.get('read') ?? '';
    expect((await app.request('/v1/assets', { headers: { 'x-api-key': read } })).status).toBe(200);
    const forged = `${read.slice(0, -1)}${read.endsWith('A') ? 'B' : 'A'}`;
    await expectError(await app.request('/v1/assets', { headers: { 'x-api-key': forged } }), 401, /^unknown API key$/);
  });

  it('lets an admin create, list and revoke keys over HTTP; the new key works at once and stops on revoke', async () => {
    const admin = { authorization: `Bearer ${byRole.get('admin')}`, 'content-type': 'application/json' };
    const created = await app.request('/v1/keys', {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'line-3 gateway', role: 'ingest', expires_in: '30d' }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; key: string; role: string; expires_at: string };
    expect(body.role).toBe('ingest');
    // 2026-01-01T00:00:01Z + 30 days
    expect(body.expires_at).toBe('2026-01-31T00:00:01.000Z');
    const ingest = { authorization: `Bearer ${body.key}`, 'content-type': 'application/json' };
    const reading = JSON.stringify([{ asset: 'pump-01', ts: T0, metrics: { temperature: 70 } }]);
    expect((await app.request('/v1/readings', { method: 'POST', headers: ingest, body: reading })).status).toBe(200);

    const listed = (await (await app.request('/v1/keys', { headers: admin })).json()) as { keys: { id: string }[] };
    expect(listed.keys.map((key) => key.id)).toContain(body.id);
    expect(JSON.stringify(listed)).not.toContain(body.key);

    const revoked = await app.request(`/v1/keys/${body.id}`, { method: 'DELETE', headers: admin });
    expect(revoked.status).toBe(200);
    await expectError(
      await app.request('/v1/readings', { method: 'POST', headers: ingest, body: reading }),
      401,
      /was revoked/,
    );
    await expectError(
      await app.request('/v1/keys', {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name: 'x', role: 'read', expires_in: 'soon' }),
      }),
      400,
      /'expires_in' must be a duration such as 30d, 12h or 15m, got "soon"/,
    );
  });
});

describe('without an auth configuration', () => {
  it('leaves every route open and mounts no key routes', async () => {
    const store = await DuckDBStore.open(':memory:', { threads: 1 });
    try {
      const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test' });
      expect((await app.request('/v1/assets')).status).toBe(200);
      expect((await app.request('/v1/keys')).status).toBe(404);
    } finally {
      await store.close();
    }
  });
});
