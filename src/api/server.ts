import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../core/clock.js';
import { UpkeepError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import type { BatchJobs } from '../jobs/batch-jobs.js';
import type { JobRunner } from '../jobs/runner.js';
import type { AlertStore } from '../store/alerts.js';
import type { DeadLetterStore } from '../store/dead-letters.js';
import type { ModelRegistry } from '../store/registry.js';
import type { Store } from '../store/store.js';
import type { WebhookStore } from '../store/webhooks.js';
import type { Pipeline } from '../stream/pipeline.js';
import { createApp } from './app.js';
import { type ApiLimits, type AuthConfig, DEFAULT_LIMITS, type ReadinessCheck } from './context.js';
import { ApiMetrics } from './middleware/metrics.js';

export interface ServerOptions {
  store: Store;
  /** The model registry and job runner behind /v1/models and /v1/jobs (those routes answer 404 without them). */
  registry?: ModelRegistry;
  jobs?: JobRunner;
  /** Batch inference behind `POST /v1/jobs` uploads and `GET /v1/jobs/{id}/output`; its runner is `jobs`. */
  batch?: BatchJobs;
  /** Messages the stream sources rejected, behind /v1/dead-letters (not served without it). */
  deadLetters?: DeadLetterStore;
  /** Alerts and alert rules, behind /v1/alerts and /v1/alert-rules (not served without it). */
  alerts?: AlertStore;
  /** Webhooks and their delivery log, behind /v1/webhooks (not served without it). */
  webhooks?: WebhookStore;
  /** Origins allowed cross-origin (CORS); none when absent. */
  corsOrigins?: string[];
  /** JSON request logs; none when absent. */
  logger?: Logger;
  /** What `GET /ready` checks beside the store. */
  readiness?: ReadinessCheck[];
  /** API keys, roles and rate limits; every route is open without it. */
  auth?: AuthConfig;
  /** Prometheus metrics for `GET /metrics`; a fresh registry (with process metrics) when absent. */
  metrics?: ApiMetrics;
  /** Ingest through scoring and alerts for `POST /v1/readings`; the route only stores without it. */
  pipeline?: Pipeline;
  host?: string;
  /** 0 picks a free port; the chosen one is in the result. */
  port?: number;
  clock?: Clock;
  limits?: ApiLimits;
  /** Close on SIGINT/SIGTERM (a second signal exits at once). */
  handleSignals?: boolean;
  /** Runs after the server stops accepting requests and before the store closes (e.g. stop a simulator). */
  onShutdown?: () => void | Promise<void>;
  /** Longest wait for open requests to finish before their connections are cut (ms). */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  /** Stops accepting requests, lets open ones finish, runs `onShutdown`, closes the store. Idempotent. */
  close(): Promise<void>;
  /** Settles once `close()` has finished, whoever called it. */
  closed: Promise<void>;
}

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address is not available on this machine',
  ENOTFOUND: 'the host name does not resolve',
};

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Serves the API app on Node's HTTP server. Listen failures (port in use, …) reject with one readable `UpkeepError`. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 8080;
  const app = createApp({
    store: options.store,
    clock: options.clock ?? systemClock,
    limits: options.limits ?? DEFAULT_LIMITS,
    version: VERSION,
    registry: options.registry,
    jobs: options.jobs,
    batch: options.batch,
    deadLetters: options.deadLetters,
    alerts: options.alerts,
    webhooks: options.webhooks,
    corsOrigins: options.corsOrigins,
    logger: options.logger,
    readiness: options.readiness,
    auth: options.auth,
    metrics: options.metrics ?? new ApiMetrics(),
    pipeline: options.pipeline,
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const problem = (error.code && LISTEN_PROBLEMS[error.code]) ?? error.message;
      reject(new UpkeepError(`cannot listen on ${urlHost(host)}:${requestedPort}: ${problem}`));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(requestedPort, host);
  });

  const port = (server.address() as AddressInfo).port;
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | undefined;

  const onSignal = () => {
    if (closing) {
      process.exit(130);
    }
    void close();
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (options.handleSignals) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        // A second signal while shutting down exits at once.
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      }
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 5000);
      await stopped;
      clearTimeout(grace);
      try {
        await options.onShutdown?.();
      } finally {
        await options.store.close();
        if (options.handleSignals) {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        resolveClosed();
      }
    })();
    return closing;
  };

  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return { url: `http://${urlHost(host)}:${port}`, host, port, close, closed };
}
