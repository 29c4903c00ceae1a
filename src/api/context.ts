import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { BatchJobs } from '../jobs/batch-jobs.js';
import type { JobRunner } from '../jobs/runner.js';
import type { AlertStore } from '../store/alerts.js';
import type { ApiKeyStore } from '../store/api-keys.js';
import type { DeadLetterStore } from '../store/dead-letters.js';
import type { ModelRegistry } from '../store/registry.js';
import type { Store } from '../store/store.js';
import type { WebhookStore } from '../store/webhooks.js';
import type { Pipeline } from '../stream/pipeline.js';
import type { ApiMetrics } from './middleware/metrics.js';
import type { RateLimitOptions } from './middleware/rate-limit.js';

export interface ApiLimits {
  /** Largest request body accepted, in bytes (413 above it). */
  maxBodyBytes: number;
  /** Largest batch accepted, in readings (413 above it). */
  maxReadings: number;
  /** Longest time a handler may take before the request is answered 503; DEFAULT_REQUEST_TIMEOUT_MS when absent. */
  requestTimeoutMs?: number;
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
  /** Batch inference (`POST /v1/jobs` with an input file, `GET /v1/jobs/{id}/output`); its runner is `jobs`. */
  batch?: BatchJobs;
  /** Messages the stream sources rejected; `GET /v1/dead-letters` is served only when it is set. */
  deadLetters?: DeadLetterStore;
  /** Alerts and alert rules; `/v1/alerts` and `/v1/alert-rules` are served only when it is set. */
  alerts?: AlertStore;
  /** Webhooks told of alert changes and their delivery log; `/v1/webhooks` is served only when it is set. */
  webhooks?: WebhookStore;
  /** Origins allowed to call the API from a browser on another origin; no CORS headers at all when absent. */
  corsOrigins?: string[];
  /** JSON request logs (one line per request, with its id); none when absent. */
  logger?: Logger;
  /** Readiness checks beyond the store (e.g. the MQTT broker); `GET /ready` answers 503 while one fails. */
  readiness?: ReadinessCheck[];
  /** API keys and roles; without it every route is open (`upkeep serve --no-auth`, in-process tests). */
  auth?: AuthConfig;
  /** Prometheus metrics behind `GET /metrics`; without it the route answers 404. */
  metrics?: ApiMetrics;
  /** Ingest through scoring and alerts; without it `POST /v1/readings` only stores. */
  pipeline?: Pipeline;
}

/** Something `GET /ready` checks: `check` throws (or rejects) when it is not reachable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface AuthConfig {
  keys: ApiKeyStore;
  /** Per-key token bucket; DEFAULT_RATE_LIMIT when absent. */
  rateLimit?: RateLimitOptions;
  /** Serve `GET /metrics` without a key. Default false (needs read). */
  publicMetrics?: boolean;
}

export const DEFAULT_LIMITS: ApiLimits = {
  maxBodyBytes: 50 * 1024 * 1024,
  maxReadings: 100_000,
};
