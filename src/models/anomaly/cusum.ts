import { checkRange, expectState, resolveOptions, type StreamPoint, UnivariateDetector } from './base.js';
import { type EwmaState, ewmaStep } from './ewma.js';

export interface CusumOptions {
  /** Weight of the newest point in the slowly moving baseline mean and variance. */
  alpha: number;
  /** Allowance, in baseline standard deviations: shifts smaller than k are not accumulated. */
  k: number;
  /** Decision level, in baseline standard deviations: once a sum passes h it is reported and reset to 0. */
  h: number;
  /** Points needed before scoring; earlier points score 0. */
  minCount: number;
}

interface CusumState {
  baseline: EwmaState;
  upper: number;
  lower: number;
}

const DEFAULTS: CusumOptions = { alpha: 0.005, k: 0.5, h: 10, minCount: 30 };

/**
 * Two-sided tabular CUSUM (Page 1954; Montgomery, "Introduction to Statistical Quality Control", §9.1) on values
 * standardised by a slow exponentially weighted baseline: z = (x − μ)/σ, S⁺ ← max(0, S⁺ + z − k),
 * S⁻ ← max(0, S⁻ − z − k). The score is max(S⁺, S⁻): it grows while the level stays away from the baseline, so
 * it finds small persistent drifts that a point-wise z-score misses. Both sums restart at 0 after passing h. O(1).
 */
export class Cusum extends UnivariateDetector<CusumOptions, CusumState> {
  static override readonly className = 'Cusum';
  private state: CusumState = { baseline: { count: 0, mean: 0, variance: 0 }, upper: 0, lower: 0 };

  constructor(options: Partial<CusumOptions> = {}) {
    const resolved = resolveOptions(Cusum.className, DEFAULTS, options);
    checkRange(Cusum.className, 'alpha', resolved.alpha, Number.MIN_VALUE, 1);
    checkRange(Cusum.className, 'k', resolved.k, 0, Number.MAX_VALUE);
    checkRange(Cusum.className, 'h', resolved.h, Number.MIN_VALUE, Number.MAX_VALUE);
    checkRange(Cusum.className, 'minCount', resolved.minCount, 1, Number.MAX_SAFE_INTEGER, true);
    super(resolved);
  }

  private sums(value: number): [number, number] {
    const { baseline, upper, lower } = this.state;
    if (baseline.count < this.options.minCount) return [0, 0];
    const scale = Math.max(Math.sqrt(baseline.variance), 1e-9 * Math.max(Math.abs(baseline.mean), 1));
    const standardised = (value - baseline.mean) / scale;
    // Cap one step's contribution so a single wild point cannot carry the sum past h on its own forever after.
    const step = Math.max(-this.options.h, Math.min(this.options.h, standardised));
    return [Math.max(0, upper + step - this.options.k), Math.max(0, lower - step - this.options.k)];
  }

  protected score(x: StreamPoint): number {
    const [upper, lower] = this.sums(x.value);
    return Math.max(upper, lower);
  }

  protected learn(x: StreamPoint): void {
    const [upper, lower] = this.sums(x.value);
    const alarmed = Math.max(upper, lower) > this.options.h;
    this.state.upper = alarmed ? 0 : upper;
    this.state.lower = alarmed ? 0 : lower;
    ewmaStep(this.state.baseline, x.value, this.options.alpha);
  }

  protected getState(): CusumState {
    return { baseline: { ...this.state.baseline }, upper: this.state.upper, lower: this.state.lower };
  }

  protected setState(state: unknown): void {
    const record = expectState(state, Cusum.className, ['baseline', 'upper', 'lower']);
    const baseline = expectState(record.baseline, Cusum.className, ['count', 'mean', 'variance']);
    this.state = {
      baseline: { count: Number(baseline.count), mean: Number(baseline.mean), variance: Number(baseline.variance) },
      upper: Number(record.upper),
      lower: Number(record.lower),
    };
  }
}
