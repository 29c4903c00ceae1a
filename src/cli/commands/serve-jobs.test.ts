import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBStore } from '../../store/duckdb.js';
import { openRegistry } from '../../store/open-registry.js';
import { openServeJobs } from './serve-jobs.js';

describe('openServeJobs', () => {
  for (const [jobConcurrency, together] of [
    [undefined, 1],
    [2, 2],
  ] as const) {
    it(`runs ${together} job(s) at a time with --job-concurrency ${jobConcurrency ?? 'unset'}`, async () => {
      const store = await DuckDBStore.open(':memory:', { threads: 1 });
      const { registry, jobs } = await openRegistry(store);
      const directory = mkdtempSync(join(tmpdir(), 'upkeep-serve-jobs-'));
      const serveJobs = await openServeJobs(
        { db: ':memory:', jobsDir: directory, ...(jobConcurrency === undefined ? {} : { jobConcurrency }) },
        store,
        registry,
        jobs,
      );
      try {
        let release: () => void = () => {};
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let running = 0;
        let most = 0;
        const task = async () => {
          running++;
          most = Math.max(most, running);
          await gate;
          running--;
          return {};
        };
        for (let i = 0; i < 3; i++) await serveJobs.batch.runner.submit('score', {}, task);
        // Until as many as may run have started, then a while longer: no more may start while they hold.
        for (let waited = 0; running < together && waited < 5000; waited += 5) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        release();
        await serveJobs.batch.runner.idle();
        expect(most).toBe(together);
      } finally {
        await serveJobs.close();
        await store.close();
      }
    });
  }
});
