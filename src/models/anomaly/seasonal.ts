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
  /** The residual of the point scored last, reused by `learn` when it is the same point and nothing was learned since. */
  private cachedTs = 0;
  private cachedValue = 0;
  private cachedResidual = 0;
  private hasCached = false;

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

  /** Bucket within the season, season number, bucket within the week, week number. */
  private position(ts: number): { bucket: number; day: number; weekBucket: number; week: number } {
    const { periodMs, buckets } = this.options;
    const day = Math.floor(ts / periodMs);
    const bucket = Math.min(buckets - 1, Math.floor(((ts - day * periodMs) / periodMs) * buckets));
    const week = Math.floor(day / 7);
    return { bucket, day, weekBucket: (day - week * 7) * buckets + bucket, week };
  }

  private residual(x: StreamPoint): number {
    const { bucket, day, weekBucket, week } = this.position(x.ts);
    const { buckets, neighbours, alpha } = this.options;
    const daily = closestResidual(this.state.daily, x.value, 0, bucket, buckets, neighbours, day, alpha);
    if (!this.state.weekly) return daily;
    const weeklyBase = weekBucket - bucket;
    const weekly = closestResidual(this.state.weekly, x.value, weeklyBase, bucket, buckets, neighbours, week, alpha);
    return Math.min(daily, weekly);
  }

  protected score(x: StreamPoint): number {
    const s = this.state;
    if (s.residualCount === 0) return 0;
    const residual = this.residual(x);
    this.cachedTs = x.ts;
    this.cachedValue = x.value;
    this.cachedResidual = residual;
    this.hasCached = true;
    if (residual === Number.POSITIVE_INFINITY || residual === 0) return 0;
    const scale = Math.max(MEAN_ABSOLUTE_TO_SIGMA * s.meanAbsoluteResidual, 1e-9 * Math.max(Math.abs(x.value), 1));
    return residual / scale;
  }

  protected learn(x: StreamPoint): void {
    const s = this.state;
    const cached = this.hasCached && this.cachedTs === x.ts && this.cachedValue === x.value;
    const residual = cached ? this.cachedResidual : this.residual(x);
    this.hasCached = false;
    if (residual !== Number.POSITIVE_INFINITY) {
      s.residualCount++;
      s.meanAbsoluteResidual +=
        warmWeight(this.options.scaleAlpha, s.residualCount) * (residual - s.meanAbsoluteResidual);
    }
    const { bucket, day, weekBucket, week } = this.position(x.ts);
    addToProfile(s.daily, bucket, day, x.value, this.options.alpha);
    if (s.weekly) addToProfile(s.weekly, weekBucket, week, x.value, this.options.alpha);
  }

  protected getState(): SeasonalState {
    return structuredClone(this.state);
  }

  protected setState(state: unknown): void {
    const record = expectState(state, Seasonal.className, ['daily', 'weekly', 'residualCount', 'meanAbsoluteResidual']);
    this.state = structuredClone(record) as unknown as SeasonalState;
    this.hasCached = false;
  }
}
