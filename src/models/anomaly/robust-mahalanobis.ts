import { choleskySolve, choleskyUpper } from '../../math/linalg.js';
import { checkRange, expectState, MultivariateDetector, resolveOptions, type VectorPoint } from './base.js';
import { warmWeight } from './ewma.js';

export interface RobustMahalanobisOptions {
  /** Weight of the newest point in the exponentially weighted mean and covariance. */
  alpha: number;
  /**
   * Huber cut-off on the per-metric RMS distance √(d²/p): points farther than this update the estimates with weight
   * scaled by cutoff/distance, so a burst of outliers cannot drag the baseline towards itself.
   */
  huberCutoff: number;
  /** Points needed before scoring; earlier points score 0. */
  minCount: number;
  /** Ridge added to the covariance diagonal, relative to its mean variance, so collinear metrics stay invertible. */
  ridge: number;
}

interface RobustMahalanobisState {
  /** Metric names in the order of `mean` and `covariance`; fixed by the first point learned. */
  metrics: string[] | null;
  count: number;
  mean: number[];
  /** Row-major p × p. */
  covariance: number[];
}

const DEFAULTS: RobustMahalanobisOptions = { alpha: 0.01, huberCutoff: 3, minCount: 30, ridge: 1e-6 };

/**
 * Multivariate detector for one asset: the Mahalanobis distance of the vector of its metrics from an exponentially
 * weighted mean under an exponentially weighted covariance, both updated with Huber weights (Campbell 1980, "Robust
 * procedures in multivariate analysis I: robust covariance estimation"; Maronna, Martin & Yohai, "Robust
 * Statistics", §6.4). The score is the per-metric RMS distance √(d²/p), comparable across assets with different
 * numbers of metrics; it catches points whose metrics break their usual correlation even when each metric alone
 * looks normal.
 *
 * The metric set is fixed by the first point learned; later points may omit metrics (imputed at the mean, adding
 * nothing to the distance) and extra metrics are ignored. A bare `{ts, value}` is read as the single metric `value`.
 * Cost per step O(p³) for the Cholesky factorisation (p is small: the metrics of one asset); memory O(p²).
 */
export class RobustMahalanobis extends MultivariateDetector<RobustMahalanobisOptions, RobustMahalanobisState> {
  static override readonly className = 'RobustMahalanobis';
  private state: RobustMahalanobisState = { metrics: null, count: 0, mean: [], covariance: [] };

  constructor(options: Partial<RobustMahalanobisOptions> = {}) {
    const resolved = resolveOptions(RobustMahalanobis.className, DEFAULTS, options);
    const name = RobustMahalanobis.className;
    checkRange(name, 'alpha', resolved.alpha, Number.MIN_VALUE, 1);
    checkRange(name, 'huberCutoff', resolved.huberCutoff, Number.MIN_VALUE, Number.MAX_VALUE);
    checkRange(name, 'minCount', resolved.minCount, 1, Number.MAX_SAFE_INTEGER, true);
    checkRange(name, 'ridge', resolved.ridge, 0, 1);
    super(resolved);
  }

  /** Metric names in model order (null before the first point is learned). */
  get metrics(): readonly string[] | null {
    return this.state.metrics;
  }

  /** The point as a vector in model order; missing metrics take the current mean. */
  private vector(x: VectorPoint): Float64Array {
    const metrics = this.state.metrics ?? [];
    const vector = new Float64Array(metrics.length);
    for (let i = 0; i < metrics.length; i++) {
      const value = x.metrics[metrics[i]];
      vector[i] = value === undefined ? this.state.mean[i] : value;
    }
    return vector;
  }

  /** √(d²/p) of a vector from the current mean under the ridged covariance. */
  private distance(vector: Float64Array): number {
    const p = vector.length;
    const { mean, covariance } = this.state;
    let meanVariance = 0;
    for (let i = 0; i < p; i++) meanVariance += covariance[i * p + i];
    meanVariance /= p;
    let meanSquare = 0;
    for (let i = 0; i < p; i++) meanSquare += mean[i] * mean[i];
    const ridge = Math.max(this.options.ridge * meanVariance, 1e-18 * (meanSquare / p + 1));
    const regularised = Float64Array.from(covariance);
    for (let i = 0; i < p; i++) regularised[i * p + i] += ridge;
    const difference = new Float64Array(p);
    let any = false;
    for (let i = 0; i < p; i++) {
      difference[i] = vector[i] - mean[i];
      if (difference[i] !== 0) any = true;
    }
    if (!any) return 0;
    const upper = choleskyUpper(regularised, p);
    if (!upper) return 0;
    const solved = choleskySolve(upper, p, difference);
    let squared = 0;
    for (let i = 0; i < p; i++) squared += difference[i] * solved[i];
    return Math.sqrt(Math.max(0, squared) / p);
  }

  protected score(x: VectorPoint): number {
    if (this.state.metrics === null || this.state.count < this.options.minCount) return 0;
    return this.distance(this.vector(x));
  }

  protected learn(x: VectorPoint): void {
    const s = this.state;
    if (s.metrics === null) {
      s.metrics = Object.keys(x.metrics).sort();
      s.mean = new Array(s.metrics.length).fill(0);
      s.covariance = new Array(s.metrics.length * s.metrics.length).fill(0);
    }
    const vector = this.vector(x);
    const p = vector.length;
    s.count++;
    let weight = warmWeight(this.options.alpha, s.count);
    if (s.count > this.options.minCount) {
      const distance = this.distance(vector);
      if (distance > this.options.huberCutoff) weight *= this.options.huberCutoff / distance;
    }
    const difference = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      difference[i] = vector[i] - s.mean[i];
      s.mean[i] += weight * difference[i];
    }
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        s.covariance[i * p + j] = (1 - weight) * (s.covariance[i * p + j] + weight * difference[i] * difference[j]);
      }
    }
  }

  protected getState(): RobustMahalanobisState {
    return structuredClone(this.state);
  }

  protected setState(state: unknown): void {
    const record = expectState(state, RobustMahalanobis.className, ['metrics', 'count', 'mean', 'covariance']);
    this.state = structuredClone(record) as unknown as RobustMahalanobisState;
  }
}
