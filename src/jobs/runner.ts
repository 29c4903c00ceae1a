/**
 * The in-process job runner: long work (training a model, later batch inference) submitted from a request and run
 * in the background, a few at a time, with its state, progress, error and result recorded in the store so that
 * `GET /v1/jobs/{id}` answers while it runs and after it ends. A job goes queued → running → succeeded | failed |
 * cancelled. Jobs live in this process: at start the runner offers whatever a previous process left queued or running
 * to `resume` (batch inference restarts from its input file); the jobs it does not take back are marked failed with
 * the reason `interrupted by a server restart` — never silently lost.
 */
import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../core/clock.js';
import { ConflictError, describeValue, NotFoundError, ValidationError } from '../core/errors.js';
import type { JobQuery, JobRecord, JobStore, JobUpdate } from '../store/jobs.js';
import type { StoredJson, StoredJsonObject } from '../store/registry.js';

/** Why a job that a previous process left unfinished failed. */
export const RESTART_REASON = 'interrupted by a server restart';

/** The error of a job cancelled on request. */
export const CANCELLED_REASON = 'cancelled';

/**
 * The abort reason of jobs stopped by `close({ keepUnfinished: true })`: their records stay queued or running, so the
 * next start resumes them or marks them failed.
 */
export const SHUTDOWN_REASON = 'the server is shutting down';

/** What a running job sees of the runner. */
export interface JobContext {
  readonly id: string;
  /** Aborted when the job is cancelled or the runner closes: long loops should check it and stop. */
  readonly signal: AbortSignal;
  /**
   * Reports how far the job is (0..1, clamped, never moving back) and what it does now. Cheap to call often: the
   * live state updates at once, the store at most every `progressStep`.
   */
  progress(fraction: number, message?: string): void;
}

/** The work of a job; resolves to the job's result (stored as JSON), rejects with the reason it failed. */
export type JobTask = (context: JobContext) => Promise<StoredJson>;

export interface JobRunnerOptions {
  clock?: Clock;
  /** Jobs running at the same time (default 1: training is CPU-bound and shares the API's thread). */
  concurrency?: number;
  /** Job ids (default random UUIDs). */
  newId?: () => string;
  /** Smallest progress change written to the store (default 0.01). */
  progressStep?: number;
  /** Hears store write failures that cannot reach a caller (progress updates). */
  onError?: (error: unknown) => void;
  /**
   * At start, for each job a previous process left queued or running: the task that continues it, or undefined to
   * mark it failed with `RESTART_REASON`. Resumed jobs run again from the start of their task.
   */
  resume?: (record: JobRecord) => JobTask | undefined | Promise<JobTask | undefined>;
}

/** The message of a job taken back after a restart, until it runs. */
export const RESUMED_MESSAGE = 'resumed after a server restart';

interface LiveJob {
  record: JobRecord;
  task: JobTask;
  controller: AbortController;
  /** Store writes of this job, in order. */
  writes: Promise<unknown>;
  writtenProgress: number;
  /** Resolves once the final state is recorded. */
  finished: Promise<void>;
  markFinished: () => void;
}

function liveJob(record: JobRecord, task: JobTask): LiveJob {
  let markFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    markFinished = resolve;
  });
  return {
    record,
    task,
    controller: new AbortController(),
    writes: Promise.resolve(),
    writtenProgress: record.progress,
    finished,
    markFinished,
  };
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : describeValue(error);
}

export class JobRunner {
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly newId: () => string;
  private readonly progressStep: number;
  private readonly onError: (error: unknown) => void;
  /** Jobs of this process not yet recorded as finished, by id. */
  private readonly live = new Map<string, LiveJob>();
  private readonly queue: LiveJob[] = [];
  private running = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  private constructor(
    private readonly store: JobStore,
    options: JobRunnerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.concurrency = options.concurrency ?? 1;
    this.newId = options.newId ?? randomUUID;
    this.progressStep = options.progressStep ?? 0.01;
    this.onError = options.onError ?? (() => {});
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new ValidationError(`'concurrency' must be a positive integer, got ${describeValue(options.concurrency)}`);
    }
  }

  /**
   * A runner over `store`. First it offers the jobs a previous process left queued or running to `options.resume`
   * (oldest first) and queues those it takes back; it marks the others failed with `RESTART_REASON`.
   */
  static async open(store: JobStore, options: JobRunnerOptions = {}): Promise<JobRunner> {
    const runner = new JobRunner(store, options);
    const resumed: { record: JobRecord; task: JobTask }[] = [];
    if (options.resume) {
      const unfinished = [
        ...(await store.listJobs({ state: 'running' })),
        ...(await store.listJobs({ state: 'queued' })),
      ].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      for (const record of unfinished) {
        const task = await options.resume(record);
        if (task) resumed.push({ record, task });
      }
    }
    // Every unfinished job is failed first, then the resumed ones are queued again: a resumed job that starts at
    // once is never caught by the sweep.
    await store.failUnfinishedJobs(RESTART_REASON, runner.clock.now());
    for (const { record, task } of resumed) {
      const update = {
        state: 'queued' as const,
        progress: 0,
        message: RESUMED_MESSAGE,
        error: null,
        startedAt: null,
        finishedAt: null,
      };
      await store.updateJob(record.id, update);
      const job = liveJob({ ...record, ...update }, task);
      runner.live.set(record.id, job);
      runner.queue.push(job);
    }
    if (runner.queue.length > 0) setImmediate(() => runner.pump());
    return runner;
  }

  /**
   * Records a new queued job and starts it when a slot is free. Resolves once the job is recorded. `options.id`
   * chooses the id (e.g. one already naming the job's upload directory); default a new one.
   */
  async submit(
    kind: string,
    input: StoredJsonObject,
    task: JobTask,
    options: { id?: string } = {},
  ): Promise<JobRecord> {
    if (this.closed) throw new ConflictError('the job runner is shutting down: no new jobs are accepted');
    const record: JobRecord = {
      id: options.id ?? this.newId(),
      kind,
      state: 'queued',
      progress: 0,
      message: null,
      error: null,
      input,
      result: null,
      createdAt: this.clock.now(),
      startedAt: null,
      finishedAt: null,
    };
    await this.store.createJob(record);
    const job = liveJob(record, task);
    this.live.set(record.id, job);
    this.queue.push(job);
    // Start on a later turn so that the caller answers its request before a CPU-bound job takes the thread.
    setImmediate(() => this.pump());
    return { ...record };
  }

  /** A job by id: live state for this process's unfinished jobs, the stored record otherwise. */
  async get(id: string): Promise<JobRecord | undefined> {
    const job = this.live.get(id);
    if (job) return { ...job.record };
    return this.store.getJob(id);
  }

  /** Jobs newest first, with live state for this process's unfinished ones. */
  async list(query: JobQuery = {}): Promise<JobRecord[]> {
    const stored = await this.store.listJobs(query);
    return stored.map((record) => {
      const job = this.live.get(record.id);
      return job ? { ...job.record } : record;
    });
  }

  /**
   * Cancels a job: a queued one at once, a running one by aborting its signal (it ends as cancelled when its task
   * stops). `NotFoundError` for an unknown id, `ConflictError` for a finished job.
   */
  async cancel(id: string): Promise<JobRecord> {
    const job = this.live.get(id);
    if (!job) {
      const stored = await this.store.getJob(id);
      if (!stored)
        throw new NotFoundError(`unknown job ${describeValue(id)}`, [{ path: 'id', message: 'no such job' }]);
      throw new ConflictError(
        `job ${describeValue(id)} has already ${stored.state === 'cancelled' ? 'been cancelled' : stored.state}`,
      );
    }
    job.controller.abort(CANCELLED_REASON);
    if (job.record.state === 'queued') {
      this.queue.splice(this.queue.indexOf(job), 1);
      await this.finish(job, { state: 'cancelled', error: CANCELLED_REASON, finishedAt: this.clock.now() });
      this.notifyIdle();
    }
    return { ...job.record };
  }

  /** Resolves once job `id` has a final state (at once for an unknown or finished job). */
  async finished(id: string): Promise<JobRecord | undefined> {
    const job = this.live.get(id);
    if (job) await job.finished;
    return this.get(id);
  }

  /** Resolves when no job is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting jobs, cancels queued ones, aborts running ones and waits for them to end. With `keepUnfinished`
   * (a server shutting down) queued and running jobs are stopped without a final state, for the next start to resume.
   */
  async close(options: { keepUnfinished?: boolean } = {}): Promise<void> {
    if (this.closed) return this.idle();
    this.closed = true;
    if (options.keepUnfinished) {
      for (const job of this.queue.splice(0)) {
        this.live.delete(job.record.id);
        job.markFinished();
      }
      for (const job of this.live.values()) job.controller.abort(SHUTDOWN_REASON);
      this.notifyIdle();
    } else {
      for (const job of [...this.queue]) await this.cancel(job.record.id).catch(this.onError);
      for (const job of this.live.values()) job.controller.abort(CANCELLED_REASON);
    }
    await this.idle();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as LiveJob;
      this.running++;
      void this.run(job).finally(() => {
        this.running--;
        this.pump();
        this.notifyIdle();
      });
    }
  }

  private async run(job: LiveJob): Promise<void> {
    const { signal } = job.controller;
    try {
      await this.write(job, { state: 'running', startedAt: this.clock.now() });
      const context: JobContext = {
        id: job.record.id,
        signal,
        progress: (fraction, message) => this.progress(job, fraction, message),
      };
      const result = await job.task(context);
      if (signal.aborted) throw signal.reason;
      await this.finish(job, {
        state: 'succeeded',
        progress: 1,
        result: result ?? null,
        finishedAt: this.clock.now(),
      });
    } catch (error) {
      if (signal.aborted && signal.reason === SHUTDOWN_REASON) {
        await job.writes;
        this.live.delete(job.record.id);
        job.markFinished();
        return;
      }
      const cancelled = signal.aborted;
      await this.finish(job, {
        state: cancelled ? 'cancelled' : 'failed',
        error: cancelled ? CANCELLED_REASON : errorMessage(error),
        finishedAt: this.clock.now(),
      }).catch(this.onError);
    }
  }

  private progress(job: LiveJob, fraction: number, message?: string): void {
    if (!Number.isFinite(fraction)) return;
    const record = job.record;
    if (record.state !== 'running') return;
    record.progress = Math.max(record.progress, Math.min(1, Math.max(0, fraction)));
    if (message !== undefined) record.message = message;
    if (record.progress - job.writtenProgress >= this.progressStep) {
      job.writtenProgress = record.progress;
      this.write(job, { progress: record.progress, message: record.message }).catch(this.onError);
    }
  }

  /** Applies an update to the live record at once and queues it for the store, after the job's earlier writes. */
  private write(job: LiveJob, update: JobUpdate): Promise<unknown> {
    Object.assign(job.record, update);
    const written = job.writes.then(() => this.store.updateJob(job.record.id, update));
    job.writes = written.catch(() => undefined);
    return written;
  }

  /** Records the final state; the job leaves the live table once the store has it. */
  private async finish(job: LiveJob, update: JobUpdate): Promise<void> {
    try {
      await this.write(job, { ...update, message: null });
    } finally {
      this.live.delete(job.record.id);
      job.markFinished();
    }
  }

  private notifyIdle(): void {
    if (this.running > 0 || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
