import { describe, expect, it } from 'vitest';
import { UpkeepError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { startServer } from './server.js';

/** A store that answers nothing but records whether it was closed: the server test needs no database. */
function stubStore(): Store & { closed: number } {
  const notUsed = () => Promise.reject(new Error('not used by this test'));
  return {
    kind: 'duckdb',
    closed: 0,
    appendReadings: notUsed,
    appendValues: notUsed,
    upsertAssets: notUsed,
    listAssets: () => Promise.resolve([]),
    getAsset: () => Promise.resolve(undefined),
    queryReadings: notUsed,
    latestValues: notUsed,
    async close() {
      this.closed++;
    },
  };
}

describe('startServer', () => {
  it('listens on a free port with port 0 and answers /health and /ready', async () => {
    const store = stubStore();
    const server = await startServer({ store, port: 0 });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', store: 'duckdb' });
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    } finally {
      await server.close();
    }
    expect(store.closed).toBe(1);
  });

  it('closes once: stops listening, runs the shutdown hook before closing the store, settles `closed`', async () => {
    const store = stubStore();
    const events: string[] = [];
    const server = await startServer({
      store,
      port: 0,
      onShutdown: () => {
        events.push(`hook (store closed ${store.closed} times)`);
      },
    });
    await Promise.all([server.close(), server.close()]);
    await server.closed;
    expect(events).toEqual(['hook (store closed 0 times)']);
    expect(store.closed).toBe(1);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('reports a port in use as one readable UpkeepError', async () => {
    const first = await startServer({ store: stubStore(), port: 0 });
    try {
      const error = await startServer({ store: stubStore(), port: first.port }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UpkeepError);
      expect((error as Error).message).toBe(`cannot listen on 127.0.0.1:${first.port}: the port is already in use`);
    } finally {
      await first.close();
    }
  });
});
