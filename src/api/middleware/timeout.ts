import type { MiddlewareHandler } from 'hono';
import { OverloadedError } from '../../core/errors.js';
import { answeringRoute, routeKey } from './route-access.js';

/** Longest time a handler may take to answer (the body of a streamed answer may take longer). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Routes whose handler reads an upload of any size before answering: bounded by the body limit, not by time. */
const UNTIMED_ROUTES = new Set(['POST /v1/jobs']);

/**
 * Answers 503 (with `Retry-After`) when a handler has not produced a response within `ms`, so a stuck store or a
 * slow computation cannot hold a client forever. The handler is not cancelled; its late answer is dropped.
 */
export function requestTimeout(ms: number): MiddlewareHandler {
  return async (c, next) => {
    const pattern = answeringRoute(c);
    if (pattern !== undefined && UNTIMED_ROUTES.has(routeKey(c.req.method, pattern))) return next();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new OverloadedError(`${c.req.method} ${c.req.path} took longer than ${ms} ms`, 1)),
        ms,
      );
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
