/**
 * Records of long-running jobs (training, batch inference) kept in the store, so that their outcome outlives the
 * request that started them and a restart can tell which jobs it interrupted. The job runner (`src/jobs/`) is the
 * only writer.
 */
import type { StoredJson, StoredJsonObject } from './registry.js';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/** States a job never leaves. */
export const FINISHED_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export interface JobRecord {
  id: string;
  /** What the job does, e.g. `train`. */
  kind: string;
  state: JobState;
  /** 0..1. */
  progress: number;
  /** What the job is doing now, e.g. `fitting: iteration 12 of 100`; null when nothing to say. */
  message: string | null;
  /** Why the job failed or was cancelled; null otherwise. */
  error: string | null;
  /** The job's parameters (without bulk input data). */
  input: StoredJsonObject;
  /** What a succeeded job produced (e.g. `{model_id}`); null otherwise. */
  result: StoredJson;
  /** Epoch milliseconds. */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** The fields a job update may change. */
export type JobUpdate = Partial<
  Pick<JobRecord, 'state' | 'progress' | 'message' | 'error' | 'result' | 'startedAt' | 'finishedAt'>
>;

export interface JobQuery {
  kind?: string;
  state?: JobState;
  /** Most jobs returned, the newest first (default all). */
  limit?: number;
}

export interface JobStore {
  createJob(job: JobRecord): Promise<void>;
  /** Changes some fields of a job; `NotFoundError` for an unknown id. Returns the updated record. */
  updateJob(id: string, update: JobUpdate): Promise<JobRecord>;
  getJob(id: string): Promise<JobRecord | undefined>;
  /** Jobs, newest first (by creation time, then id). */
  listJobs(query?: JobQuery): Promise<JobRecord[]>;
  /**
   * Marks every queued or running job failed with `reason`, finished at `at`: what a process does at start for the
   * jobs the previous process left unfinished. Returns how many it marked.
   */
  failUnfinishedJobs(reason: string, at: number): Promise<number>;
}
