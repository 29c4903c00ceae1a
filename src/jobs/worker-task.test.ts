import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { DEFAULT_LIMITS } from '../api/context.js';
import { systemClock } from '../core/clock.js';
import { UnprocessableError, UpkeepError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { parseCsvFrame } from '../io/csv-frame.js';
import { DuckDBStore } from '../store/duckdb.js';
import { DuckDBJobStore } from '../store/duckdb-jobs.js';
import { DuckDBModelRegistry } from '../store/duckdb-registry.js';
import { JobRunner } from './runner.js';
import { runInWorker } from './worker-task.js';

/** 2000 rows of a noisy two-feature failure rule: enough for a gradient-boosted fit that takes a while. */
function noisyCsv(): string {
  const rng = new Rng(8);
  const lines = ['a,b,failed'];
  for (let i = 0; i < 2000; i++) {
    const a = rng.normal();
    const b = rng.normal();
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${a * b + rng.normal() > 0.5 ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('runInWorker', () => {
  it('trains in a worker thread and rebuilds a typed error from the worker', async () => {
    const frame = await parseCsvFrame('x,y\n1,1\n2,2\n3,3\n');
    const error = await runInWorker({
      task: 'train',
      columns: [...frame.columns],
      rowCount: 3,
      spec: { target: 'nope' },
      now: 0,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpkeepError);
    expect((error as Error).message).toMatch(/nope/);
  }, 30_000);

  it('rejects with the abort reason when cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new UnprocessableError('stop'));
    await expect(
      runInWorker(
        { task: 'train', columns: [], rowCount: 0, spec: { target: 'y' }, now: 0 },
        { signal: controller.signal },
      ),
    ).rejects.toThrow('stop');
  });
});

describe('training off the API thread', () => {
  let store: DuckDBStore;
  let runner: JobRunner;
  let app: OpenAPIHono;

  beforeAll(async () => {
    store = await DuckDBStore.open(':memory:', { threads: 1 });
    const registry = await DuckDBModelRegistry.open(store);
    runner = await JobRunner.open(await DuckDBJobStore.open(store));
    app = createApp({ store, clock: systemClock, limits: DEFAULT_LIMITS, version: 'test', registry, jobs: runner });
  });

  afterAll(async () => {
    await runner.close();
    await store.close();
  });

  it('answers /health while a long training job is fitting', async () => {
    const body = {
      type: 'train',
      name: 'slow',
      target: 'failed',
      model: 'gbdt',
      params: { nEstimators: 5000, maxDepth: 6 },
      data: { csv: noisyCsv() },
    };
    const submitted = await app.request('/v1/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(submitted.status).toBe(202);
    const { job_id: id } = (await submitted.json()) as { job_id: string };
    const job = async () => (await (await app.request(`/v1/jobs/${id}`)).json()) as { state: string; progress: number };
    for (let attempt = 0; attempt < 5000; attempt++) {
      const current = await job();
      if (current.state === 'running' && current.progress > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // The fit is under way; the event loop still answers, and the job is still fitting after the answer.
    for (let i = 0; i < 3; i++) {
      const health = await app.request('/health');
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe('ok');
    }
    expect(await job()).toMatchObject({ state: 'running' });
    const cancelled = await app.request(`/v1/jobs/${id}`, { method: 'DELETE' });
    expect(((await cancelled.json()) as { state: string }).state).toBe('cancelled');
  }, 60_000);
});
