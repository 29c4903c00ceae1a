import { describeValue, ValidationError } from '../../core/errors.js';
import { studentTQuantile } from '../../math/student-t.js';

/** Options of `estimateTimeToThreshold`. */
export interface DegradationOptions {
  /** The failure threshold on the health indicator. */
  threshold: number;
  /** Failure is the indicator rising 'above' (wear, vibration; default) or falling 'below' (capacity, efficiency) it. */
  failureWhen: 'above' | 'below';
  /** 'linear' (default) fits h = a + b·t; 'exponential' fits log h = a + b·t (h and the threshold must be > 0). */
  trend: 'linear' | 'exponential';
  /** Only use observations with time ≥ latest time − window (same units as the times); null (default) uses all. */
  window: number | null;
  /** Interval coverage, in (0, 1); default 0.95. */
  level: number;
  /**
   * 'prediction' (default): when a new observation of the indicator will reach the threshold (includes the noise of
   * single readings); 'confidence': when the fitted trend itself reaches it.
   */
  interval: 'prediction' | 'confidence';
  /** The time from which the remaining time is counted; default the latest observation time. */
  now: number | null;
}

/** The answer of `estimateTimeToThreshold`. Times are in the units of the input times (e.g. hours or epoch ms). */
export interface TimeToThreshold {
  /**
   * 'approaching': the trend reaches the threshold at `crossingTime`; 'crossed': the trend is already at or past it
   * (time to threshold 0); 'not-approaching': the trend is flat or moving away (time to threshold +Infinity).
   */
  status: 'approaching' | 'crossed' | 'not-approaching';
  /** When the fitted trend reaches the threshold (null unless approaching). */
  crossingTime: number | null;
  /** crossingTime − now; 0 when crossed; +Infinity when not approaching. */
  timeToThreshold: number;
  /** Interval on the time to threshold at `level` (lower ≥ 0; upper may be +Infinity when the slope is not significant). */
  lower: number;
  upper: number;
  /** Fitted trend h(t) = intercept + slope · t (on log h for the exponential trend). */
  slope: number;
  intercept: number;
  residualStandardError: number;
  samples: number;
  level: number;
}

const defaults: DegradationOptions = {
  threshold: Number.NaN,
  failureWhen: 'above',
  trend: 'linear',
  window: null,
  level: 0.95,
  interval: 'prediction',
  now: null,
};

function checkOptions(options: DegradationOptions): void {
  if (!Number.isFinite(options.threshold)) {
    throw new ValidationError(`threshold must be a finite number, got ${describeValue(options.threshold)}`);
  }
  if (options.failureWhen !== 'above' && options.failureWhen !== 'below') {
    throw new ValidationError(`failureWhen must be 'above' or 'below', got ${describeValue(options.failureWhen)}`);
  }
  if (options.trend !== 'linear' && options.trend !== 'exponential') {
    throw new ValidationError(`trend must be 'linear' or 'exponential', got ${describeValue(options.trend)}`);
  }
  if (options.window !== null && !(Number.isFinite(options.window) && options.window > 0)) {
    throw new ValidationError(`window must be null or a number > 0, got ${describeValue(options.window)}`);
  }
  if (!(options.level > 0 && options.level < 1)) {
    throw new ValidationError(`level must be in (0, 1), got ${describeValue(options.level)}`);
  }
  if (options.interval !== 'prediction' && options.interval !== 'confidence') {
    throw new ValidationError(`interval must be 'prediction' or 'confidence', got ${describeValue(options.interval)}`);
  }
  if (options.now !== null && !Number.isFinite(options.now)) {
    throw new ValidationError(`now must be null or a finite number, got ${describeValue(options.now)}`);
  }
  if (options.trend === 'exponential' && !(options.threshold > 0)) {
    throw new ValidationError(
      `threshold must be > 0 for an exponential trend, got ${describeValue(options.threshold)}`,
    );
  }
}

/**
 * Remaining time until a degrading health indicator reaches a failure threshold, with an interval.
 *
 * Fits h(t) = a + b·t by least squares (on log h for `trend: 'exponential'`, optionally only over a recent `window`),
 * extrapolates to the threshold, and inverts the regression's interval (Fieller / calibration interval): the times u
 * at which the threshold lies inside the level-`level` band ŷ(u) ± t_{n−2} · s · √(κ + 1/n + (u − t̄)² / Sxx), with κ = 1
 * for a prediction interval and 0 for a confidence interval. Solving that quadratic in u gives the bounds; when the
 * slope is not significantly different from 0 the interval is unbounded above. O(n).
 * Reference: Draper & Smith, Applied Regression Analysis (3rd ed.), section 3.2 ("inverse prediction");
 * Montgomery, Peck & Vining, Introduction to Linear Regression Analysis, section 2.4.
 *
 * @example
 * // wear rising 0.5 per hour from 10, failure at 60: crosses at t = 100
 * estimateTimeToThreshold([0, 10, 20, 30], [10, 15, 20, 25], { threshold: 60 });
 * // → { status: 'approaching', crossingTime: 100, timeToThreshold: 70, lower: 70, upper: 70, ... } (noise-free)
 */
export function estimateTimeToThreshold(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  options: Partial<DegradationOptions> & { threshold: number },
): TimeToThreshold {
  const settings: DegradationOptions = { ...defaults, ...options };
  checkOptions(settings);
  if (times.length !== values.length) {
    throw new ValidationError(`times has ${times.length} values but values has ${values.length}`);
  }
  let latest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(times[i]))
      throw new ValidationError(`times[${i}] must be a finite number, got ${describeValue(times[i])}`);
    if (!Number.isFinite(values[i])) {
      throw new ValidationError(`values[${i}] must be a finite number, got ${describeValue(values[i])}`);
    }
    if (settings.trend === 'exponential' && !(values[i] > 0)) {
      throw new ValidationError(`values[${i}] must be > 0 for an exponential trend, got ${describeValue(values[i])}`);
    }
    latest = Math.max(latest, times[i]);
  }
  const start = settings.window === null ? Number.NEGATIVE_INFINITY : latest - settings.window;
  const transform = settings.trend === 'exponential' ? Math.log : (value: number) => value;

  // Two-pass centred sums: numerically safe even for epoch-millisecond times.
  let samples = 0;
  let timeSum = 0;
  let valueSum = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < start) continue;
    samples++;
    timeSum += times[i];
    valueSum += transform(values[i]);
  }
  if (samples < 3) {
    throw new ValidationError(`a degradation trend needs at least 3 observations in the window, got ${samples}`);
  }
  const timeMean = timeSum / samples;
  const valueMean = valueSum / samples;
  let timeSquares = 0;
  let crossProducts = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < start) continue;
    const centredTime = times[i] - timeMean;
    timeSquares += centredTime * centredTime;
    crossProducts += centredTime * (transform(values[i]) - valueMean);
  }
  if (!(timeSquares > 0)) throw new ValidationError('times must not all be equal: the trend needs a time span');
  const slope = crossProducts / timeSquares;
  let residualSquares = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < start) continue;
    const residual = transform(values[i]) - valueMean - slope * (times[i] - timeMean);
    residualSquares += residual * residual;
  }
  const degreesOfFreedom = samples - 2;
  const residualStandardError = Math.sqrt(residualSquares / degreesOfFreedom);
  const now = settings.now ?? latest;
  const threshold = transform(settings.threshold);
  const sign = settings.failureWhen === 'above' ? 1 : -1;
  const fitted = {
    slope,
    intercept: valueMean - slope * timeMean,
    residualStandardError,
    samples,
    level: settings.level,
  };

  if (sign * (valueMean + slope * (now - timeMean) - threshold) >= 0) {
    return { status: 'crossed', crossingTime: null, timeToThreshold: 0, lower: 0, upper: 0, ...fitted };
  }
  if (!(sign * slope > 0)) {
    const infinity = Number.POSITIVE_INFINITY;
    return {
      status: 'not-approaching',
      crossingTime: null,
      timeToThreshold: infinity,
      lower: 0,
      upper: infinity,
      ...fitted,
    };
  }

  // In centred time u = t − t̄, with D = threshold − ȳ: (D − b·u)² ≤ q² s² (κ + 1/n + u²/Sxx).
  const distance = threshold - valueMean;
  const crossing = distance / slope;
  const quantile = studentTQuantile(0.5 + settings.level / 2, degreesOfFreedom);
  const band = (quantile * quantile * residualSquares) / degreesOfFreedom;
  const kappa = settings.interval === 'prediction' ? 1 : 0;
  const a = slope * slope - band / timeSquares;
  const b = -2 * distance * slope;
  const c = distance * distance - band * (kappa + 1 / samples);
  const discriminant = Math.max(0, b * b - 4 * a * c);
  let lowerU: number;
  let upperU: number;
  if (a > 0) {
    const root = Math.sqrt(discriminant);
    // Numerically stable roots of a·u² + b·u + c.
    const q = -0.5 * (b + Math.sign(b || 1) * root);
    const first = q / a;
    const second = q !== 0 ? c / q : first;
    lowerU = Math.min(first, second);
    upperU = Math.max(first, second);
  } else {
    // Slope not significant at this level: the set containing the crossing is unbounded in the direction of travel.
    const roots =
      a !== 0 && discriminant > 0
        ? [(-b - Math.sqrt(discriminant)) / (2 * a), (-b + Math.sqrt(discriminant)) / (2 * a)]
        : [];
    const below = roots.filter((root) => root <= crossing);
    lowerU = below.length > 0 ? Math.max(...below) : Number.NEGATIVE_INFINITY;
    upperU = Number.POSITIVE_INFINITY;
  }
  const crossingTime = timeMean + crossing;
  return {
    status: 'approaching',
    crossingTime,
    timeToThreshold: crossingTime - now,
    lower: Math.max(0, timeMean + lowerU - now),
    upper: Math.max(0, timeMean + upperU - now),
    ...fitted,
  };
}
