import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface ApiMetricsOptions {
  /** Also export Node's process metrics (CPU, memory, event-loop lag, GC). Default true. */
  processMetrics?: boolean;
}

/** Seconds: from 1 ms to 10 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Why an ingested batch was refused, from the error that refused it. */
export function rejectReason(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'ValidationError') return 'invalid';
  if (name === 'PayloadTooLargeError') return 'too_large';
  if (name === 'UnprocessableError') return 'unprocessable';
  if (name === 'OverloadedError') return 'overloaded';
  return 'store_error';
}

/**
 * The server's Prometheus metrics, in a registry of their own (one per app, so tests do not share counters):
 * HTTP requests and latency by route pattern, method and status; readings ingested and batches refused by reason;
 * store append latency; Node process metrics.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly requestSeconds: Histogram<'route' | 'method' | 'status'>;
  private readonly readings: Counter;
  private readonly values: Counter<'outcome'>;
  private readonly rejected: Counter<'reason'>;
  private readonly appendSeconds: Histogram;

  constructor(options: ApiMetricsOptions = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'upkeep_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'upkeep_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.readings = new Counter({
      name: 'upkeep_readings_ingested_total',
      help: 'Readings received in accepted batches',
      registers,
    });
    this.values = new Counter({
      name: 'upkeep_values_ingested_total',
      help: 'Metric values of accepted batches: newly stored (accepted) or already stored (duplicate)',
      labelNames: ['outcome'],
      registers,
    });
    this.rejected = new Counter({
      name: 'upkeep_ingest_batches_rejected_total',
      help: 'Batches of readings refused whole, by reason (invalid, too_large, unprocessable, overloaded, store_error)',
      labelNames: ['reason'],
      registers,
    });
    this.appendSeconds = new Histogram({
      name: 'upkeep_store_append_seconds',
      help: 'Time to append one batch of readings to the store',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) };
    this.requests.inc(labels);
    this.requestSeconds.observe(labels, seconds);
  }

  /** An accepted batch: its readings and how many of its values were new or duplicates. */
  ingested(readings: number, accepted: number, duplicates: number): void {
    this.readings.inc(readings);
    this.values.inc({ outcome: 'accepted' }, accepted);
    this.values.inc({ outcome: 'duplicate' }, duplicates);
  }

  /** A refused batch, the reason taken from its error. */
  rejectedBatch(error: unknown): void {
    this.rejected.inc({ reason: rejectReason(error) });
  }

  /** Runs one store append and records its duration. */
  async timeAppend<T>(append: () => Promise<T>): Promise<T> {
    const end = this.appendSeconds.startTimer();
    try {
      return await append();
    } finally {
      end();
    }
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

/**
 * The route pattern that answered (`/v1/assets/:id`, not the raw path, so labels stay few): the last matched route
 * that is not a wildcard. Only wildcards matched: `unmatched` for a 404, else `/*` (the dashboard's files).
 */
function routeLabel(routes: ReturnType<typeof matchedRoutes>, status: number): string {
  for (let index = routes.length - 1; index >= 0; index--) {
    const route = routes[index];
    if (route && !route.path.endsWith('*')) return route.path;
  }
  return status === 404 ? 'unmatched' : '/*';
}

/** Counts and times every request. Mounted first, so it sees the final status of errors and refusals too. */
export function httpMetrics(metrics: ApiMetrics, now: () => number = () => performance.now()): MiddlewareHandler {
  return async (c, next) => {
    const started = now();
    await next();
    metrics.observeRequest(
      routeLabel(matchedRoutes(c), c.res.status),
      c.req.method,
      c.res.status,
      (now() - started) / 1000,
    );
  };
}
