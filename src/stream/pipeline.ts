import { OverloadedError, ValidationError } from '../core/errors.js';
import type { Reading } from '../core/reading.js';
import type { AlertMonitor } from '../scoring/alert-monitor.js';
import type { AssetHealthScorer } from '../scoring/asset-health.js';
import type { AppendResult, Store } from '../store/store.js';

/** Where a batch came from: the HTTP API, the MQTT consumer or the in-process fleet simulator. */
export type IngestSource = 'http' | 'mqtt' | 'simulator';

export interface PipelineOptions {
  /**
   * Readings stored but not yet scored that the queue holds at most (default 200,000). A batch that would take
   * the queue over it is refused with an OverloadedError before it is stored — except into an empty queue, so a
   * batch larger than the capacity is never refused for ever.
   */
  capacity: number;
  /** The Retry-After (s) a refused batch carries (default 1). */
  retryAfterSeconds: number;
  /** Where a micro-batch that failed to score is reported (one line each); stderr when absent. */
  log: (line: string) => void;
}

export interface PipelineStages {
  /** Durable storage: a batch is appended here before `ingest` returns. */
  store: Store;
  /** Online anomaly detectors per (asset, metric); the likelihood rules fire only with it. */
  scorer?: AssetHealthScorer;
  /** The alert rules over the readings (and the fresh likelihoods); no alerts without it. */
  monitor?: AlertMonitor;
}

export interface PipelineStats {
  /** Readings stored and waiting to be scored. */
  queuedReadings: number;
  /** Readings stored that have left the queue, by source: scored, or counted in `failedReadings` too. */
  processedReadings: Record<IngestSource, number>;
  /** Readings refused because the queue was full (nothing stored), by source. */
  rejectedReadings: Record<IngestSource, number>;
  /** Readings stored whose scoring or alert rules failed (reported through `log`; the data stays stored). */
  failedReadings: number;
  /** Alerts opened and resolved by the pipeline's rules. */
  alertsOpened: number;
  alertsResolved: number;
}

interface QueuedBatch {
  readings: readonly Reading[];
  source: IngestSource;
}

const DEFAULTS: Omit<PipelineOptions, 'log'> = { capacity: 200_000, retryAfterSeconds: 1 };

const bySource = (): Record<IngestSource, number> => ({ http: 0, mqtt: 0, simulator: 0 });

/**
 * The one place that wires ingest → store → scoring → alerts. `ingest` appends a batch to the store (durable once
 * it resolves) and hands it to a bounded in-process queue; a single worker drains the queue in rounds (whatever is
 * queued when one starts), in micro-batches per asset: the asset's anomaly detectors learn the values stored since
 * they last ran (the scorer reads only those: O(new values) per metric); then the alert monitor runs the round's
 * raw readings and, at each touched metric's last timestamp, its fresh likelihood as the signal
 * `likelihood:<metric>` (the rules are read once per round).
 *
 * Backpressure: when the queue is full `ingest` throws OverloadedError (HTTP 503 with Retry-After) before storing
 * anything, so a refused batch is never half-kept; the sender retries it. Late and out-of-order readings are
 * stored under their own timestamps, but the online detectors and the rules only move forward in time: a value
 * older than the last one a detector learned is not learned, and a rule ignores observations not newer than its
 * last. Only the likelihood of each metric's latest value in a micro-batch reaches the likelihood rules.
 */
export class Pipeline {
  readonly options: Readonly<Omit<PipelineOptions, 'log'>>;
  private readonly log: (line: string) => void;
  private readonly queue: QueuedBatch[] = [];
  /** Readings reserved in the queue: stored or being stored, not yet scored. */
  private queued = 0;
  private draining: Promise<void> | undefined;
  private closed = false;
  private readonly counters = {
    processedReadings: bySource(),
    rejectedReadings: bySource(),
    failedReadings: 0,
    alertsOpened: 0,
    alertsResolved: 0,
  };

  constructor(
    private readonly stages: PipelineStages,
    options: Partial<PipelineOptions> = {},
  ) {
    const { log, ...rest } = options;
    const resolved = { ...DEFAULTS, ...rest };
    if (!Number.isInteger(resolved.capacity) || resolved.capacity < 1) {
      throw new ValidationError(`pipeline: option 'capacity' must be a positive integer, got ${resolved.capacity}`);
    }
    if (!(Number.isInteger(resolved.retryAfterSeconds) && resolved.retryAfterSeconds >= 1)) {
      throw new ValidationError(
        `pipeline: option 'retryAfterSeconds' must be a positive integer, got ${resolved.retryAfterSeconds}`,
      );
    }
    this.options = Object.freeze(resolved);
    this.log = log ?? ((line) => process.stderr.write(`upkeep: ${line}\n`));
  }

  /**
   * Stores the batch, then queues it for scoring; resolves with the store's counts once stored. OverloadedError
   * (nothing stored) when the queue is full or the pipeline is closed; a store failure rejects as the store does.
   */
  async ingest(readings: readonly Reading[], source: IngestSource): Promise<AppendResult> {
    const count = readings.length;
    if (this.closed || (this.queued > 0 && this.queued + count > this.options.capacity)) {
      this.counters.rejectedReadings[source] += count;
      const why = this.closed
        ? 'the pipeline is shutting down'
        : `${this.queued} readings are waiting to be scored (capacity ${this.options.capacity})`;
      throw new OverloadedError(
        `ingest: batch of ${count} readings refused, ${why}; retry after ${this.options.retryAfterSeconds} s`,
        this.options.retryAfterSeconds,
      );
    }
    // Reserved before the append so that concurrent batches cannot overfill the queue while they are stored.
    this.queued += count;
    let result: AppendResult;
    try {
      result = await this.stages.store.appendReadings(readings);
    } catch (error) {
      this.queued -= count;
      throw error;
    }
    if (count > 0) {
      this.queue.push({ readings, source });
      this.draining ??= this.drain();
    }
    return result;
  }

  /** Settles once every batch queued so far has been scored. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Refuses new batches and waits for the queued ones to be scored (on shutdown, before the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  stats(): PipelineStats {
    return {
      queuedReadings: this.queued,
      processedReadings: { ...this.counters.processedReadings },
      rejectedReadings: { ...this.counters.rejectedReadings },
      failedReadings: this.counters.failedReadings,
      alertsOpened: this.counters.alertsOpened,
      alertsResolved: this.counters.alertsResolved,
    };
  }

  /**
   * The store as seen by a source that appends by itself (the MQTT consumer, the simulator): every method is the
   * store's, except `appendReadings`, which goes through `ingest` (so it may throw OverloadedError).
   */
  storeFor(source: IngestSource): Store {
    const store = this.stages.store;
    const append = (readings: readonly Reading[]) => this.ingest(readings, source);
    return new Proxy(store, {
      get(target, property) {
        if (property === 'appendReadings') return append;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batches = this.queue.splice(0, this.queue.length);
        const byAsset = new Map<string, Reading[]>();
        for (const batch of batches) {
          for (const reading of batch.readings) {
            let group = byAsset.get(reading.asset);
            if (group === undefined) {
              group = [];
              byAsset.set(reading.asset, group);
            }
            group.push(reading);
          }
        }
        const observations: Reading[] = [];
        for (const [asset, group] of byAsset) {
          try {
            observations.push(...group, ...(await this.likelihoods(asset, group)));
          } catch (error) {
            this.counters.failedReadings += group.length;
            this.report(`${group.length} readings of ${JSON.stringify(asset)} not scored`, error);
          }
        }
        await this.alert(
          observations,
          batches.reduce((sum, batch) => sum + batch.readings.length, 0),
        );
        for (const batch of batches) {
          this.counters.processedReadings[batch.source] += batch.readings.length;
          this.queued -= batch.readings.length;
        }
      }
    } finally {
      this.draining = undefined;
    }
  }

  /**
   * One asset's micro-batch through its detectors: the scorer learns the values stored since it last ran, and the
   * likelihood of each touched metric's latest value comes back as a `likelihood:<metric>` observation at its time.
   */
  private async likelihoods(asset: string, readings: readonly Reading[]): Promise<Reading[]> {
    const { scorer } = this.stages;
    if (scorer === undefined) return [];
    const touched = new Set<string>();
    for (const reading of readings) for (const metric of Object.keys(reading.metrics)) touched.add(metric);
    const health = await scorer.health(asset);
    const byTs = new Map<number, Record<string, number>>();
    for (const metric of touched) {
      const entry = health.metrics[metric];
      if (entry === undefined) continue;
      const signals = byTs.get(entry.ts) ?? {};
      signals[`likelihood:${metric}`] = entry.likelihood;
      byTs.set(entry.ts, signals);
    }
    return [...byTs].map(([ts, metrics]) => ({ asset, ts, metrics }));
  }

  /** The alert rules over one round's readings and likelihoods, all assets at once (the rules are read once). */
  private async alert(observations: readonly Reading[], readings: number): Promise<void> {
    const { monitor } = this.stages;
    if (monitor === undefined || observations.length === 0) return;
    try {
      const applied = await monitor.observe(observations);
      this.counters.alertsOpened += applied.opened.length;
      this.counters.alertsResolved += applied.resolved.length;
    } catch (error) {
      this.counters.failedReadings += readings;
      this.report(`${readings} readings not run through the alert rules`, error);
    }
  }

  private report(what: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.log(`pipeline: ${what}: ${reason}`);
  }
}
