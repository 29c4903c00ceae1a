import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { OverloadedError, RateLimitedError, UpkeepError } from '../../core/errors.js';

/** The one place where error types become HTTP status codes. */
const STATUS_BY_ERROR_NAME: Record<string, ContentfulStatusCode> = {
  ValidationError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  PayloadTooLargeError: 413,
  UnprocessableError: 422,
  NotFittedError: 422,
  RateLimitedError: 429,
  OverloadedError: 503,
};

export function errorResponse(error: Error, c: Context): Response {
  if (error instanceof UpkeepError) {
    const status = STATUS_BY_ERROR_NAME[error.name] ?? 500;
    if (error instanceof OverloadedError || error instanceof RateLimitedError)
      c.header('Retry-After', String(error.retryAfterSeconds));
    return c.json({ error: error.message, details: error.details }, status);
  }
  // Hono's own refusals (e.g. 415 from a validator given a body it cannot read): their status, our error shape.
  if (error instanceof HTTPException && error.status < 500) {
    return c.json({ error: error.message || 'request refused', details: [] }, error.status as ContentfulStatusCode);
  }
  console.error(error);
  return c.json({ error: 'Internal server error', details: [] }, 500);
}
