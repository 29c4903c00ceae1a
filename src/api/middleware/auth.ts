import type { MiddlewareHandler } from 'hono';
import { parseKey, roleAllows, secretMatches } from '../../core/api-keys.js';
import type { Clock } from '../../core/clock.js';
import { ForbiddenError, UnauthorizedError } from '../../core/errors.js';
import { type ApiKeyRecord, type ApiKeyStore, type ApiKeySummary, summaryOf } from '../../store/api-keys.js';
import { accessFor, answeringRoute } from './route-access.js';

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
 * Authentication and authorisation in one middleware: finds what the answering route declares (`ROUTE_ACCESS`), checks
 * the presented key (401 when missing or not valid) and its role (403), and leaves the key in `c.get('apiKey')`.
 */
export function authenticate(
  verifier: ApiKeyVerifier,
  options: Pick<AuthOptions, 'publicMetrics'> = {},
): MiddlewareHandler {
  return async (c, next) => {
    const permission = accessFor(c.req.method, answeringRoute(c), options.publicMetrics ?? false);
    if (permission === 'public') return next();
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
