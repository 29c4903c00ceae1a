import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Permission } from '../../core/api-keys.js';

/** What a route needs: a permission a key's role must grant, or `public` (no key). */
export type RouteAccess = Permission | 'public';

/**
 * Every route of the API and what it needs, keyed `METHOD /pattern` in Hono's syntax (`:id`, not `{id}`). One table,
 * read by one middleware (`authenticate`); a route missing here is closed (admin only) and fails the generated
 * security matrix (test/security-matrix.test.ts), so a new route must be given its role here. `GET /metrics` is
 * public only when the server runs with public metrics.
 */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /health': 'public',
  'GET /ready': 'public',
  'GET /openapi.json': 'public',
  'GET /metrics': 'read',
  // The dashboard's pages and files.
  'GET /*': 'public',

  'POST /v1/readings': 'ingest',
  'POST /analyse': 'score',
  'POST /v1/analyse': 'score',
  'GET /v1/assets': 'read',
  'GET /v1/assets/:id': 'read',
  'GET /v1/assets/:id/readings': 'read',
  'GET /v1/assets/:id/health': 'read',
  'GET /v1/fleet': 'read',
  'GET /v1/fleet/:id': 'read',
  'GET /v1/fleet/:id/trajectory': 'read',
  'GET /v1/ingestion': 'read',
  'GET /v1/events': 'read',

  'GET /v1/models': 'read',
  'GET /v1/models/:id': 'read',
  'POST /v1/models/:id/predict': 'read',
  'POST /v1/models/:id/cost': 'read',
  'POST /v1/models': 'operate',
  'POST /v1/models/:id/promote': 'operate',

  'GET /v1/jobs': 'read',
  'GET /v1/jobs/:id': 'read',
  'GET /v1/jobs/:id/output': 'read',
  'POST /v1/jobs': 'operate',
  'DELETE /v1/jobs/:id': 'operate',

  'GET /v1/alerts': 'read',
  'GET /v1/alerts/:id': 'read',
  'POST /v1/alerts/:id/ack': 'operate',
  'POST /v1/alerts/:id/resolve': 'operate',
  'GET /v1/alert-rules': 'read',
  'POST /v1/alert-rules': 'admin',
  'PUT /v1/alert-rules/:id': 'admin',
  'DELETE /v1/alert-rules/:id': 'admin',
  'GET /v1/dead-letters': 'read',

  'GET /v1/webhooks': 'admin',
  'POST /v1/webhooks': 'admin',
  'DELETE /v1/webhooks/:id': 'admin',
  'GET /v1/webhooks/:id/deliveries': 'admin',

  'GET /v1/keys': 'admin',
  'POST /v1/keys': 'admin',
  'DELETE /v1/keys/:id': 'admin',
};

/** The key of a route in ROUTE_ACCESS. HEAD is answered by GET routes. */
export function routeKey(method: string, pattern: string): string {
  const verb = method.toUpperCase();
  return `${verb === 'HEAD' ? 'GET' : verb} ${pattern}`;
}

/** The route pattern that will answer this request (its first matched handler that is not a middleware). */
export function answeringRoute(c: Context): string | undefined {
  for (const route of matchedRoutes(c)) {
    if (route.method !== 'ALL') return route.path;
  }
  return undefined;
}

/**
 * What a request needs: the declared access of the route that answers it; `admin` for a route that was not
 * declared (closed until someone declares it); `public` when no route answers (the 404 needs no key).
 */
export function accessFor(method: string, pattern: string | undefined, publicMetrics = false): RouteAccess {
  if (pattern === undefined) return 'public';
  const key = routeKey(method, pattern);
  if (key === 'GET /metrics' && publicMetrics) return 'public';
  return ROUTE_ACCESS[key] ?? 'admin';
}

type OpenApiDocument = { paths?: object; components?: object };

/**
 * The OpenAPI document with each operation's access from ROUTE_ACCESS: `x-upkeep-access` (the permission, or
 * `public`) and, for protected operations, `security` (a Bearer key or an `X-API-Key` header).
 */
export function withDeclaredAccess<D extends OpenApiDocument>(document: D, publicMetrics = false): D {
  const paths: Record<string, Record<string, unknown>> = {};
  const documented = (document.paths ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const [path, operations] of Object.entries(documented)) {
    const annotated: Record<string, unknown> = { ...operations };
    for (const [method, operation] of Object.entries(operations ?? {})) {
      if (typeof operation !== 'object' || operation === null || method === 'parameters') continue;
      const access = accessFor(method, path.replace(/\{([^}]+)\}/g, ':$1'), publicMetrics);
      annotated[method] = {
        ...operation,
        'x-upkeep-access': access,
        ...(access === 'public' ? { security: [] } : { security: [{ bearerKey: [] }, { headerKey: [] }] }),
      };
    }
    paths[path] = annotated;
  }
  const components = {
    ...(document.components ?? {}),
    securitySchemes: {
      ...((document.components as { securitySchemes?: object } | undefined)?.securitySchemes ?? {}),
      bearerKey: { type: 'http', scheme: 'bearer', description: 'An Upkeep API key: upk_<id>_<secret>' },
      headerKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    },
  };
  return { ...document, paths, components };
}
