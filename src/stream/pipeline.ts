import { OverloadedError, ValidationError } from '../core/errors.js';
import { groupByAsset, type Reading } from '../core/reading.js';
import { createDetector, DEFAULT_DETECTOR } from '../models/anomaly/factory.js';
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
  /** How far back (ms) the history that scores a late value reaches (default 1 h). */
  lateHistoryMs: number;
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
  /**
   * Metric values that arrived late: older than the last value their detector had learned. Stored under their own
   * time and scored against the history before them, never fed to the running detector.
   */
  lateValues: number;
  /** Alerts opened and resolved by the pipeline's rules. */
  alertsOpened: number;
  alertsResolved: number;
}

interface QueuedBatch {
  readings: readonly Reading[];
  source: IngestSource;
  /** Its values that were already late when stored (see `lateValuesOf`). */
  late: LateValue[];
}

interface LateValue {
  asset: string;
  metric: string;
  ts: number;
}

const DEFAULTS: Omit<PipelineOptions, 'log'> = { capacity: 200_000, retryAfterSeconds: 1, lateHistoryMs: 3_600_000 };

/** Assets scored at once in a round. */
const SCORING_LANES = 4;

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
 * anything, so a refused batch is never half-kept; the sender retries it.
 *
 * Late and out-of-order readings are stored under their own timestamps. Out of order within a micro-batch is
 * harmless: the detectors learn the new values from the store, in time order. A value older than the last one its
 * detector already learned (late) is never fed to that detector — it would be learned as the newest and corrupt
 * its state — but scored by a throwaway detector warmed on the values stored before it (the `lateHistoryMs`
 * before), and that likelihood reaches the alert stage as `likelihood:<metric>` at the value's own
 * time. The rules only move forward (a rule ignores observations not newer than its last), so a late likelihood
 * opens no alert on its own. Otherwise only the likelihood of each metric's latest value reaches the rules.
 */
export class Pipeline {
  readonly options: Readonly<Omit<PipelineOptions, 'log'>>;
  private readonly log: (line: string) => void;
  private readonly queue: QueuedBatch[] = [];
  /** Readings reserved in the queue: stored or being stored, not yet scored. */
  private queued = 0;
  private draining: Promise<void> | undefined;
  private closed = false;
  /** Per asset and metric, the time of the last value its detector learned (as of the last round). */
  private readonly learnedUntil = new Map<string, Map<string, number>>();
  private readonly counters = {
    processedReadings: bySource(),
    rejectedReadings: bySource(),
    failedReadings: 0,
    lateValues: 0,
    alertsOpened: 0,
    alertsResolved: 0,
  };

  constructor(
    private readonly stages: PipelineStages,
    options: Partial<PipelineOptions> = {},
  ) {
    const { log, ...rest } = options;
    const resolved = { ...DEFAULTS, ...rest };
    if (!(Number.isInteger(resolved.lateHistoryMs) && resolved.lateHistoryMs >= 1)) {
      throw new ValidationError(
        `pipeline: option 'lateHistoryMs' must be a positive integer, got ${resolved.lateHistoryMs}`,
      );
    }
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

  /** The detectors scoring each asset's metrics (shared with `GET /v1/assets/{id}/health`), when there are any. */
  get scorer(): AssetHealthScorer | undefined {
    return this.stages.scorer;
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
      this.queue.push({ readings, source, late: this.lateValuesOf(readings) });
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
      lateValues: this.counters.lateValues,
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
        const byAsset = groupByAsset(batches.flatMap((batch) => batch.readings));
        const lateByAsset = new Map<string, LateValue[]>();
        for (const batch of batches) {
          for (const value of batch.late) {
            const list = lateByAsset.get(value.asset) ?? [];
            list.push(value);
            lateByAsset.set(value.asset, list);
          }
        }
        const observations: Reading[] = [];
        // Assets are independent: a few at once keep the store's reader connections busy.
        const assets = [...byAsset];
        let next = 0;
        const lane = async () => {
          while (next < assets.length) {
            const [asset, group] = assets[next++] as [string, Reading[]];
            try {
              observations.push(...group, ...(await this.likelihoods(asset, group, lateByAsset.get(asset) ?? [])));
            } catch (error) {
              this.counters.failedReadings += group.length;
              this.report(`${group.length} readings of ${JSON.stringify(asset)} not scored`, error);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(SCORING_LANES, assets.length) }, lane));
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
   * One asset's micro-batch through its detectors: the scorer learns the round's values directly (a detector not in
   * memory catches up from the store), and the
   * likelihood of each touched metric's latest value comes back as a `likelihood:<metric>` observation at its time.
   * Late values (older than what their detector had learned before this round) are scored apart (`scoreLate`).
   */
  private async likelihoods(
    asset: string,
    readings: readonly Reading[],
    late: readonly LateValue[],
  ): Promise<Reading[]> {
    const { scorer } = this.stages;
    if (scorer === undefined) return [];
    const touched = new Map<string, { ts: number; value: number }[]>();
    for (const reading of readings) {
      for (const [metric, value] of Object.entries(reading.metrics)) {
        const points = touched.get(metric) ?? [];
        points.push({ ts: reading.ts, value });
        touched.set(metric, points);
      }
    }
    const health = { metrics: await scorer.observe(asset, touched) };
    const byTs = new Map<number, Record<string, number>>();
    const signal = (ts: number, metric: string, likelihood: number) => {
      const signals = byTs.get(ts) ?? {};
      signals[`likelihood:${metric}`] = likelihood;
      byTs.set(ts, signals);
    };
    const learned = this.learnedUntil.get(asset) ?? new Map<string, number>();
    for (const metric of touched.keys()) {
      const entry = health.metrics[metric];
      if (entry === undefined) continue;
      signal(entry.ts, metric, entry.likelihood);
      learned.set(metric, Math.max(learned.get(metric) ?? Number.NEGATIVE_INFINITY, entry.ts));
    }
    this.learnedUntil.set(asset, learned);
    const lateByMetric = new Map<string, Set<number>>();
    for (const value of late) {
      const times = lateByMetric.get(value.metric) ?? new Set<number>();
      times.add(value.ts);
      lateByMetric.set(value.metric, times);
    }
    for (const [metric, times] of lateByMetric) {
      this.counters.lateValues += times.size;
      for (const [ts, likelihood] of await this.scoreLate(asset, metric, times)) signal(ts, metric, likelihood);
    }
    return [...byTs].map(([ts, metrics]) => ({ asset, ts, metrics }));
  }

  /**
   * The values of a batch that are late: at or before the last value their detector had learned when the batch was
   * stored. A running detector only learns stored values newer than its last, so these would never be scored.
   */
  private lateValuesOf(readings: readonly Reading[]): LateValue[] {
    const late: LateValue[] = [];
    if (this.stages.scorer === undefined) return late;
    for (const reading of readings) {
      const learned = this.learnedUntil.get(reading.asset);
      if (learned === undefined) continue;
      for (const metric of Object.keys(reading.metrics)) {
        const until = learned.get(metric);
        if (until !== undefined && reading.ts <= until) late.push({ asset: reading.asset, metric, ts: reading.ts });
      }
    }
    return late;
  }

  /**
   * Likelihoods of late values, by a throwaway detector that walks the stored values from `lateHistoryMs` before
   * the first of them to the last, each scored against what precedes it (one query per asset and metric).
   */
  private async scoreLate(asset: string, metric: string, times: ReadonlySet<number>): Promise<Map<number, number>> {
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const ts of times) {
      first = Math.min(first, ts);
      last = Math.max(last, ts);
    }
    const history = await this.stages.store.queryReadings(asset, {
      metric,
      from: first - this.options.lateHistoryMs,
      to: last + 1,
    });
    const detector = createDetector(DEFAULT_DETECTOR);
    const scores = new Map<number, number>();
    for (const point of history) {
      const likelihood = detector.scoreThenLearn({ ts: point.ts, value: point.value });
      if (times.has(point.ts)) scores.set(point.ts, likelihood);
    }
    return scores;
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
