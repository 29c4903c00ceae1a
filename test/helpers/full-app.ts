import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from '../../src/api/app.js';
import { DEFAULT_LIMITS } from '../../src/api/context.js';
import { ApiMetrics } from '../../src/api/middleware/metrics.js';
import { ROLES, type Role } from '../../src/core/api-keys.js';
import { ManualClock } from '../../src/core/clock.js';
import { createApiKey, MemoryApiKeyStore } from '../../src/store/api-keys.js';
import { DuckDBStore } from '../../src/store/duckdb.js';
import { type AlertStores, openAlertStores } from '../../src/store/open-alerts.js';
import { openRegistry } from '../../src/store/open-registry.js';
import type { ModelRegistry } from '../../src/store/registry.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
export const T0 = 1_767_225_600_000;

export interface FullApp {
  app: OpenAPIHono;
  store: DuckDBStore;
  stores: AlertStores;
  registry: ModelRegistry;
  clock: ManualClock;
  /** A usable key of each role. */
  keys: Record<Role, string>;
  revokedKey: string;
  expiredKey: string;
  close(): Promise<void>;
}

/**
 * The API with every optional part mounted (registry, alerts, dead letters, webhooks, metrics, keys), on an
 * in-memory DuckDB store, with one key per role, a revoked and an expired key, and no practical rate limit.
 */
export async function fullApp(): Promise<FullApp> {
  const store = await DuckDBStore.open(':memory:', { threads: 1 });
  const clock = new ManualClock(T0);
  const apiKeys = new MemoryApiKeyStore();
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = (await createApiKey(apiKeys, { name: role, role, createdAt: T0 })).key;
  const revoked = await createApiKey(apiKeys, { name: 'old', role: 'admin', createdAt: T0 });
  await apiKeys.revoke(revoked.summary.id, T0 + 1);
  const expired = await createApiKey(apiKeys, { name: 'temp', role: 'admin', createdAt: T0, expiresAt: T0 + 10 });
  clock.set(T0 + 1000);
  const stores = await openAlertStores(store);
  const { registry } = await openRegistry(store);
  const app = createApp({
    store,
    clock,
    limits: DEFAULT_LIMITS,
    version: 'test',
    registry,
    ...stores,
    auth: { keys: apiKeys, rateLimit: { perSecond: 1e9, burst: 1e9 } },
    metrics: new ApiMetrics({ processMetrics: false }),
  });
  return {
    app,
    store,
    stores,
    registry,
    clock,
    keys,
    revokedKey: revoked.key,
    expiredKey: expired.key,
    close: () => store.close(),
  };
}

export interface AppRoute {
  method: string;
  /** Hono's pattern: `/v1/alerts/:id`. */
  pattern: string;
}

/**
 * Every route the app answers, read from the app itself: its handlers (middleware, registered for ALL methods,
 * left out) and the operations of its OpenAPI document, so that a route added later is covered without editing
 * any list.
 */
export function appRoutes(app: OpenAPIHono): AppRoute[] {
  const seen = new Map<string, AppRoute>();
  const add = (method: string, pattern: string) => seen.set(`${method} ${pattern}`, { method, pattern });
  for (const route of app.routes) if (route.method !== 'ALL') add(route.method.toUpperCase(), route.path);
  const document = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'x', version: 'x' } });
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const method of Object.keys(operations ?? {})) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      add(method.toUpperCase(), path.replace(/\{([^}]+)\}/g, ':$1'));
    }
  }
  return [...seen.values()].sort((a, b) => `${a.pattern} ${a.method}`.localeCompare(`${b.pattern} ${b.method}`));
}

/** A concrete path for a pattern: parameters filled with ids that name nothing, a wildcard with a page. */
export function concretePath(pattern: string): string {
  return pattern.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, 'no-such-id').replace(/\/\*$/, '/index.html');
}
