import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';

declare module 'hono' {
  interface ContextVariableMap {
    /** The request's id: the caller's `X-Request-Id` when it is a sane token, else a new UUID. */
    requestId: string;
  }
}

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (echoed in `X-Request-Id`) and, with a logger, writes one JSON line per request:
 * id, method, path, status and duration. Never headers or bodies, so keys and secrets stay out of the logs.
 */
export function requestLog(logger: Logger | undefined, now: () => number = () => performance.now()): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const id = given !== undefined && SANE_ID.test(given) ? given : randomUUID();
    c.set('requestId', id);
    const started = now();
    try {
      await next();
    } finally {
      c.header('X-Request-Id', id);
      logger?.info(
        {
          req_id: id,
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round((now() - started) * 10) / 10,
          key: c.get('apiKey')?.id,
        },
        'request',
      );
    }
  };
}
