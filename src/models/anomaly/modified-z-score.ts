import { describeValue, ValidationError } from '../../core/errors.js';
import { mean, populationStd } from '../../math/moments.js';
import { medianInPlace } from '../../math/select.js';

export interface BatchModifiedZScoreOptions {
  /** A value is anomalous when its score is strictly above this (Iglewicz & Hoaglin recommend 3.5). */
  threshold: number;
}

/** How a column was scaled: by its MAD, by its standard deviation (MAD = 0), or not at all (constant column). */
export type ScaleMethod = 'mad' | 'std' | 'constant';

/** The scores of one metric column and the statistics behind them. */
export interface ColumnScores {
  /** One score ≥ 0 per value, in input order (higher = more anomalous). */
  scores: Float64Array;
  /** Median (method 'mad') or mean (methods 'std' and 'constant') of the column. */
  center: number;
  /** MAD (method 'mad'), population standard deviation ('std'), or 0 ('constant'). */
  scale: number;
  method: ScaleMethod;
}

/** Caller-owned buffers, so a batch of many columns allocates once. */
export interface ScoreBuffers {
  /** Values read from `values[0, length)`; default `values.length`. */
  length?: number;
  /** Receives the scores; at least `length` long. */
  out?: Float64Array;
  /** Working space, at least `length` long; overwritten. */
  scratch?: Float64Array;
}

const DEFAULTS: BatchModifiedZScoreOptions = { threshold: 3.5 };

/** 0.6745 ≈ Φ⁻¹(0.75) makes the MAD a consistent estimator of σ for normal data. */
const NORMAL_MAD_FACTOR = 0.6745;

/**
 * Batch modified z-scores (Iglewicz & Hoaglin, "How to Detect and Handle Outliers", ASQC 1993): each value of a
 * metric is rated against the whole batch, M = 0.6745·|x − median| / MAD with MAD = median(|x − median|), so a few
 * extreme readings cannot mask each other the way they inflate a mean and standard deviation. When more than half
 * the values are equal the MAD is 0; the score then falls back to |x − mean| / σ (population σ), and to 0 for a
 * constant column — a single spike in flat data is still caught.
 *
 * Cost per column of n values: O(n) on average (two selections by Floyd–Rivest, no sort), O(n) memory. Values
 * must be finite; the caller validates them.
 *
 * @example
 * const detector = new BatchModifiedZScore();
 * detector.scoreColumn(Float64Array.of(10, 11, 9, 10, 14)).scores;
 * // median 10, MAD 1 → Float64Array [0, 0.6745, 0.6745, 0, 2.698]
 */
export class BatchModifiedZScore {
  static readonly className = 'BatchModifiedZScore';
  readonly options: Readonly<BatchModifiedZScoreOptions>;

  constructor(options: Partial<BatchModifiedZScoreOptions> = {}) {
    const threshold = options.threshold ?? DEFAULTS.threshold;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0) {
      throw new ValidationError(
        `${BatchModifiedZScore.className}: option 'threshold' must be a positive number, got ${describeValue(threshold)}`,
      );
    }
    this.options = Object.freeze({ threshold });
  }

  getConfig(): BatchModifiedZScoreOptions {
    return { ...this.options };
  }

  /** True when `score` is above the threshold. */
  isAnomalous(score: number): boolean {
    return score > this.options.threshold;
  }

  /** Scores every value of one metric column against the column itself. */
  scoreColumn(values: Float64Array, buffers: ScoreBuffers = {}): ColumnScores {
    const length = buffers.length ?? values.length;
    if (!Number.isInteger(length) || length < 1 || length > values.length) {
      throw new RangeError(`scoreColumn: length must be an integer in [1, ${values.length}], got ${length}`);
    }
    const scores = buffers.out ?? new Float64Array(length);
    const scratch = buffers.scratch ?? new Float64Array(length);
    if (scores.length < length || scratch.length < length) {
      throw new RangeError(`scoreColumn: 'out' and 'scratch' must hold at least ${length} values`);
    }

    for (let index = 0; index < length; index++) scratch[index] = values[index];
    const center = medianInPlace(scratch, length);
    for (let index = 0; index < length; index++) scratch[index] = Math.abs(values[index] - center);
    const mad = medianInPlace(scratch, length);
    if (mad > 0) {
      for (let index = 0; index < length; index++) {
        scores[index] = (NORMAL_MAD_FACTOR * Math.abs(values[index] - center)) / mad;
      }
      return { scores, center, scale: mad, method: 'mad' };
    }

    const average = mean(values, length);
    const std = populationStd(values, length, average);
    if (std > 0) {
      for (let index = 0; index < length; index++) scores[index] = Math.abs(values[index] - average) / std;
      return { scores, center: average, scale: std, method: 'std' };
    }
    scores.fill(0, 0, length);
    return { scores, center: average, scale: 0, method: 'constant' };
  }
}
