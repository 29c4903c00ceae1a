import { NotFoundError, ValidationError } from '../core/errors.js';
import type { AnyDetectorJSON } from '../models/anomaly/base.js';
import type { AnyUnivariateDetector } from '../models/anomaly/factory.js';
import { createDetector, DEFAULT_DETECTOR, detectorFromJSON } from '../models/anomaly/factory.js';
import type { DetectorStateRecord, DetectorStateStore } from '../store/detector-states.js';
import type { Store } from '../store/store.js';
import { lastValues } from './recent-values.js';

/** ok below `watch`, watch from it, alarm from `alarm` (both on the anomaly likelihood in [0, 1]). */
export type HealthStatus = 'ok' | 'watch' | 'alarm';

export interface AssetHealthOptions {
  /** Values of each metric fed to a fresh detector: the last ones stored (default 2,000). */
  historyLimit: number;
  /** (asset, metric) detectors kept in memory; the least recently used is dropped beyond it (default 1,000). */
  cacheSize: number;
  /**
   * Likelihood from which the status is 'watch' (default 0.5). The ensemble reports D/(D + 5) for a tail
   * probability of 10^−D, so 0.5 is a value as rare as 10⁻⁵.
   */
  watch: number;
  /**
   * Likelihood from which the status is 'alarm' (default 0.8: a tail probability of 10⁻²⁰, about a 9σ excursion
   * from a Gaussian history; steady Gaussian noise stays below 0.7 over thousands of points).
   */
  alarm: number;
}

export interface MetricHealth {
  /** Anomaly likelihood of the metric's last value given the values before it, in [0, 1]. */
  likelihood: number;
  /** Epoch ms of the metric's last stored value. */
  ts: number;
}

export interface AssetHealth {
  asset: string;
  status: HealthStatus;
  /** The largest likelihood over the metrics (0 for an asset without values). */
  likelihood: number;
  metrics: Record<string, MetricHealth>;
}

interface CachedDetector {
  detector: AnyUnivariateDetector;
  /** Time of the last value learned: later calls feed only values after it. */
  lastTs: number;
  likelihood: number;
  /** Learned since its state was last saved (or restored). */
  dirty: boolean;
}

/** Feeds `entry` the values (ascending) newer than the last it learned, keeping the likelihood of the newest. */
function learnNewer(entry: CachedDetector, values: readonly { ts: number; value: number }[]): void {
  for (const { ts, value } of values) {
    if (ts <= entry.lastTs) continue;
    entry.likelihood = entry.detector.scoreThenLearn({ ts, value });
    entry.lastTs = ts;
    entry.dirty = true;
  }
}

/** Where detector states are saved so a restarted server resumes without warming up, and the clock stamping them. */
export interface AssetHealthPersistence {
  states: DetectorStateStore;
  /** Epoch ms; default `Date.now`. */
  now?: () => number;
}

export interface SnapshotResult {
  /** Detectors whose state was saved. */
  saved: number;
}

export interface RestoreResult {
  /** Detectors rebuilt from their saved state. */
  restored: number;
  /** Saved states skipped: unreadable, or of another detector class or configuration than the current default. */
  skipped: number;
}

/** Detector states serialised and saved per transaction by `snapshot()`. */
const SNAPSHOT_BATCH = 32;

const DEFAULTS: AssetHealthOptions = { historyLimit: 2000, cacheSize: 1000, watch: 0.5, alarm: 0.8 };

/** The status of a likelihood: alarm ≥ `alarm`, watch ≥ `watch`, else ok. */
export function healthStatus(
  likelihood: number,
  thresholds: Pick<AssetHealthOptions, 'watch' | 'alarm'>,
): HealthStatus {
  if (likelihood >= thresholds.alarm) return 'alarm';
  if (likelihood >= thresholds.watch) return 'watch';
  return 'ok';
}

/**
 * The anomaly side of an asset's health: the default streaming detector (the ensemble, a likelihood in [0, 1]) runs
 * over each metric's stored history, every value scored before it is learned (no look-ahead), and the likelihood
 * of the last value is reported per metric, their maximum as the asset's.
 *
 * A fresh detector sees the last `historyLimit` values of its metric; it is then kept in a small LRU cache per
 * (asset, metric) so the next call only feeds values stored after the last one it learned — O(new values) per call
 * instead of O(historyLimit). Values arriving late (older than the last one learned) are not fed to a cached
 * detector; when more than `historyLimit` new values arrived since, the detector starts afresh on the last ones.
 *
 * With `persistence`, `snapshot()` saves the state of every detector that learned since its last save (the server
 * calls it periodically and on shutdown) and `restore()` refills the cache from the saved states at start: a
 * restored detector continues exactly where it stopped (identical scores, no warm-up), learning only the values
 * stored after its last one.
 */
export class AssetHealthScorer {
  readonly options: Readonly<AssetHealthOptions>;
  private readonly cache = new Map<string, CachedDetector>();

  constructor(
    private readonly store: Store,
    options: Partial<AssetHealthOptions> = {},
    private readonly persistence?: AssetHealthPersistence,
  ) {
    const resolved = { ...DEFAULTS, ...options };
    for (const key of ['historyLimit', 'cacheSize'] as const) {
      if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
        throw new ValidationError(`asset health: option '${key}' must be a positive integer, got ${resolved[key]}`);
      }
    }
    if (!(resolved.watch > 0 && resolved.watch <= resolved.alarm && resolved.alarm <= 1)) {
      throw new ValidationError(
        `asset health: options must satisfy 0 < watch ≤ alarm ≤ 1, got watch ${resolved.watch} and alarm ${resolved.alarm}`,
      );
    }
    this.options = Object.freeze(resolved);
  }

  /** Detectors currently cached. */
  get cachedDetectors(): number {
    return this.cache.size;
  }

  /**
   * Saves the state of every cached detector that learned since it was last saved; a no-op without persistence.
   * Detectors are serialised and saved `SNAPSHOT_BATCH` at a time (a default detector's JSON is a few hundred kB),
   * so scoring goes on between batches; one that learns after it was serialised is saved by the next snapshot.
   */
  async snapshot(): Promise<SnapshotResult> {
    if (this.persistence === undefined) return { saved: 0 };
    const now = this.persistence.now ?? Date.now;
    const savedAt = now();
    const dirtyKeys = [...this.cache].filter(([, entry]) => entry.dirty).map(([key]) => key);
    let saved = 0;
    for (let start = 0; start < dirtyKeys.length; start += SNAPSHOT_BATCH) {
      const records: DetectorStateRecord[] = [];
      const batch: CachedDetector[] = [];
      for (const key of dirtyKeys.slice(start, start + SNAPSHOT_BATCH)) {
        const entry = this.cache.get(key);
        if (entry === undefined || !entry.dirty) continue;
        const [asset, metric] = key.split('\u0000');
        records.push({
          asset,
          metric,
          detector: JSON.stringify(entry.detector.toJSON()),
          lastTs: entry.lastTs,
          score: entry.likelihood,
          savedAt,
        });
        entry.dirty = false;
        batch.push(entry);
      }
      try {
        await this.persistence.states.save(records);
      } catch (error) {
        for (const entry of batch) entry.dirty = true;
        throw error;
      }
      saved += records.length;
    }
    return { saved };
  }

  /**
   * Refills the cache from the saved states, the most recently saved first, up to `cacheSize`. A state of another
   * class or configuration than the current default detector (or one that does not parse) is skipped: that series
   * warms up afresh. Cached detectors are kept. A no-op without persistence.
   */
  async restore(): Promise<RestoreResult> {
    if (this.persistence === undefined) return { restored: 0, skipped: 0 };
    const records = await this.persistence.states.load(this.options.cacheSize);
    const expected = createDetector(DEFAULT_DETECTOR).toJSON();
    const expectedConfig = JSON.stringify(expected.config);
    let restored = 0;
    let skipped = 0;
    // Oldest first, so the most recently saved end up most recently used.
    for (const record of [...records].reverse()) {
      const key = `${record.asset}\u0000${record.metric}`;
      if (this.cache.has(key)) continue;
      try {
        const json = JSON.parse(record.detector) as AnyDetectorJSON;
        if (json.className !== expected.className || JSON.stringify(json.config) !== expectedConfig) {
          skipped++;
          continue;
        }
        const detector = detectorFromJSON(json) as AnyUnivariateDetector;
        this.remember(key, { detector, lastTs: record.lastTs, likelihood: record.score, dirty: false });
        restored++;
      } catch {
        skipped++;
      }
    }
    return { restored, skipped };
  }

  /** The asset's anomaly health; NotFoundError when the store has no such asset. */
  async health(asset: string): Promise<AssetHealth> {
    const summary = await this.store.getAsset(asset);
    if (summary === undefined) {
      throw new NotFoundError(`asset ${JSON.stringify(asset)} not found`, [{ path: 'id', message: 'unknown asset' }]);
    }
    const metrics: Record<string, MetricHealth> = {};
    let likelihood = 0;
    for (const metric of summary.metrics) {
      const entry = await this.update(asset, metric, summary);
      if (entry === undefined) continue;
      metrics[metric] = { likelihood: entry.likelihood, ts: entry.lastTs };
      likelihood = Math.max(likelihood, entry.likelihood);
    }
    return { asset, status: healthStatus(likelihood, this.options), likelihood, metrics };
  }

  /**
   * Feeds values that have just been stored (e.g. one pipeline round of an asset) to the asset's detectors without
   * reading them back: a metric whose detector is in memory learns the given values newer than its last one; any
   * other metric is caught up from the store as `health` does. Returns the health of each metric given.
   * O(values) for cached metrics.
   */
  async observe(
    asset: string,
    values: ReadonlyMap<string, readonly { ts: number; value: number }[]>,
  ): Promise<Record<string, MetricHealth>> {
    const result: Record<string, MetricHealth> = {};
    let summary: Awaited<ReturnType<Store['getAsset']>> | null = null;
    for (const [metric, points] of values) {
      const key = `${asset}\u0000${metric}`;
      let entry = this.cache.get(key);
      if (entry !== undefined) {
        learnNewer(
          entry,
          [...points].sort((a, b) => a.ts - b.ts),
        );
        this.remember(key, entry);
      } else {
        summary ??= await this.store.getAsset(asset);
        if (summary === undefined) continue;
        entry = await this.update(asset, metric, summary);
      }
      if (entry !== undefined) result[metric] = { likelihood: entry.likelihood, ts: entry.lastTs };
    }
    return result;
  }

  private async update(
    asset: string,
    metric: string,
    summary: NonNullable<Awaited<ReturnType<Store['getAsset']>>>,
  ): Promise<CachedDetector | undefined> {
    const key = `${asset}\u0000${metric}`;
    const limit = this.options.historyLimit;
    let entry = this.cache.get(key);
    let values =
      entry === undefined
        ? await lastValues(this.store, asset, metric, limit, summary)
        : await this.store.queryReadings(asset, { metric, from: entry.lastTs + 1, limit: limit + 1 });
    if (values.length > limit) {
      entry = undefined;
      values = await lastValues(this.store, asset, metric, limit, summary);
    }
    if (entry === undefined) {
      if (values.length === 0) return undefined;
      entry = {
        detector: createDetector(DEFAULT_DETECTOR),
        lastTs: Number.NEGATIVE_INFINITY,
        likelihood: 0,
        dirty: true,
      };
    }
    // A concurrent call may have fed this detector meanwhile: only what is newer is learned.
    learnNewer(entry, values);
    this.remember(key, entry);
    return entry;
  }

  /** Puts an entry in the cache as the most recently used, dropping the least recently used beyond `cacheSize`. */
  private remember(key: string, entry: CachedDetector): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    if (this.cache.size > this.options.cacheSize) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }
}
