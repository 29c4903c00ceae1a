import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { type JobContext, JobRunner } from '../../jobs/runner.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { DuckDBJobStore } from '../../store/duckdb-jobs.js';
import type { JobRecord } from '../../store/jobs.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

interface JsonBody {
  [key: string]: unknown;
}

function recorded(id: string, overrides: Partial<JobRecord>): JobRecord {
  return {
    id,
    kind: 'train',
    state: 'queued',
    progress: 0,
    message: null,
    error: null,
    input: { name: 'failure-risk' },
    result: null,
    createdAt: T0,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

describe('job routes', () => {
  let store: DuckDBStore;
  let jobStore: DuckDBJobStore;
  let clock: ManualClock;
  let runner: JobRunner;
  let app: OpenAPIHono;
  let counter: number;

  const start = async () => {
    runner = await JobRunner.open(jobStore, { clock, newId: () => `job-${++counter}` });
    app = createApp({ store, clock, limits: DEFAULT_LIMITS, version: 'test', jobs: runner });
  };

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:', { threads: 1 });
    jobStore = await DuckDBJobStore.open(store);
    clock = new ManualClock(T0);
    counter = 0;
  });

  afterEach(async () => {
    await runner.close();
    await store.close();
  });

  const get = async (path: string) => {
    const response = await app.request(path);
    return { status: response.status, body: (await response.json()) as JsonBody };
  };

  it('after a restart shows the job the previous server was running as failed, with the reason', async () => {
    // What the previous process left: one job running, one queued, one done.
    await jobStore.createJob(recorded('was-running', { state: 'running', progress: 0.4, startedAt: T0 + 5 }));
    await jobStore.createJob(recorded('was-queued', { createdAt: T0 + 1 }));
    await jobStore.createJob(
      recorded('was-done', { state: 'succeeded', progress: 1, result: { model_id: 'failure-risk@1' }, finishedAt: T0 }),
    );
    clock.set(T0 + 3_600_000);
    await start();

    const { status, body } = await get('/v1/jobs/was-running');
    expect(status).toBe(200);
    expect(body).toEqual({
      id: 'was-running',
      kind: 'train',
      state: 'failed',
      progress: 0.4,
      message: null,
      error: 'interrupted by a server restart',
      result: null,
      input: { name: 'failure-risk' },
      created_at: '2026-01-01T00:00:00.000Z',
      started_at: '2026-01-01T00:00:00.005Z',
      finished_at: '2026-01-01T01:00:00.000Z',
    });
    expect((await get('/v1/jobs/was-queued')).body).toMatchObject({
      state: 'failed',
      error: 'interrupted by a server restart',
    });
    expect((await get('/v1/jobs/was-done')).body).toMatchObject({
      state: 'succeeded',
      error: null,
      result: { model_id: 'failure-risk@1' },
    });
  });

  it('shows a running job live: state, progress and message', async () => {
    await start();
    let release: (value: string) => void = () => {};
    let context: JobContext | undefined;
    await runner.submit('train', { name: 'x' }, (ctx) => {
      context = ctx;
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    });
    for (let attempt = 0; attempt < 500 && !context; attempt++) await new Promise((r) => setTimeout(r, 2));
    context?.progress(0.25, 'fold 1 of 4');
    expect((await get('/v1/jobs/job-1')).body).toMatchObject({
      state: 'running',
      progress: 0.25,
      message: 'fold 1 of 4',
      started_at: '2026-01-01T00:00:00.000Z',
      finished_at: null,
    });
    release('done');
    await runner.idle();
    expect((await get('/v1/jobs/job-1')).body).toMatchObject({ state: 'succeeded', progress: 1, result: 'done' });
  });

  it('lists jobs newest first, filtered by state and kind, up to a limit', async () => {
    await jobStore.createJob(recorded('a', { state: 'succeeded', createdAt: T0 }));
    await jobStore.createJob(recorded('b', { state: 'succeeded', createdAt: T0 + 1, kind: 'predict' }));
    await jobStore.createJob(recorded('c', { state: 'cancelled', createdAt: T0 + 2 }));
    await start();
    const ids = async (query: string) => ((await get(`/v1/jobs${query}`)).body.jobs as JsonBody[]).map((j) => j.id);
    expect(await ids('')).toEqual(['c', 'b', 'a']);
    expect(await ids('?state=succeeded')).toEqual(['b', 'a']);
    expect(await ids('?kind=train')).toEqual(['c', 'a']);
    expect(await ids('?limit=1')).toEqual(['c']);
    const bad = await get('/v1/jobs?state=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^state: /);
  });

  it('answers 404 for an unknown job, and on a server that runs no jobs', async () => {
    await start();
    const unknown = await get('/v1/jobs/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('unknown job "nope"');
    const bare = createApp({ store, clock, limits: DEFAULT_LIMITS, version: 'test' });
    const response = await bare.request('/v1/jobs');
    expect(response.status).toBe(404);
    expect(((await response.json()) as JsonBody).error).toBe('this server runs no jobs');
  });

  it('declares the job routes in the OpenAPI document', async () => {
    await start();
    const paths = (await get('/openapi.json')).body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/v1/jobs'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/v1/jobs/{id}'] ?? {}).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(paths['/v1/jobs/{id}/output'] ?? {})).toEqual(['get']);
  });
});
