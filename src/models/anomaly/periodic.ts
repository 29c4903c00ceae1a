import { checkRange, expectState, resolveOptions, type StreamPoint, UnivariateDetector } from './base.js';
import { warmWeight } from './ewma.js';
import { addToProfile, closestResidual, emptyProfile, type Profile } from './profile.js';

export interface PeriodicOptions {
  /** Points collected before the period is estimated (at least twice `maxPeriod` to see two cycles). */
  learnPoints: number;
  /** Shortest and longest period considered, in points. */
  minPeriod: number;
  maxPeriod: number;
  /** Autocorrelation the period's peak must reach; below it the series is taken as aperiodic (scores stay 0). */
  minCorrelation: number;
  /** Weight of the newest cycle in a phase's expected value. */
  alpha: number;
  /** Weight of the newest residual in the pooled residual scale. */
  scaleAlpha: number;
  /** Phases either side also count as "expected here", tolerating a little jitter. */
  neighbours: number;
}

interface PeriodicState {
  count: number;
  /** Points kept until the period is estimated; emptied afterwards. */
  buffer: number[];
  /** Period in points; 0 while learning or when none was found. */
  period: number;
  profile: Profile | null;
  residualCount: number;
  meanAbsoluteResidual: number;
}

const DEFAULTS: PeriodicOptions = {
  learnPoints: 600,
  minPeriod: 4,
  maxPeriod: 300,
  minCorrelation: 0.3,
  alpha: 0.3,
  scaleAlpha: 0.005,
  neighbours: 1,
};

const MEAN_ABSOLUTE_TO_SIGMA = 1.2533141373155003;

/**
 * The period of a series, in points: the lag of the highest local maximum of the sample autocorrelation
 * r(k) = Σ (x_t − x̄)(x_{t+k} − x̄) / Σ (x_t − x̄)², searched from the first lag where r turns negative (so the slow
 * decay of a smooth series is not mistaken for a period) up to `maxPeriod`; 0 when that peak is below
 * `minCorrelation`. O(n · maxPeriod). Reference: Box, Jenkins & Reinsel, "Time Series Analysis", §2.1.
 */
export function estimatePeriod(
  values: readonly number[],
  minPeriod: number,
  maxPeriod: number,
  minCorrelation: number,
): number {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) sumSquares += (values[i] - mean) ** 2;
  if (sumSquares === 0) return 0;
  const lastLag = Math.min(maxPeriod + 1, Math.floor(n / 2));
  const correlation = new Float64Array(lastLag + 1);
  for (let lag = 1; lag <= lastLag; lag++) {
    let sum = 0;
    for (let i = 0; i + lag < n; i++) sum += (values[i] - mean) * (values[i + lag] - mean);
    correlation[lag] = sum / sumSquares;
  }
  let start = 1;
  while (start <= lastLag && correlation[start] >= 0) start++;
  let best = 0;
  let bestCorrelation = minCorrelation;
  for (let lag = Math.max(start, minPeriod); lag < lastLag; lag++) {
    const isPeak = correlation[lag] >= correlation[lag - 1] && correlation[lag] >= correlation[lag + 1];
    if (isPeak && correlation[lag] > bestCorrelation) {
      best = lag;
      bestCorrelation = correlation[lag];
    }
  }
  return best;
}

/**
 * Periodic-pattern detector for series whose cycle is not tied to the clock (a machine's duty cycle, a batch job):
 * it estimates the period from the autocorrelation of the first `learnPoints` points, then keeps an expected value
 * per phase of the cycle over completed cycles and scores a point by its distance to the closest expected value
 * among its phase and `neighbours` either side, over the pooled residual scale. An aperiodic series scores 0
 * throughout. Cost: O(learnPoints · maxPeriod) once, then O(neighbours) per point; memory O(period).
 */
export class Periodic extends UnivariateDetector<PeriodicOptions, PeriodicState> {
  static override readonly className = 'Periodic';
  private state: PeriodicState = {
    count: 0,
    buffer: [],
    period: 0,
    profile: null,
    residualCount: 0,
    meanAbsoluteResidual: 0,
  };

  constructor(options: Partial<PeriodicOptions> = {}) {
    const resolved = resolveOptions(Periodic.className, DEFAULTS, options);
    const name = Periodic.className;
    checkRange(name, 'minPeriod', resolved.minPeriod, 2, 1_000_000, true);
    checkRange(name, 'maxPeriod', resolved.maxPeriod, resolved.minPeriod, 1_000_000, true);
    checkRange(name, 'learnPoints', resolved.learnPoints, 2 * resolved.maxPeriod, 10_000_000, true);
    checkRange(name, 'minCorrelation', resolved.minCorrelation, 0, 1);
    checkRange(name, 'alpha', resolved.alpha, Number.MIN_VALUE, 1);
    checkRange(name, 'scaleAlpha', resolved.scaleAlpha, Number.MIN_VALUE, 1);
    checkRange(name, 'neighbours', resolved.neighbours, 0, Math.floor((resolved.minPeriod - 1) / 2), true);
    super(resolved);
  }

  /** The estimated period in points (0 while learning or for an aperiodic series). */
  get period(): number {
    return this.state.period;
  }

  /** Residual of a value at `phase` of cycle `cycle` (Infinity before a cycle completes or without a period). */
  private residualAt(phase: number, cycle: number, value: number): number {
    const { period, profile } = this.state;
    if (period === 0 || profile === null) return Number.POSITIVE_INFINITY;
    const { neighbours, alpha } = this.options;
    return closestResidual(profile, value, 0, phase, period, neighbours, cycle, alpha);
  }

  /** Folds one point at `phase` of cycle `cycle`, whose residual is given, into the profile and the scale. */
  private absorb(phase: number, cycle: number, value: number, residual: number): void {
    const s = this.state;
    if (residual !== Number.POSITIVE_INFINITY) {
      s.residualCount++;
      s.meanAbsoluteResidual +=
        warmWeight(this.options.scaleAlpha, s.residualCount) * (residual - s.meanAbsoluteResidual);
    }
    if (s.profile) addToProfile(s.profile, phase, cycle, value, this.options.alpha);
  }

  /** Folds the point at position `index` of the series into the profile and the scale. */
  private absorbAt(index: number, value: number): void {
    const phase = index % this.state.period;
    const cycle = (index - phase) / this.state.period;
    this.absorb(phase, cycle, value, this.residualAt(phase, cycle, value));
  }

  private scoreOf(value: number, residual: number): number {
    if (residual === Number.POSITIVE_INFINITY || residual === 0) return 0;
    const scale = Math.max(
      MEAN_ABSOLUTE_TO_SIGMA * this.state.meanAbsoluteResidual,
      1e-9 * Math.max(Math.abs(value), 1),
    );
    return residual / scale;
  }

  protected score(x: StreamPoint): number {
    const s = this.state;
    if (s.period === 0 || s.residualCount === 0) return 0;
    const phase = s.count % s.period;
    return this.scoreOf(x.value, this.residualAt(phase, (s.count - phase) / s.period, x.value));
  }

  protected learn(x: StreamPoint): void {
    const s = this.state;
    if (s.count < this.options.learnPoints) {
      s.buffer.push(x.value);
      s.count++;
      if (s.count === this.options.learnPoints) {
        const { minPeriod, maxPeriod, minCorrelation } = this.options;
        s.period = estimatePeriod(s.buffer, minPeriod, maxPeriod, minCorrelation);
        if (s.period > 0) {
          s.profile = emptyProfile(s.period);
          for (let i = 0; i < s.buffer.length; i++) this.absorbAt(i, s.buffer[i]);
        }
        s.buffer = [];
      }
      return;
    }
    if (s.period > 0) this.absorbAt(s.count, x.value);
    s.count++;
  }

  protected override scoreAndLearn(x: StreamPoint): number {
    const s = this.state;
    if (s.count < this.options.learnPoints || s.period === 0) {
      const result = this.score(x);
      this.learn(x);
      return result;
    }
    const phase = s.count % s.period;
    const cycle = (s.count - phase) / s.period;
    const residual = this.residualAt(phase, cycle, x.value);
    const result = s.residualCount === 0 ? 0 : this.scoreOf(x.value, residual);
    this.absorb(phase, cycle, x.value, residual);
    s.count++;
    return result;
  }

  protected getState(): PeriodicState {
    return structuredClone(this.state);
  }

  protected setState(state: unknown): void {
    const keys = ['count', 'buffer', 'period', 'profile', 'residualCount', 'meanAbsoluteResidual'];
    this.state = structuredClone(expectState(state, Periodic.className, keys)) as unknown as PeriodicState;
  }
}
