import { NotFoundError, ValidationError } from '../core/errors.js';
import type { AnyUnivariateDetector } from '../models/anomaly/factory.js';
import { createDetector, DEFAULT_DETECTOR } from '../models/anomaly/factory.js';
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
}

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
 */
export class AssetHealthScorer {
  readonly options: Readonly<AssetHealthOptions>;
  private readonly cache = new Map<string, CachedDetector>();

  constructor(
    private readonly store: Store,
    options: Partial<AssetHealthOptions> = {},
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
      entry = { detector: createDetector(DEFAULT_DETECTOR), lastTs: Number.NEGATIVE_INFINITY, likelihood: 0 };
    }
    for (const { ts, value } of values) {
      // A concurrent call may have fed this detector meanwhile: only what is newer is learned.
      if (ts <= entry.lastTs) continue;
      entry.likelihood = entry.detector.scoreThenLearn({ ts, value });
      entry.lastTs = ts;
    }
    this.cache.delete(key);
    this.cache.set(key, entry);
    if (this.cache.size > this.options.cacheSize) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
    return entry;
  }
}
