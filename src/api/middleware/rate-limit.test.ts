import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { createApiKey, MemoryApiKeyStore } from '../../store/api-keys.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';
import { TokenBuckets } from './rate-limit.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

describe('TokenBuckets', () => {
  it('grants a burst, then refills at the sustained rate, per caller', () => {
    const clock = new ManualClock(T0);
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 }, clock);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    // Empty: one token comes back after 1/2 s, rounded up to whole seconds for Retry-After.
    expect(buckets.take('a')).toBe(1);
    expect(buckets.take('b')).toBe(0);
    clock.advance(500);
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(1);
    // Idle for a minute refills only up to the burst: 3 then refused.
    clock.advance(60_000);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0, 1]);
  });

  it('gives whole seconds to wait at slow rates', () => {
    const clock = new ManualClock(T0);
    const buckets = new TokenBuckets({ perSecond: 0.1, burst: 1 }, clock);
    expect(buckets.take('a')).toBe(0);
    // One token per 10 s.
    expect(buckets.take('a')).toBe(10);
    clock.advance(2500);
    // 0.25 of a token back: (1 - 0.25) / 0.1 = 7.5 → 8
    expect(buckets.take('a')).toBe(8);
  });

  it('refuses a rate that is not positive', () => {
    const clock = new ManualClock(T0);
    expect(() => new TokenBuckets({ perSecond: 0, burst: 1 }, clock)).toThrow(
      /'perSecond' must be a positive number, got 0/,
    );
    expect(() => new TokenBuckets({ perSecond: 1, burst: Number.NaN }, clock)).toThrow(
      /'burst' must be a positive number, got NaN/,
    );
  });
});

describe('per-key rate limit over HTTP', () => {
  it('answers 429 with Retry-After once a key has spent its burst, without touching other keys or public routes', async () => {
    const store = await DuckDBStore.open(':memory:', { threads: 1 });
    try {
      const clock = new ManualClock(T0);
      const keys = new MemoryApiKeyStore();
      const first = (await createApiKey(keys, { name: 'a', role: 'read', createdAt: T0 })).key;
      const second = (await createApiKey(keys, { name: 'b', role: 'read', createdAt: T0 })).key;
      const app = createApp({
        store,
        clock,
        limits: DEFAULT_LIMITS,
        version: 'test',
        auth: { keys, rateLimit: { perSecond: 0.5, burst: 2 } },
      });
      const get = (key: string) => app.request('/v1/assets', { headers: { authorization: `Bearer ${key}` } });
      expect((await get(first)).status).toBe(200);
      expect((await get(first)).status).toBe(200);
      const limited = await get(first);
      expect(limited.status).toBe(429);
      // One token per 2 s.
      expect(limited.headers.get('retry-after')).toBe('2');
      const body = (await limited.json()) as { error: string; details: unknown[] };
      expect(body.error).toMatch(/^API key [0-9a-f]{16} is over its rate limit: retry after 2 s$/);
      expect(body.details).toEqual([{ path: 'authorization', message: 'rate limit exceeded' }]);
      expect((await get(second)).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await app.request('/health')).status).toBe(200);
      clock.advance(2000);
      expect((await get(first)).status).toBe(200);
    } finally {
      await store.close();
    }
  });
});
