import { checkRange, expectState, resolveOptions, type StreamPoint, UnivariateDetector } from './base.js';
import { type EwmaState, ewmaStep } from './ewma.js';

export interface PageHinkleyOptions {
  /** Magnitude of change tolerated, in baseline standard deviations. */
  delta: number;
  /** Detection level, in baseline standard deviations: past it the test restarts. */
  lambda: number;
  /** Weight of the newest point in the baseline variance that sets the scale. */
  alpha: number;
  /** Points needed before scoring; earlier points score 0. */
  minCount: number;
}

interface PageHinkleyState {
  baseline: EwmaState;
  sinceReset: number;
  meanSinceReset: number;
  cumulativeUp: number;
  minimumUp: number;
  cumulativeDown: number;
  minimumDown: number;
}

const DEFAULTS: PageHinkleyOptions = { delta: 0.25, lambda: 25, alpha: 0.005, minCount: 30 };

/**
 * Two-sided Page–Hinkley test (Page 1954; Gama et al. 2014, "A survey on concept drift adaptation", §3.2), as in
 * River's `drift.PageHinkley`: with x̄ the mean since the last restart and s the baseline standard deviation,
 * m⁺ ← m⁺ + (x − x̄ − δs), PH⁺ = m⁺ − min m⁺, and mirrored for decreases. The score is max(PH⁺, PH⁻)/s; when it
 * passes λ the test restarts from the next point. O(1) per step.
 */
export class PageHinkley extends UnivariateDetector<PageHinkleyOptions, PageHinkleyState> {
  static override readonly className = 'PageHinkley';
  private state: PageHinkleyState = PageHinkley.freshState({ count: 0, mean: 0, variance: 0 });

  constructor(options: Partial<PageHinkleyOptions> = {}) {
    const resolved = resolveOptions(PageHinkley.className, DEFAULTS, options);
    checkRange(PageHinkley.className, 'delta', resolved.delta, 0, Number.MAX_VALUE);
    checkRange(PageHinkley.className, 'lambda', resolved.lambda, Number.MIN_VALUE, Number.MAX_VALUE);
    checkRange(PageHinkley.className, 'alpha', resolved.alpha, Number.MIN_VALUE, 1);
    checkRange(PageHinkley.className, 'minCount', resolved.minCount, 1, Number.MAX_SAFE_INTEGER, true);
    super(resolved);
  }

  private static freshState(baseline: EwmaState): PageHinkleyState {
    return {
      baseline,
      sinceReset: 0,
      meanSinceReset: 0,
      cumulativeUp: 0,
      minimumUp: 0,
      cumulativeDown: 0,
      minimumDown: 0,
    };
  }

  /** The test statistic after x, and the state it would leave. */
  private step(value: number): { statistic: number; next: PageHinkleyState } {
    const s = this.state;
    const scale = Math.max(Math.sqrt(s.baseline.variance), 1e-9 * Math.max(Math.abs(s.baseline.mean), 1));
    const sinceReset = s.sinceReset + 1;
    const meanSinceReset = s.meanSinceReset + (value - s.meanSinceReset) / sinceReset;
    const tolerance = this.options.delta * scale;
    const cumulativeUp = s.cumulativeUp + (value - meanSinceReset - tolerance);
    const cumulativeDown = s.cumulativeDown + (meanSinceReset - value - tolerance);
    const minimumUp = Math.min(s.minimumUp, cumulativeUp);
    const minimumDown = Math.min(s.minimumDown, cumulativeDown);
    const statistic = Math.max(cumulativeUp - minimumUp, cumulativeDown - minimumDown) / scale;
    return {
      statistic,
      next: { baseline: s.baseline, sinceReset, meanSinceReset, cumulativeUp, minimumUp, cumulativeDown, minimumDown },
    };
  }

  protected score(x: StreamPoint): number {
    if (this.state.baseline.count < this.options.minCount) return 0;
    return this.step(x.value).statistic;
  }

  protected learn(x: StreamPoint): void {
    if (this.state.baseline.count >= this.options.minCount) {
      const { statistic, next } = this.step(x.value);
      this.state = statistic > this.options.lambda ? PageHinkley.freshState(this.state.baseline) : next;
    }
    ewmaStep(this.state.baseline, x.value, this.options.alpha);
  }

  protected getState(): PageHinkleyState {
    return { ...this.state, baseline: { ...this.state.baseline } };
  }

  protected setState(state: unknown): void {
    const keys = [
      'baseline',
      'sinceReset',
      'meanSinceReset',
      'cumulativeUp',
      'minimumUp',
      'cumulativeDown',
      'minimumDown',
    ];
    const record = expectState(state, PageHinkley.className, keys);
    const baseline = expectState(record.baseline, PageHinkley.className, ['count', 'mean', 'variance']);
    this.state = {
      baseline: { count: Number(baseline.count), mean: Number(baseline.mean), variance: Number(baseline.variance) },
      sinceReset: Number(record.sinceReset),
      meanSinceReset: Number(record.meanSinceReset),
      cumulativeUp: Number(record.cumulativeUp),
      minimumUp: Number(record.minimumUp),
      cumulativeDown: Number(record.cumulativeDown),
      minimumDown: Number(record.minimumDown),
    };
  }
}
