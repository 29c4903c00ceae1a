import { checkRange, expectState, resolveOptions, type StreamPoint, UnivariateDetector } from './base.js';
import { warmWeight } from './ewma.js';

export interface HoltResidualOptions {
  /** Level smoothing (0, 1]. */
  alpha: number;
  /** Trend smoothing [0, 1]. */
  beta: number;
  /** Weight of the newest residual in the residual scale. */
  scaleAlpha: number;
  /** Points needed before scoring; earlier points score 0. */
  minCount: number;
}

interface HoltResidualState {
  count: number;
  level: number;
  trend: number;
  /** Exponentially weighted mean absolute one-step residual. */
  meanAbsoluteResidual: number;
}

const DEFAULTS: HoltResidualOptions = { alpha: 0.5, beta: 0.02, scaleAlpha: 0.01, minCount: 20 };

/** √(π/2): mean absolute deviation × this ≈ standard deviation for normal residuals. */
const MEAN_ABSOLUTE_TO_SIGMA = 1.2533141373155003;

/**
 * Forecasting-residual detector: Holt's linear exponential smoothing (Holt 1957; Hyndman & Athanasopoulos,
 * "Forecasting: Principles and Practice", §8.2) forecasts each point from the previous ones, ŷ = level + trend, and
 * the score is the one-step residual in units of its running scale: |x − ŷ| / (1.2533·EW mean |residual|).
 * The model adapts to slow trends, so it flags sudden changes of level or slope rather than a drifting mean. O(1).
 */
export class HoltResidual extends UnivariateDetector<HoltResidualOptions, HoltResidualState> {
  static override readonly className = 'HoltResidual';
  private state: HoltResidualState = { count: 0, level: 0, trend: 0, meanAbsoluteResidual: 0 };

  constructor(options: Partial<HoltResidualOptions> = {}) {
    const resolved = resolveOptions(HoltResidual.className, DEFAULTS, options);
    checkRange(HoltResidual.className, 'alpha', resolved.alpha, Number.MIN_VALUE, 1);
    checkRange(HoltResidual.className, 'beta', resolved.beta, 0, 1);
    checkRange(HoltResidual.className, 'scaleAlpha', resolved.scaleAlpha, Number.MIN_VALUE, 1);
    checkRange(HoltResidual.className, 'minCount', resolved.minCount, 2, Number.MAX_SAFE_INTEGER, true);
    super(resolved);
  }

  /** The one-step forecast of the next point. */
  forecast(): number {
    return this.state.level + this.state.trend;
  }

  protected score(x: StreamPoint): number {
    if (this.state.count < this.options.minCount) return 0;
    const residual = Math.abs(x.value - this.forecast());
    if (residual === 0) return 0;
    const scale = Math.max(
      MEAN_ABSOLUTE_TO_SIGMA * this.state.meanAbsoluteResidual,
      1e-9 * Math.max(Math.abs(this.state.level), 1),
    );
    return residual / scale;
  }

  protected learn(x: StreamPoint): void {
    const s = this.state;
    const { alpha, beta, scaleAlpha } = this.options;
    if (s.count === 0) {
      s.level = x.value;
    } else {
      const forecast = s.level + s.trend;
      const residual = Math.abs(x.value - forecast);
      s.meanAbsoluteResidual += warmWeight(scaleAlpha, s.count) * (residual - s.meanAbsoluteResidual);
      const previousLevel = s.level;
      s.level = alpha * x.value + (1 - alpha) * forecast;
      s.trend = beta * (s.level - previousLevel) + (1 - beta) * s.trend;
    }
    s.count++;
  }

  protected getState(): HoltResidualState {
    return { ...this.state };
  }

  protected setState(state: unknown): void {
    const record = expectState(state, HoltResidual.className, ['count', 'level', 'trend', 'meanAbsoluteResidual']);
    this.state = {
      count: Number(record.count),
      level: Number(record.level),
      trend: Number(record.trend),
      meanAbsoluteResidual: Number(record.meanAbsoluteResidual),
    };
  }
}
