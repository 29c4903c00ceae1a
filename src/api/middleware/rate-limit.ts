import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../../core/clock.js';
import { describeValue, RateLimitedError, ValidationError } from '../../core/errors.js';

export interface RateLimitOptions {
  /** Sustained requests per second per key. */
  perSecond: number;
  /** Requests a key may send at once after being idle (the bucket's size). */
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 100, burst: 200 };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

function checkPositive(value: number, field: string): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ValidationError(`'${field}' must be a positive number, got ${describeValue(value)}`, [
      { path: field, message: 'must be a positive number' },
    ]);
  }
}

/**
 * Token buckets by caller: each holds up to `burst` tokens, refilled at `perSecond`; a request takes one.
 * O(1) per request; one bucket per caller seen.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly clock: Clock,
  ) {
    checkPositive(options.perSecond, 'perSecond');
    checkPositive(options.burst, 'burst');
  }

  /** Takes a token for `caller`: 0 when granted, else the seconds until one is available (≥ 1, whole). */
  take(caller: string): number {
    const now = this.clock.now();
    const { perSecond, burst } = this.options;
    const bucket = this.buckets.get(caller) ?? { tokens: burst, updatedAt: now };
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(burst, bucket.tokens + elapsedSeconds * perSecond);
    bucket.updatedAt = now;
    this.buckets.set(caller, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }
}

/**
 * Per-key rate limit: requests authenticated with a key (`c.get('apiKey')`) take a token from that key's bucket;
 * over the limit → RateLimitedError (429 with `Retry-After`). Requests without a key (public routes, or
 * authentication off) pass untouched.
 */
export function rateLimit(buckets: TokenBuckets): MiddlewareHandler {
  return async (c, next) => {
    const key = c.get('apiKey');
    if (key) {
      const retryAfterSeconds = buckets.take(key.id);
      if (retryAfterSeconds > 0) {
        throw new RateLimitedError(
          `API key ${key.id} is over its rate limit: retry after ${retryAfterSeconds} s`,
          retryAfterSeconds,
          [{ path: 'authorization', message: 'rate limit exceeded' }],
        );
      }
    }
    return next();
  };
}
