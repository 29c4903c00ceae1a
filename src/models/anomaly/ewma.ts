import { checkRange, expectState, resolveOptions, type StreamPoint, UnivariateDetector } from './base.js';

export interface EwmaOptions {
  /** Weight of the newest point in the exponentially weighted mean and variance (0, 1]. */
  alpha: number;
  /** Points needed before scoring; earlier points score 0. */
  minCount: number;
}

export interface EwmaState {
  count: number;
  mean: number;
  variance: number;
}

const DEFAULTS: EwmaOptions = { alpha: 0.02, minCount: 20 };

/**
 * Weight of the n-th observation (n ≥ 1) in an exponentially weighted estimate that starts as a plain running
 * mean: 1/n until 1/α observations, then α. Without it the first observations would weigh far too much.
 */
export function warmWeight(alpha: number, n: number): number {
  return Math.max(alpha, 1 / n);
}

/**
 * One step of the exponentially weighted mean and variance (Finch 2009, "Incremental calculation of weighted mean and
 * variance", §9) with weight w = warmWeight(α, n): d = x − μ, μ ← μ + w·d, σ² ← (1 − w)(σ² + w·d²). While w = 1/n
 * this is exactly the running mean and population variance. O(1).
 */
export function ewmaStep(state: EwmaState, value: number, alpha: number): void {
  state.count++;
  const weight = warmWeight(alpha, state.count);
  const difference = value - state.mean;
  state.mean += weight * difference;
  state.variance = (1 - weight) * (state.variance + weight * difference * difference);
}

/** |x − μ|/σ, with σ floored at 10⁻⁹·max(|μ|, 1) so a departure from a constant scores high but finite. */
export function standardisedDistance(value: number, mean: number, variance: number): number {
  const deviation = Math.abs(value - mean);
  if (deviation === 0) return 0;
  const scale = Math.max(Math.sqrt(variance), 1e-9 * Math.max(Math.abs(mean), 1));
  return deviation / scale;
}

/**
 * Distance of each point from the exponentially weighted moving average, in exponentially weighted standard
 * deviations: |x − μ|/σ. O(1) per step. Reacts to spikes; adapts to level shifts within about 1/α points.
 *
 * @example
 * const detector = new Ewma({ alpha: 0.5, minCount: 2 });
 * detector.learnOne({ ts: 0, value: 0 }).learnOne({ ts: 1, value: 2 }); // μ = 1, σ² = 0.5·(0 + 0.5·4) = 1
 * detector.scoreOne({ ts: 2, value: 4 }); // |4 − 1|/1 = 3
 */
export class Ewma extends UnivariateDetector<EwmaOptions, EwmaState> {
  static override readonly className = 'Ewma';
  private state: EwmaState = { count: 0, mean: 0, variance: 0 };

  constructor(options: Partial<EwmaOptions> = {}) {
    const resolved = resolveOptions(Ewma.className, DEFAULTS, options);
    checkRange(Ewma.className, 'alpha', resolved.alpha, Number.MIN_VALUE, 1);
    checkRange(Ewma.className, 'minCount', resolved.minCount, 1, Number.MAX_SAFE_INTEGER, true);
    super(resolved);
  }

  protected learn(x: StreamPoint): void {
    ewmaStep(this.state, x.value, this.options.alpha);
  }

  protected score(x: StreamPoint): number {
    if (this.state.count < this.options.minCount) return 0;
    return standardisedDistance(x.value, this.state.mean, this.state.variance);
  }

  protected getState(): EwmaState {
    return { ...this.state };
  }

  protected setState(state: unknown): void {
    const record = expectState(state, Ewma.className, ['count', 'mean', 'variance']);
    this.state = { count: Number(record.count), mean: Number(record.mean), variance: Number(record.variance) };
  }
}
