import type { Clock } from '../core/clock.js';
import type { JobRunner } from '../jobs/runner.js';
import type { DeadLetterStore } from '../store/dead-letters.js';
import type { ModelRegistry } from '../store/registry.js';
import type { Store } from '../store/store.js';

export interface ApiLimits {
  /** Largest request body accepted, in bytes (413 above it). */
  maxBodyBytes: number;
  /** Largest batch accepted, in readings (413 above it). */
  maxReadings: number;
}

/** What every route needs, built once by the server (or the Lambda handler) and passed to `createApp`. */
export interface AppContext {
  store: Store;
  clock: Clock;
  limits: ApiLimits;
  version: string;
  /** Trained models by task and version; without it the model routes answer 404. */
  registry?: ModelRegistry;
  /** Background jobs (training); without it the job routes answer 404. */
  jobs?: JobRunner;
  /** Messages the stream sources rejected; `GET /v1/dead-letters` is served only when it is set. */
  deadLetters?: DeadLetterStore;
}

export const DEFAULT_LIMITS: ApiLimits = {
  maxBodyBytes: 50 * 1024 * 1024,
  maxReadings: 100_000,
};
