import { ValidationError } from '../../core/errors.js';
import { sortedQuantile } from '../../math/quantile.js';

/**
 * Prediction intervals from held-out residuals (split conformal prediction binned by the prediction, in the spirit of
 * Lei et al. 2018, "Distribution-free predictive inference for regression", JASA 113(523)): the held-out predictions
 * are cut into bins of equal count by predicted value, and each bin keeps the (1 − level)/2 and (1 + level)/2
 * quantiles of truth − prediction. An interval is the prediction plus its bin's two offsets, clipped at 0 (a life is
 * never negative). Residuals of remaining useful life widen with the prediction, which the bins follow.
 */

export interface ResidualIntervalState {
  level: number;
  /** Upper prediction edge of each bin but the last (ascending); a prediction ≤ edges[b] falls in bin b. */
  edges: number[];
  lower: number[];
  upper: number[];
  /** Where the residuals came from: 'validation' (held-out units) or 'training' (optimistic). */
  source: 'validation' | 'training';
}

/** Fewest residuals a bin holds. */
const MIN_PER_BIN = 50;
const MAX_BINS = 5;

/** Bins and offsets from `truth` and `prediction`; O(n log n). */
export function fitResidualIntervals(
  truth: ArrayLike<number>,
  prediction: ArrayLike<number>,
  level: number,
  source: ResidualIntervalState['source'],
): ResidualIntervalState {
  if (!(level > 0 && level < 1)) throw new ValidationError(`level must be between 0 and 1, got ${level}`);
  const n = truth.length;
  if (n === 0 || prediction.length !== n) {
    throw new ValidationError(
      `residual intervals need as many predictions as truths (got ${prediction.length} and ${n})`,
    );
  }
  const order = Array.from({ length: n }, (_, index) => index).sort((a, b) => prediction[a] - prediction[b]);
  const bins = Math.max(1, Math.min(MAX_BINS, Math.floor(n / MIN_PER_BIN)));
  const state: ResidualIntervalState = { level, edges: [], lower: [], upper: [], source };
  for (let bin = 0; bin < bins; bin++) {
    const start = Math.floor((bin * n) / bins);
    const end = Math.floor(((bin + 1) * n) / bins);
    const residuals = Float64Array.from(order.slice(start, end), (index) => truth[index] - prediction[index]).sort();
    state.lower.push(sortedQuantile(residuals, (1 - level) / 2));
    state.upper.push(sortedQuantile(residuals, (1 + level) / 2));
    if (bin < bins - 1) state.edges.push(prediction[order[end - 1]]);
  }
  return state;
}

/** The interval of each prediction. O(n × bins). */
export function applyResidualIntervals(
  state: ResidualIntervalState,
  prediction: Float64Array,
): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(prediction.length);
  const upper = new Float64Array(prediction.length);
  for (let i = 0; i < prediction.length; i++) {
    let bin = 0;
    while (bin < state.edges.length && prediction[i] > state.edges[bin]) bin++;
    lower[i] = Math.max(0, prediction[i] + state.lower[bin]);
    upper[i] = Math.max(lower[i], prediction[i] + state.upper[bin]);
  }
  return { lower, upper };
}

/** Checks a state read back from JSON. */
export function readResidualIntervals(raw: unknown, path: string): ResidualIntervalState {
  const state = raw as ResidualIntervalState;
  const numbers = (values: unknown) => Array.isArray(values) && values.every((value) => Number.isFinite(value));
  if (
    state === null ||
    typeof state !== 'object' ||
    !(state.level > 0 && state.level < 1) ||
    !numbers(state.edges) ||
    !numbers(state.lower) ||
    !numbers(state.upper) ||
    state.lower.length !== state.edges.length + 1 ||
    state.upper.length !== state.lower.length ||
    (state.source !== 'validation' && state.source !== 'training')
  ) {
    throw new ValidationError(`${path}: malformed residual intervals`);
  }
  return {
    level: state.level,
    edges: [...state.edges],
    lower: [...state.lower],
    upper: [...state.upper],
    source: state.source,
  };
}
