import { checkRange, expectState, resolveOptions, type StreamPoint, UnivariateDetector } from './base.js';
import { warmWeight } from './ewma.js';
import { addToProfile, closestResidual, emptyProfile, type Profile } from './profile.js';

export interface SeasonalOptions {
  /** Length of one season in ms (default one day). */
  periodMs: number;
  /** Time-of-day buckets per season (288 = 5-minute buckets over a day). */
  buckets: number;
  /** Also keep a profile per bucket and day of the week (seven seasons); the smaller of the two scores is used. */
  weekly: boolean;
  /** Weight of the newest completed season in a bucket's expected value. */
  alpha: number;
  /** Weight of the newest residual in the pooled residual scale. */
  scaleAlpha: number;
  /** Buckets either side also count as "expected here", tolerating a little phase jitter. */
  neighbours: number;
}

interface SeasonalState {
  daily: Profile;
  weekly: Profile | null;
  residualCount: number;
  meanAbsoluteResidual: number;
}

const DEFAULTS: SeasonalOptions = {
  periodMs: 86_400_000,
  buckets: 288,
  weekly: true,
  alpha: 0.3,
  scaleAlpha: 0.005,
  neighbours: 1,
};

const MEAN_ABSOLUTE_TO_SIGMA = 1.2533141373155003;

/**
 * Seasonality-aware detector: an expected value per time-of-day bucket (UTC), and optionally per bucket and day of
 * the week, each an exponentially weighted mean over completed seasons (the season in progress never predicts
 * itself). A point's residual is its distance to the closest expected value among its bucket and `neighbours`
 * buckets either side (tolerating phase jitter); the score is that residual over the pooled residual scale
 * (1.2533·EW mean |residual|), the smaller of the daily and weekly residuals once both exist. Scores are 0 until a
 * bucket has one completed season. Cost per step O(neighbours); memory O(8·buckets). Reference: the seasonal
 * component of Holt–Winters (Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", §8.3), bucketed.
 */
export class Seasonal extends UnivariateDetector<SeasonalOptions, SeasonalState> {
  static override readonly className = 'Seasonal';
  private state: SeasonalState;
  /** Where the last located timestamp falls: bucket within the season, season, bucket within the week, week. */
  private bucket = 0;
  private day = 0;
  private weekBucket = 0;
  private week = 0;

  constructor(options: Partial<SeasonalOptions> = {}) {
    const resolved = resolveOptions(Seasonal.className, DEFAULTS, options);
    checkRange(Seasonal.className, 'periodMs', resolved.periodMs, 1, Number.MAX_SAFE_INTEGER, true);
    checkRange(Seasonal.className, 'buckets', resolved.buckets, 1, 1_000_000, true);
    checkRange(Seasonal.className, 'alpha', resolved.alpha, Number.MIN_VALUE, 1);
    checkRange(Seasonal.className, 'scaleAlpha', resolved.scaleAlpha, Number.MIN_VALUE, 1);
    checkRange(Seasonal.className, 'neighbours', resolved.neighbours, 0, Math.floor((resolved.buckets - 1) / 2), true);
    super(resolved);
    this.state = {
      daily: emptyProfile(resolved.buckets),
      weekly: resolved.weekly ? emptyProfile(7 * resolved.buckets) : null,
      residualCount: 0,
      meanAbsoluteResidual: 0,
    };
  }

  /** Sets bucket, day, weekBucket and week for `ts`. */
  private locate(ts: number): void {
    const { periodMs, buckets } = this.options;
    const day = Math.floor(ts / periodMs);
    const bucket = Math.min(buckets - 1, Math.floor(((ts - day * periodMs) / periodMs) * buckets));
    const week = Math.floor(day / 7);
    this.bucket = bucket;
    this.day = day;
    this.weekBucket = (day - week * 7) * buckets + bucket;
    this.week = week;
  }

  /** Residual of a value at the located position: distance to the closest expected value (Infinity when none). */
  private residual(value: number): number {
    const { bucket, weekBucket } = this;
    const { buckets, neighbours, alpha } = this.options;
    const daily = closestResidual(this.state.daily, value, 0, bucket, buckets, neighbours, this.day, alpha);
    if (!this.state.weekly) return daily;
    const weeklyBase = weekBucket - bucket;
    const weekly = closestResidual(this.state.weekly, value, weeklyBase, bucket, buckets, neighbours, this.week, alpha);
    return Math.min(daily, weekly);
  }

  private scoreOf(value: number, residual: number): number {
    if (residual === Number.POSITIVE_INFINITY || residual === 0) return 0;
    const scale = Math.max(
      MEAN_ABSOLUTE_TO_SIGMA * this.state.meanAbsoluteResidual,
      1e-9 * Math.max(Math.abs(value), 1),
    );
    return residual / scale;
  }

  /** Folds a located point and its residual into the residual scale and the profiles. */
  private absorb(value: number, residual: number): void {
    const s = this.state;
    if (residual !== Number.POSITIVE_INFINITY) {
      s.residualCount++;
      s.meanAbsoluteResidual +=
        warmWeight(this.options.scaleAlpha, s.residualCount) * (residual - s.meanAbsoluteResidual);
    }
    addToProfile(s.daily, this.bucket, this.day, value, this.options.alpha);
    if (s.weekly) addToProfile(s.weekly, this.weekBucket, this.week, value, this.options.alpha);
  }

  protected score(x: StreamPoint): number {
    if (this.state.residualCount === 0) return 0;
    this.locate(x.ts);
    return this.scoreOf(x.value, this.residual(x.value));
  }

  protected learn(x: StreamPoint): void {
    this.locate(x.ts);
    this.absorb(x.value, this.residual(x.value));
  }

  protected override scoreAndLearn(x: StreamPoint): number {
    this.locate(x.ts);
    const residual = this.residual(x.value);
    const result = this.state.residualCount === 0 ? 0 : this.scoreOf(x.value, residual);
    this.absorb(x.value, residual);
    return result;
  }

  protected getState(): SeasonalState {
    return structuredClone(this.state);
  }

  protected setState(state: unknown): void {
    const record = expectState(state, Seasonal.className, ['daily', 'weekly', 'residualCount', 'meanAbsoluteResidual']);
    this.state = structuredClone(record) as unknown as SeasonalState;
  }
}
