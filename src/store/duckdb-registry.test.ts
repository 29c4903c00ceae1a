import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBStore } from './duckdb.js';
import { DuckDBJobStore } from './duckdb-jobs.js';
import { DuckDBModelRegistry } from './duckdb-registry.js';
import { runRegistrySuite } from './registry-suite.js';

runRegistrySuite('DuckDB (:memory:)', async () => {
  const store = await DuckDBStore.open(':memory:', { threads: 1 });
  return {
    registry: await DuckDBModelRegistry.open(store),
    jobs: await DuckDBJobStore.open(store),
    close: () => store.close(),
  };
});

describe('DuckDB registry on a database file', () => {
  let directory: string | undefined;

  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
    directory = undefined;
  });

  it('keeps versions, the active flag and jobs across a reopen, beside the readings', async () => {
    directory = await mkdtemp(join(tmpdir(), 'upkeep-registry-'));
    const path = join(directory, 'upkeep.duckdb');
    const first = await DuckDBStore.open(path, { threads: 1 });
    const registry = await DuckDBModelRegistry.open(first);
    const jobs = await DuckDBJobStore.open(first);
    const base = {
      name: 'failure-risk',
      kind: 'LinearRegression',
      task: 'regression',
      metrics: { rmse: 1.5 },
      card: { kind: 'LinearRegression' },
      model: { weights: [1, 2] },
      createdAt: 1000,
    };
    await registry.saveVersion(base);
    await registry.saveVersion({ ...base, createdAt: 2000 });
    await registry.promote('failure-risk@2');
    await jobs.createJob({
      id: 'job-1',
      kind: 'train',
      state: 'running',
      progress: 0.5,
      message: null,
      error: null,
      input: {},
      result: null,
      createdAt: 1000,
      startedAt: 1000,
      finishedAt: null,
    });
    await first.appendReadings([{ asset: 'pump-01', ts: 1000, metrics: { temperature: 70 } }]);
    await first.close();

    const second = await DuckDBStore.open(path, { threads: 1 });
    try {
      const reopened = await DuckDBModelRegistry.open(second);
      expect((await reopened.getActive('failure-risk'))?.id).toBe('failure-risk@2');
      expect((await reopened.listVersions()).map((version) => [version.id, version.active])).toEqual([
        ['failure-risk@1', false],
        ['failure-risk@2', true],
      ]);
      expect((await reopened.saveVersion({ ...base, createdAt: 3000 })).id).toBe('failure-risk@3');
      expect((await (await DuckDBJobStore.open(second)).getJob('job-1'))?.state).toBe('running');
      expect(await second.queryReadings('pump-01')).toEqual([{ ts: 1000, metric: 'temperature', value: 70 }]);
    } finally {
      await second.close();
    }
  });
});
