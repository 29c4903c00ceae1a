import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { DuckDBStore } from '../store/duckdb.js';
import { DuckDBJobStore } from '../store/duckdb-jobs.js';
import { CANCELLED_REASON, type JobContext, JobRunner, RESTART_REASON } from './runner.js';

/** 2026-01-01T00:00:00Z in epoch ms: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

/** A promise with its resolve/reject exposed, to hold a job in the running state. */
function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (reason: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error('condition not reached');
}

describe('JobRunner', () => {
  let store: DuckDBStore;
  let jobs: DuckDBJobStore;
  let clock: ManualClock;
  let counter: number;
  const newId = () => `job-${++counter}`;

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:', { threads: 1 });
    jobs = await DuckDBJobStore.open(store);
    clock = new ManualClock(T0);
    counter = 0;
  });

  afterEach(async () => {
    await store.close();
  });

  it('runs as many jobs at once as its concurrency, the rest queued in order', async () => {
    const runner = await JobRunner.open(jobs, { clock, newId, concurrency: 2 });
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const started: string[] = [];
    for (const [index, gate] of gates.entries()) {
      await runner.submit('score', {}, async ({ id }) => {
        started.push(id);
        await gate.promise;
        return { index };
      });
    }
    const states = async () =>
      Promise.all(['job-1', 'job-2', 'job-3'].map(async (id) => (await runner.get(id))?.state));
    await until(async () => started.length === 2 && (await states()).join() === 'running,running,queued');
    expect(started).toEqual(['job-1', 'job-2']);
    gates[1]?.resolve();
    await until(async () => started.length === 3 && (await states()).join() === 'running,succeeded,running');
    expect(started).toEqual(['job-1', 'job-2', 'job-3']);
    gates[0]?.resolve();
    gates[2]?.resolve();
    await runner.idle();
    expect(await states()).toEqual(['succeeded', 'succeeded', 'succeeded']);
    await expect(JobRunner.open(jobs, { concurrency: 0 })).rejects.toThrow(/'concurrency' must be a positive integer/);
  });

  it('runs a job to success and records its result, progress 1 and times', async () => {
    const runner = await JobRunner.open(jobs, { clock, newId });
    const submitted = await runner.submit('train', { name: 'failure-risk' }, async () => {
      clock.advance(250);
      return { model_id: 'failure-risk@1' };
    });
    expect(submitted).toMatchObject({ id: 'job-1', kind: 'train', state: 'queued', progress: 0, createdAt: T0 });
    await runner.idle();
    const expected = {
      id: 'job-1',
      kind: 'train',
      state: 'succeeded',
      progress: 1,
      message: null,
      error: null,
      input: { name: 'failure-risk' },
      result: { model_id: 'failure-risk@1' },
      createdAt: T0,
      startedAt: T0,
      finishedAt: T0 + 250,
    };
    expect(await runner.get('job-1')).toEqual(expected);
    expect(await jobs.getJob('job-1')).toEqual(expected);
  });

  it('records a failed job with the error message and keeps its last progress', async () => {
    const runner = await JobRunner.open(jobs, { clock, newId });
    await runner.submit('train', {}, async (context) => {
      context.progress(0.4, 'fitting');
      throw new Error("column 'failure' is not in the data");
    });
    await runner.idle();
    expect(await jobs.getJob('job-1')).toMatchObject({
      state: 'failed',
      error: "column 'failure' is not in the data",
      progress: 0.4,
      result: null,
    });
  });

  it('shows progress while a job runs, in the live state and in the store', async () => {
    const runner = await JobRunner.open(jobs, { clock, newId, progressStep: 0.1 });
    const gate = deferred<null>();
    let context: JobContext | undefined;
    await runner.submit('train', {}, (ctx) => {
      context = ctx;
      return gate.promise;
    });
    await until(async () => context !== undefined);
    context?.progress(0.05, 'iteration 1');
    expect(await runner.get('job-1')).toMatchObject({ state: 'running', progress: 0.05, message: 'iteration 1' });
    // Below the progress step: not written yet.
    await until(async () => (await jobs.getJob('job-1'))?.state === 'running');
    expect((await jobs.getJob('job-1'))?.progress).toBe(0);
    context?.progress(0.5, 'iteration 10');
    context?.progress(0.3, 'iteration 11');
    await until(async () => (await jobs.getJob('job-1'))?.progress === 0.5);
    expect(await runner.get('job-1')).toMatchObject({ progress: 0.5, message: 'iteration 11' });
    expect((await runner.list()).map((job) => [job.id, job.progress])).toEqual([['job-1', 0.5]]);
    gate.resolve(null);
    await runner.idle();
    expect(await runner.get('job-1')).toMatchObject({ state: 'succeeded', progress: 1, result: null });
  });

  it('runs one job at a time by default: the second waits queued', async () => {
    const runner = await JobRunner.open(jobs, { clock, newId });
    const gate = deferred<string>();
    await runner.submit('train', {}, () => gate.promise);
    await runner.submit('train', {}, async () => 'second');
    await until(async () => (await runner.get('job-1'))?.state === 'running');
    expect((await runner.get('job-2'))?.state).toBe('queued');
    gate.resolve('first');
    await runner.idle();
    expect((await runner.list()).map((job) => [job.id, job.state, job.result])).toEqual([
      ['job-2', 'succeeded', 'second'],
      ['job-1', 'succeeded', 'first'],
    ]);
  });

  it('cancels a queued job at once and a running one through its signal', async () => {
    const runner = await JobRunner.open(jobs, { clock, newId });
    let seenSignal: AbortSignal | undefined;
    await runner.submit('train', {}, (context) => {
      seenSignal = context.signal;
      return new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(new Error('stopped'))));
    });
    let secondRan = false;
    await runner.submit('train', {}, async () => {
      secondRan = true;
      return null;
    });
    await until(async () => (await runner.get('job-1'))?.state === 'running');
    expect(await runner.cancel('job-2')).toMatchObject({ state: 'cancelled', error: CANCELLED_REASON });
    await runner.cancel('job-1');
    await runner.idle();
    expect(seenSignal?.aborted).toBe(true);
    expect(secondRan).toBe(false);
    expect(await jobs.getJob('job-1')).toMatchObject({ state: 'cancelled', error: CANCELLED_REASON });
    expect(await jobs.getJob('job-2')).toMatchObject({ state: 'cancelled', error: CANCELLED_REASON });
    await expect(runner.cancel('job-1')).rejects.toThrow(ConflictError);
    await expect(runner.cancel('nope')).rejects.toThrow(NotFoundError);
  });

  it('after a restart marks the job the previous runner was running as failed, with the reason', async () => {
    const before = await JobRunner.open(jobs, { clock, newId });
    // The job never ends: the process "dies" while it runs.
    await before.submit('train', { name: 'failure-risk' }, () => new Promise(() => {}));
    await until(async () => (await jobs.getJob('job-1'))?.state === 'running');
    await before.submit('train', {}, async () => null);
    clock.advance(60_000);

    const after = await JobRunner.open(jobs, { clock, newId: () => 'fresh' });
    expect(await after.get('job-1')).toMatchObject({
      state: 'failed',
      error: RESTART_REASON,
      startedAt: T0,
      finishedAt: T0 + 60_000,
    });
    expect(await after.get('job-2')).toMatchObject({ state: 'failed', error: 'interrupted by a server restart' });
    // The new runner works as usual.
    await after.submit('train', {}, async () => 'ok');
    await after.idle();
    expect((await after.get('fresh'))?.state).toBe('succeeded');
  });

  it('after a restart runs a resumed job to success, never marking it failed, and fails the one not resumed', async () => {
    const before = await JobRunner.open(jobs, { clock, newId });
    await before.submit('score', { file: 'a.csv' }, () => new Promise(() => {}));
    await until(async () => (await jobs.getJob('job-1'))?.state === 'running');
    await before.submit('train', {}, async () => null);

    const states: string[] = [];
    const after = await JobRunner.open(jobs, {
      clock,
      newId: () => 'fresh',
      resume: (record) =>
        record.kind === 'score'
          ? async () => {
              states.push((await jobs.getJob(record.id))?.state ?? 'missing');
              return 'scored again';
            }
          : undefined,
    });
    await after.idle();
    expect(states).toEqual(['running']);
    expect(await after.get('job-1')).toMatchObject({ state: 'succeeded', error: null, result: 'scored again' });
    expect(await after.get('job-2')).toMatchObject({ state: 'failed', error: RESTART_REASON });
  });

  it('accepts no job once closed', async () => {
    const runner = await JobRunner.open(jobs, { clock, newId });
    await runner.close();
    await expect(runner.submit('train', {}, async () => null)).rejects.toThrow(/shutting down/);
  });
});
