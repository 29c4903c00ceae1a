import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Frame } from '../../io/frame.js';
import type { ModelCard } from '../../models/card.js';
import { RecentBins } from '../../scoring/feature-drift.js';

export interface ApiMetricsOptions {
  /** Also export Node's process metrics (CPU, memory, event-loop lag, GC). Default true. */
  processMetrics?: boolean;
}

/** Seconds: from 1 ms to 10 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Predicted values: probabilities in tenths, then the wider range of regression and RUL outputs. */
const PREDICTION_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/** Models whose drift is tracked at once; the one that predicted least recently is dropped beyond it. */
const MAX_TRACKED_MODELS = 50;

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
  private readonly predictions: Histogram<'model'>;
  /** Per model that served predictions: each input feature's recent bins against its training histogram. */
  private readonly drift = new Map<string, Map<string, RecentBins>>();

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
    this.predictions = new Histogram({
      name: 'upkeep_model_predictions',
      help: 'Distribution of served predictions per model version (probability of the positive class for classifiers)',
      labelNames: ['model'],
      buckets: PREDICTION_BUCKETS,
      registers,
    });
    const drift = this.drift;
    const psi = new Gauge({
      name: 'upkeep_model_feature_psi',
      help:
        "Population stability index of each input feature's recent served values (last 10,000) against its " +
        'training distribution from the model card: < 0.1 stable, 0.1-0.25 moderate shift, > 0.25 major shift',
      labelNames: ['model', 'feature'],
      registers,
      collect() {
        psi.reset();
        for (const [model, features] of drift) {
          for (const [feature, bins] of features) if (bins.count > 0) psi.set({ model, feature }, bins.psi());
        }
      },
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * One batch a model predicted: its outputs into the prediction histogram, its input columns into the recent
   * bins of the features the card has training histograms for. O(rows × (features + buckets)).
   */
  observePredictions(model: string, card: ModelCard, frame: Frame, outputs: ArrayLike<number>): void {
    for (let row = 0; row < outputs.length; row++) {
      const value = outputs[row] as number;
      if (Number.isFinite(value)) this.predictions.observe({ model }, value);
    }
    const histograms = card.featureHistograms;
    if (!histograms) return;
    let features = this.drift.get(model);
    if (features) {
      this.drift.delete(model);
    } else {
      features = new Map(Object.entries(histograms).map(([name, histogram]) => [name, new RecentBins(histogram)]));
    }
    this.drift.set(model, features);
    if (this.drift.size > MAX_TRACKED_MODELS) this.drift.delete(this.drift.keys().next().value as string);
    for (const [name, bins] of features) {
      if (!frame.has(name)) continue;
      const column = frame.column(name);
      if (column.kind !== 'numeric') continue;
      for (const value of column.values) bins.add(value);
    }
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
