import { afterAll, describe, expect, it } from 'vitest';
import { accessFor, ROUTE_ACCESS, routeKey } from '../src/api/middleware/route-access.js';
import { ROLES, roleAllows } from '../src/core/api-keys.js';
import { runUpkeep } from './helpers/cli.js';
import { type AppRoute, appRoutes, concretePath, type FullApp, fullApp } from './helpers/full-app.js';

/**
 * The security matrix, generated: every route the app answers (from its handlers and its OpenAPI document) × every
 * role, no key, a revoked key and an expired key, with the status each must get. A route nobody declared in
 * ROUTE_ACCESS fails the first test, so routes added later cannot slip through unreviewed.
 */
const subject: FullApp = await fullApp();
const routes = appRoutes(subject.app);

afterAll(async () => {
  await subject.close();
});

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function send(route: AppRoute, headers: Record<string, string>): Promise<Response> {
  const body = WRITE_METHODS.has(route.method) && route.method !== 'DELETE' ? '{}' : undefined;
  return Promise.resolve(
    subject.app.request(concretePath(route.pattern), {
      method: route.method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body,
    }),
  );
}

type Caller = { name: string; headers: Record<string, string>; role?: (typeof ROLES)[number] };
const callers: Caller[] = [
  { name: 'no key', headers: {} },
  { name: 'revoked key', headers: { authorization: `Bearer ${subject.revokedKey}` } },
  { name: 'expired key', headers: { 'x-api-key': subject.expiredKey } },
  ...ROLES.map((role) => ({ name: role, role, headers: { authorization: `Bearer ${subject.keys[role]}` } })),
];

describe('generated security matrix', () => {
  it('finds the routes of the app and every one declares its access', () => {
    expect(routes.length).toBeGreaterThan(30);
    const keys = routes.map((route) => routeKey(route.method, route.pattern));
    for (const known of ['POST /v1/readings', 'POST /v1/alerts/:id/ack', 'DELETE /v1/keys/:id', 'GET /v1/webhooks']) {
      expect(keys).toContain(known);
    }
    const undeclared = keys.filter((key) => !(key in ROUTE_ACCESS));
    expect(undeclared, 'routes without a role in src/api/middleware/route-access.ts').toEqual([]);
  });

  const cases = routes.flatMap((route) => callers.map((caller) => ({ ...route, caller })));
  it.each(cases)('$method $pattern as $caller.name', async ({ caller, ...route }) => {
    const access = accessFor(route.method, route.pattern);
    const response = await send(route, caller.headers);
    // An event stream never ends: its status and headers say enough.
    const streaming = response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
    if (streaming) await response.body?.cancel();
    const body = streaming ? '' : await response.text();
    expect(response.status, body).toBeLessThan(500);
    if (access === 'public') {
      expect([401, 403], body).not.toContain(response.status);
    } else if (caller.role === undefined) {
      expect(response.status, body).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="upkeep"');
      expect(JSON.parse(body).error).toMatch(
        /^(missing API key|API key \w+ was revoked at .+|API key \w+ expired at .+)$/,
      );
    } else if (roleAllows(caller.role, access)) {
      expect([401, 403], body).not.toContain(response.status);
    } else {
      expect(response.status, body).toBe(403);
      expect(JSON.parse(body).error).toMatch(new RegExp(`has role '${caller.role}', .* \\(needs ${access}\\)$`));
    }
  });
});

describe('the OpenAPI document', () => {
  it('marks every operation with the access it declares, and protected ones with the key schemes', async () => {
    const document = (await (await subject.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { 'x-upkeep-access'?: string; security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.paths['/v1/keys']?.post?.['x-upkeep-access']).toBe('admin');
    expect(document.paths['/v1/alerts/{id}/ack']?.post?.['x-upkeep-access']).toBe('operate');
    expect(document.paths['/v1/readings']?.post?.security).toEqual([{ bearerKey: [] }, { headerKey: [] }]);
    expect(document.paths['/health']?.get).toMatchObject({ 'x-upkeep-access': 'public', security: [] });
    const operations = Object.values(document.paths).flatMap((path) => Object.values(path));
    expect(operations.every((operation) => typeof operation['x-upkeep-access'] === 'string')).toBe(true);
    expect(Object.keys(document.components.securitySchemes)).toEqual(
      expect.arrayContaining(['bearerKey', 'headerKey']),
    );
  });
});

describe('the access table against the documented roles', () => {
  it('admin alone manages keys, webhooks and alert rules; ingest may only write readings and score', () => {
    for (const key of ['POST /v1/keys', 'DELETE /v1/keys/:id', 'POST /v1/webhooks', 'POST /v1/alert-rules']) {
      expect(ROUTE_ACCESS[key], key).toBe('admin');
    }
    const ingestMay = Object.entries(ROUTE_ACCESS)
      .filter(([, access]) => access !== 'public' && roleAllows('ingest', access))
      .map(([key]) => key)
      .sort();
    expect(ingestMay).toEqual(['POST /analyse', 'POST /v1/analyse', 'POST /v1/readings']);
  });
});

describe('CORS', () => {
  it('sends no CORS headers by default, on a preflight or on a request', async () => {
    const preflight = await subject.app.request('/v1/assets', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const plain = await subject.app.request('/health', { headers: { origin: 'https://evil.example' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('upkeep serve --no-auth', () => {
  it('refuses to serve an open API beyond localhost, with one line and a non-zero exit', async () => {
    const result = await runUpkeep(['serve', '--no-auth', '--host', '0.0.0.0', '--port', '0', '--db', ':memory:']);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /--no-auth is allowed only on localhost \(127\.0\.0\.1, ::1\), not on --host 0\.0\.0\.0/,
    );
    expect(result.stdout).not.toMatch(/serving on/);
  });
});

describe('CORS for configured origins', () => {
  it('answers a preflight from an allowed origin and not from another', async () => {
    const { createApp } = await import('../src/api/app.js');
    const { DEFAULT_LIMITS } = await import('../src/api/context.js');
    const app = createApp({
      store: subject.store,
      clock: subject.clock,
      limits: DEFAULT_LIMITS,
      version: 'test',
      corsOrigins: ['https://ops.example.com'],
    });
    const preflight = (origin: string) =>
      app.request('/v1/assets', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
    expect((await preflight('https://ops.example.com')).headers.get('access-control-allow-origin')).toBe(
      'https://ops.example.com',
    );
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
