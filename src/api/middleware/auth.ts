import type { MiddlewareHandler } from 'hono';
import { type Permission, parseKey, roleAllows, secretMatches } from '../../core/api-keys.js';
import type { Clock } from '../../core/clock.js';
import { ForbiddenError, UnauthorizedError } from '../../core/errors.js';
import { type ApiKeyRecord, type ApiKeyStore, type ApiKeySummary, summaryOf } from '../../store/api-keys.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The key the request was authenticated with (absent when authentication is off or the route is public). */
    apiKey: ApiKeySummary;
  }
}

export interface AuthOptions {
  keys: ApiKeyStore;
  clock: Clock;
  /** Serve `GET /metrics` without a key (for a Prometheus that scrapes over a private network). Default false. */
  publicMetrics?: boolean;
  /** How long a looked-up key is trusted before it is read again (revocations elsewhere take this long). Default 5 s. */
  cacheMs?: number;
  /** Least time between two writes of a key's last-used time. Default 60 s. */
  touchIntervalMs?: number;
}

const PUBLIC_PATHS = new Set(['/health', '/ready', '/openapi.json']);
const READ_METHODS = new Set(['GET', 'HEAD']);

/** Lower-cased, repeated and trailing slashes removed: how the policy sees a path. */
function normalisePath(path: string): string {
  const collapsed = path.toLowerCase().replace(/\/{2,}/g, '/');
  return collapsed.length > 1 && collapsed.endsWith('/') ? collapsed.slice(0, -1) : collapsed;
}

/**
 * The one access policy: what `method path` needs, or `undefined` for a public route. Rules, first match wins:
 * `/health`, `/ready`, `/openapi.json` public; `/metrics` needs read (public with `publicMetrics`); keys need admin;
 * `POST /analyse` any key (score); `POST /v1/readings` ingest; `GET` under `/v1` read; predicting read; training,
 * promoting, jobs and acknowledging or resolving alerts operate; any other `GET` outside the API (the dashboard's
 * files) public; anything else admin, so that a new write route is closed until it is given a role here.
 */
export function requiredPermission(method: string, path: string, publicMetrics = false): Permission | undefined {
  const verb = method.toUpperCase();
  const route = normalisePath(path);
  const reading = READ_METHODS.has(verb);
  const underApi = route === '/v1' || route.startsWith('/v1/');
  if (reading && PUBLIC_PATHS.has(route)) return undefined;
  if (route === '/metrics') return reading && publicMetrics ? undefined : 'read';
  if (route === '/v1/keys' || route.startsWith('/v1/keys/')) return 'admin';
  if (verb === 'POST' && (route === '/analyse' || route === '/v1/analyse')) return 'score';
  if (verb === 'POST' && route === '/v1/readings') return 'ingest';
  if (reading) return underApi || route === '/analyse' ? 'read' : undefined;
  if (verb === 'POST' && /^\/v1\/models\/[^/]+\/predict$/.test(route)) return 'read';
  if (verb === 'POST' && (route === '/v1/models' || /^\/v1\/models\/[^/]+\/promote$/.test(route))) return 'operate';
  if ((verb === 'POST' || verb === 'DELETE') && (route === '/v1/jobs' || route.startsWith('/v1/jobs/'))) {
    return 'operate';
  }
  if (verb === 'POST' && /^\/v1\/alerts\/[^/]+\/(ack|resolve)$/.test(route)) return 'operate';
  return 'admin';
}

/** The key a request presents: `Authorization: Bearer <key>` first, then `X-API-Key`. */
export function presentedKey(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  const bearer = authorization ? /^\s*bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (bearer) return bearer;
  const direct = apiKeyHeader?.trim();
  return direct ? direct : undefined;
}

const NO_KEY_DETAIL = [{ path: 'authorization', message: "send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'" }];

/**
 * Checks presented keys against the store: salted-hash comparison in constant time, a short cache of records,
 * and last-used times written at most once per `touchIntervalMs` per key (never on the request's path).
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, { record: ApiKeyRecord | undefined; fetchedAt: number }>();
  private readonly touchedAt = new Map<string, number>();

  constructor(private readonly options: AuthOptions) {}

  /** The key's summary; UnauthorizedError when it is missing, unknown, revoked or expired. */
  async verify(presented: string | undefined): Promise<ApiKeySummary> {
    if (presented === undefined) throw new UnauthorizedError('missing API key', NO_KEY_DETAIL);
    const parsed = parseKey(presented);
    const record = parsed ? await this.lookup(parsed.id) : undefined;
    if (!parsed || !record || !secretMatches(parsed.secret, record.salt, record.hash)) {
      throw new UnauthorizedError('unknown API key', [{ path: 'authorization', message: 'not a valid API key' }]);
    }
    const now = this.options.clock.now();
    if (record.revokedAt !== undefined) {
      throw new UnauthorizedError(`API key ${record.id} was revoked at ${new Date(record.revokedAt).toISOString()}`, [
        { path: 'authorization', message: 'revoked' },
      ]);
    }
    if (record.expiresAt !== undefined && record.expiresAt <= now) {
      throw new UnauthorizedError(`API key ${record.id} expired at ${new Date(record.expiresAt).toISOString()}`, [
        { path: 'authorization', message: 'expired' },
      ]);
    }
    this.touch(record.id, now);
    return summaryOf(record);
  }

  /** Forgets a cached key (after a revocation through this process). */
  forget(id: string): void {
    this.cache.delete(id);
  }

  private async lookup(id: string): Promise<ApiKeyRecord | undefined> {
    const now = this.options.clock.now();
    const cached = this.cache.get(id);
    if (cached && now - cached.fetchedAt < (this.options.cacheMs ?? 5000)) return cached.record;
    const record = await this.options.keys.get(id);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { record, fetchedAt: now });
    return record;
  }

  private touch(id: string, now: number): void {
    const last = this.touchedAt.get(id);
    if (last !== undefined && now - last < (this.options.touchIntervalMs ?? 60_000)) return;
    this.touchedAt.set(id, now);
    this.options.keys.touch(id, now).catch(() => undefined);
  }
}

/**
 * Authentication and authorisation in one middleware: finds what the route needs (`requiredPermission`), checks
 * the presented key (401 when missing or not valid) and its role (403), and leaves the key in `c.get('apiKey')`.
 */
export function authenticate(
  verifier: ApiKeyVerifier,
  options: Pick<AuthOptions, 'publicMetrics'> = {},
): MiddlewareHandler {
  return async (c, next) => {
    const permission = requiredPermission(c.req.method, c.req.path, options.publicMetrics ?? false);
    if (permission === undefined) return next();
    let key: ApiKeySummary;
    try {
      key = await verifier.verify(presentedKey(c.req.header('authorization'), c.req.header('x-api-key')));
    } catch (error) {
      c.header('WWW-Authenticate', 'Bearer realm="upkeep"');
      throw error;
    }
    if (!roleAllows(key.role, permission)) {
      throw new ForbiddenError(
        `API key ${key.id} has role '${key.role}', which may not ${c.req.method} ${c.req.path} (needs ${permission})`,
        [{ path: 'role', message: `needs ${permission}` }],
      );
    }
    c.set('apiKey', key);
    return next();
  };
}
