import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { DuckDBDeadLetters } from '../../store/duckdb-dead-letters.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

describe('dead-letter routes', () => {
  let store: DuckDBStore;
  let deadLetters: DuckDBDeadLetters;

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:');
    deadLetters = await DuckDBDeadLetters.open(store);
  });

  afterEach(async () => {
    await store.close();
  });

  it('lists dead letters newest first with the total, text payloads as UTF-8 and others as base64', async () => {
    await deadLetters.add([
      {
        receivedAt: T0,
        source: 'mqtt',
        topic: 'upkeep/p1/telemetry',
        reason: 'invalid JSON: x',
        payload: Buffer.from('{'),
      },
      {
        receivedAt: T0 + 1000,
        source: 'mqtt',
        topic: 'upkeep/p2/telemetry',
        reason: 'invalid JSON: y',
        payload: new Uint8Array([0xff, 0x00, 0x41]),
      },
    ]);
    await deadLetters.add([
      {
        receivedAt: T0 + 2000,
        source: 'mqtt',
        topic: 'upkeep/p3/telemetry',
        reason: 'empty array: no reading',
        payload: Buffer.from('[]'),
      },
    ]);
    const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test', deadLetters });
    const response = await app.request('/v1/dead-letters?limit=2');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      total: 3,
      dead_letters: [
        {
          id: 3,
          received_at: '2026-01-01T00:00:02.000Z',
          source: 'mqtt',
          topic: 'upkeep/p3/telemetry',
          reason: 'empty array: no reading',
          payload: '[]',
          payload_encoding: 'utf8',
        },
        {
          id: 2,
          received_at: '2026-01-01T00:00:01.000Z',
          source: 'mqtt',
          topic: 'upkeep/p2/telemetry',
          reason: 'invalid JSON: y',
          // Buffer.from([0xff, 0x00, 0x41]).toString('base64')
          payload: '/wBB',
          payload_encoding: 'base64',
        },
      ],
    });
    expect(await deadLetters.count()).toBe(3);
  });

  it('rejects a bad limit with 400 naming the field', async () => {
    const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test', deadLetters });
    const response = await app.request('/v1/dead-letters?limit=-1');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^limit: /);
  });

  it('is not served without a dead-letter store', async () => {
    const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'test' });
    expect((await app.request('/v1/dead-letters')).status).toBe(404);
  });
});
