import type { Clock } from '../core/clock.js';
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
}

export const DEFAULT_LIMITS: ApiLimits = {
  maxBodyBytes: 50 * 1024 * 1024,
  maxReadings: 100_000,
};
