import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBStore } from './duckdb.js';
import { openStore } from './open.js';
import { runStoreSuite } from './suite.js';

runStoreSuite('DuckDB in memory', () => DuckDBStore.open(':memory:'));
runStoreSuite('DuckDB in memory, two threads', () => DuckDBStore.open(':memory:', { threads: 2 }));

describe('DuckDB store on a file', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'upkeep-duckdb-'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('creates missing folders and keeps values, assets and idempotency across a reopen', async () => {
    const path = join(folder, 'nested', 'deeper', 'upkeep.duckdb');
    const first = await openStore(path);
    await first.upsertAssets([{ id: 'pump-01', attributes: { site: 'north' } }]);
    expect(
      await first.appendReadings([{ asset: 'pump-01', ts: 1_767_225_600_000, metrics: { temperature: 70.5 } }]),
    ).toEqual({ accepted: 1, duplicates: 0 });
    await first.close();

    const second = await openStore(path);
    expect(await second.queryReadings('pump-01')).toEqual([
      { ts: 1_767_225_600_000, metric: 'temperature', value: 70.5 },
    ]);
    expect((await second.getAsset('pump-01'))?.attributes).toEqual({ site: 'north' });
    expect(
      await second.appendReadings([{ asset: 'pump-01', ts: 1_767_225_600_000, metrics: { temperature: 70.5 } }]),
    ).toEqual({ accepted: 0, duplicates: 1 });
    await second.close();
  });

  it('says which database it cannot open, and why', async () => {
    const garbage = join(folder, 'garbage.duckdb');
    await writeFile(garbage, 'not a database, just text that is long enough to hold a header '.repeat(100));
    await expect(DuckDBStore.open(garbage)).rejects.toThrow(/^cannot open the DuckDB database ".*garbage\.duckdb": /);
  });

  it('refuses a thread count below one', async () => {
    await expect(DuckDBStore.open(':memory:', { threads: 0 })).rejects.toThrow(
      /'threads' must be a whole number >= 1, got 0/,
    );
  });

  it('serves many reads while appends commit, each read seeing whole batches', async () => {
    const store = await DuckDBStore.open(':memory:');
    const appends = Array.from({ length: 10 }, (_, batch) =>
      store.appendReadings(
        Array.from({ length: 50 }, (_, row) => ({ asset: 'pump-01', ts: batch * 1000 + row, metrics: { x: 1, y: 2 } })),
      ),
    );
    const reads = Array.from({ length: 20 }, () => store.queryReadings('pump-01'));
    const results = await Promise.all([...appends, ...reads]);
    for (const values of results.slice(10) as { ts: number }[][]) expect(values.length % 100).toBe(0);
    expect(await store.queryReadings('pump-01')).toHaveLength(1000);
    await store.close();
  });

  it('refuses use after close', async () => {
    const store = await openStore(':memory:');
    await store.close();
    await expect(store.listAssets()).rejects.toThrow(/closed/);
  });
});

describe('openStore', () => {
  it('opens an in-memory DuckDB store', async () => {
    const store = await openStore(':memory:');
    expect(store.kind).toBe('duckdb');
    await store.close();
  });

  it('hands a postgres:// URL to the PostgreSQL store', async () => {
    await expect(openStore('postgresql://upkeep@127.0.0.1:1/upkeep')).rejects.toThrow(
      /^cannot open the PostgreSQL database "postgresql:\/\/upkeep@127\.0\.0\.1:1\/upkeep": /,
    );
  });

  it('refuses an empty location', async () => {
    await expect(openStore('  ')).rejects.toThrow(/'db' must be a file path/);
  });
});
