import { ValidationError } from '../../core/errors.js';
import { rootMeanSquaredError } from '../../evaluate/metrics.js';
import type { UnitSeries } from '../../features/windows.js';
import { type JsonObject, readObject } from '../serialisation.js';
import type { RulEstimator, RulFitOptions, RulWindowPredictions } from './estimator.js';
import { holdoutUnits } from './holdout.js';
import {
  applyResidualIntervals,
  fitResidualIntervals,
  type ResidualIntervalState,
  readResidualIntervals,
} from './residual-intervals.js';
import type { SequenceRulEstimator } from './sequence-adapter.js';
import type { WindowGbdtEstimator } from './window-gbdt.js';

/**
 * Window-statistics trees at several window lengths (`window-gbdt.ts`), their predictions averaged, optionally
 * blended with a sequence model: `weight · sequence + (1 − weight) · mean(trees)`. All members end windows at the
 * same rows (the same `minHistory`), so the average is taken window by window.
 * With a sequence member, `fit` holds out a seeded share of the training units it is given (an inner, engine-grouped
 * split): the sequence model trains on the rest and early-stops on them, the trees train on the rest, and the weight
 * is the one of `WEIGHT_GRID` with the lowest RMSE on the inner units' windows; then the trees are refitted on every
 * training unit. The units passed as `validation` are never looked at. Intervals come from residuals of the ensemble's
 * prediction (`residual-intervals.ts`): of the inner units (or the training windows) until `calibrate` is given
 * held-out units.
 */

export interface EnsembleOptions {
  /** Share of the training units held out to early-stop the sequence model and choose the weight (default 0.2). */
  innerFraction?: number;
  /** Seed of the inner split (default 0). */
  seed?: number;
  level?: number;
}

/** Sequence-model weights tried on the inner units. */
export const WEIGHT_GRID: readonly number[] = Array.from({ length: 21 }, (_, index) => index / 20);

/** `other`'s predictions at the windows of `reference` (matched by unit and end row). */
function aligned(
  reference: { units: Float64Array; endRows: Int32Array },
  other: { mean: Float64Array; units: Float64Array; endRows: Int32Array },
): Float64Array {
  const key = (unit: number, row: number) => `${unit}:${row}`;
  const byWindow = new Map<string, number>();
  for (let i = 0; i < other.units.length; i++)
    byWindow.set(key(other.units[i] as number, other.endRows[i] as number), other.mean[i] as number);
  return Float64Array.from(reference.units, (unit, i) => {
    const value = byWindow.get(key(unit, reference.endRows[i] as number));
    if (value === undefined) {
      throw new ValidationError(
        `an ensemble member has no window of unit ${unit} ending at row ${reference.endRows[i]}: give the members the same minHistory`,
      );
    }
    return value;
  });
}

/** The weight of `grid` whose blend of `sequence` and `trees` has the lowest RMSE against `truth` (ties: fewer). */
export function bestWeight(
  truth: ArrayLike<number>,
  trees: ArrayLike<number>,
  sequence: ArrayLike<number>,
  grid: readonly number[] = WEIGHT_GRID,
): { weight: number; rmse: number } {
  let best = { weight: Number.NaN, rmse: Number.POSITIVE_INFINITY };
  const blended = new Float64Array(truth.length);
  for (const weight of grid) {
    for (let i = 0; i < truth.length; i++)
      blended[i] = weight * (sequence[i] as number) + (1 - weight) * (trees[i] as number);
    const score = rootMeanSquaredError(truth, blended);
    if (score < best.rmse) best = { weight, rmse: score };
  }
  return best;
}

function windowTargets(series: readonly UnitSeries[], units: Float64Array, endRows: Int32Array): Float64Array {
  const targetsOf = new Map(series.map((item) => [item.unit, item.targets as Float64Array]));
  return Float64Array.from(units, (unit, i) => (targetsOf.get(unit) as Float64Array)[endRows[i] as number] as number);
}

export class EnsembleRulEstimator implements RulEstimator {
  readonly kind = 'ensemble';
  readonly options: Readonly<EnsembleOptions>;
  /** Weight of the sequence member (0 without one), chosen by `fit`. */
  weight: number | undefined;
  /** RMSE of the trees' average, the sequence member and the blend on the inner units' windows, from `fit`. */
  innerScores: { trees: number; sequence: number; blend: number; windows: number } | undefined;
  private intervals: ResidualIntervalState | undefined;

  constructor(
    readonly trees: readonly WindowGbdtEstimator[],
    readonly sequence: SequenceRulEstimator | undefined,
    options: EnsembleOptions = {},
    state?: { weight: number; intervals: ResidualIntervalState },
  ) {
    if (trees.length === 0) throw new ValidationError('an ensemble needs at least one tree member');
    const minHistory = new Set(trees.map((member) => member.options.minHistory ?? member.options.window.length));
    if (minHistory.size > 1) throw new ValidationError('the tree members must score from the same minHistory');
    this.options = { ...options };
    const fraction = options.innerFraction ?? 0.2;
    if (!(fraction > 0 && fraction < 1)) throw new ValidationError(`innerFraction must be in (0, 1), got ${fraction}`);
    this.weight = state?.weight ?? (sequence === undefined ? 0 : undefined);
    this.intervals = state?.intervals;
  }

  /** Rows the longest member reads: a history this long gives the same last-row prediction as a longer one. */
  get historyRows(): number {
    const lengths = this.trees.map((member) => member.options.window.length);
    if (this.sequence !== undefined) lengths.push(this.sequence.window.length);
    return Math.max(...lengths);
  }

  get level(): number {
    return this.options.level ?? 0.9;
  }

  async fit(series: readonly UnitSeries[], features: readonly string[], options: RulFitOptions = {}): Promise<void> {
    if (this.sequence !== undefined) await this.fitWeight(series, features, options);
    for (const member of this.trees) {
      await member.fit(series, features, options.onEpoch ? { onEpoch: options.onEpoch } : {});
    }
    if (this.intervals === undefined) {
      // Until held-out units calibrate it, the interval comes from the training residuals (too narrow).
      const { mean, units, endRows } = await this.blend(series, features, false);
      this.intervals = fitResidualIntervals(windowTargets(series, units, endRows), mean, this.level, 'training');
    }
  }

  /** Trains the sequence member and the trees on part of `series` and weighs them on the rest. */
  private async fitWeight(series: readonly UnitSeries[], features: readonly string[], options: RulFitOptions) {
    const sequenceMember = this.sequence as SequenceRulEstimator;
    if (series.length < 2) throw new ValidationError('a sequence member needs at least two training units');
    const split = holdoutUnits(series.length, this.options.innerFraction ?? 0.2, this.options.seed ?? 0);
    const fitSeries = split.train.map((index) => series[index] as UnitSeries);
    const innerSeries = split.validation.map((index) => series[index] as UnitSeries);
    await sequenceMember.fit(fitSeries, features, {
      validation: innerSeries,
      ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for (const member of this.trees) await member.fit(fitSeries, features);
    const trees = await this.treeAverage(innerSeries, features, false);
    const sequence = aligned(trees, await sequenceMember.predictMean(innerSeries, features, false));
    const truth = windowTargets(innerSeries, trees.units, trees.endRows);
    const chosen = bestWeight(truth, trees.mean, sequence);
    this.weight = chosen.weight;
    this.innerScores = {
      trees: rootMeanSquaredError(truth, trees.mean),
      sequence: rootMeanSquaredError(truth, sequence),
      blend: chosen.rmse,
      windows: truth.length,
    };
    const blended = Float64Array.from(
      trees.mean,
      (value, i) => chosen.weight * (sequence[i] as number) + (1 - chosen.weight) * value,
    );
    // A refit keeps the interval calibrated on held-out units.
    if (this.intervals === undefined) {
      this.intervals = fitResidualIntervals(truth, blended, this.level, 'validation');
    }
  }

  async calibrate(series: readonly UnitSeries[], features: readonly string[]): Promise<void> {
    const { mean, units, endRows } = await this.blend(series, features, false);
    if (mean.length === 0) return;
    this.intervals = fitResidualIntervals(windowTargets(series, units, endRows), mean, this.level, 'validation');
  }

  async predict(
    series: readonly UnitSeries[],
    features: readonly string[],
    lastOnly: boolean,
  ): Promise<RulWindowPredictions> {
    const { mean, units, endRows } = await this.blend(series, features, lastOnly);
    const { lower, upper } = applyResidualIntervals(this.intervalState(), mean);
    return { mean, lower, upper, level: this.level, units, endRows };
  }

  /**
   * Each member's predictions for every window, aligned: `trees` per tree member, their average, and the sequence
   * member's (NaN without one).
   */
  async components(
    series: readonly UnitSeries[],
    features: readonly string[],
    lastOnly: boolean,
  ): Promise<{
    members: Float64Array[];
    trees: Float64Array;
    sequence: Float64Array;
    units: Float64Array;
    endRows: Int32Array;
  }> {
    const members: Float64Array[] = [];
    let first: RulWindowPredictions | undefined;
    for (const member of this.trees) {
      const predicted = await member.predict(series, features, lastOnly);
      if (first === undefined) first = predicted;
      members.push(first === predicted ? predicted.mean : aligned(first, predicted));
    }
    const reference = first as RulWindowPredictions;
    const trees = Float64Array.from(reference.mean, (_, i) => {
      let sum = 0;
      for (const member of members) sum += member[i] as number;
      return sum / members.length;
    });
    const sequence =
      this.sequence === undefined
        ? new Float64Array(trees.length).fill(Number.NaN)
        : aligned(reference, await this.sequence.predictMean(series, features, lastOnly));
    return { members, trees, sequence, units: reference.units, endRows: reference.endRows };
  }

  private async treeAverage(series: readonly UnitSeries[], features: readonly string[], lastOnly: boolean) {
    const { trees, units, endRows } = await this.components(series, features, lastOnly);
    return { mean: trees, units, endRows };
  }

  private async blend(series: readonly UnitSeries[], features: readonly string[], lastOnly: boolean) {
    const weight = this.fittedWeight();
    const { trees, sequence, units, endRows } = await this.components(series, features, lastOnly);
    const mean = Float64Array.from(trees, (value, i) =>
      Math.max(0, weight === 0 ? value : weight * (sequence[i] as number) + (1 - weight) * value),
    );
    return { mean, units, endRows };
  }

  toJSON(): JsonObject {
    return {
      kind: this.kind,
      options: { ...this.options } as JsonObject,
      weight: this.fittedWeight(),
      intervals: structuredClone(this.intervalState()) as unknown as JsonObject,
      trees: this.trees.map((member) => member.toJSON()),
      sequence: this.sequence === undefined ? null : this.sequence.toJSON(),
    };
  }

  /** Rebuilds an ensemble from `toJSON()` output, given its restored members. */
  static fromJSON(
    raw: unknown,
    trees: readonly WindowGbdtEstimator[],
    sequence: SequenceRulEstimator | undefined,
  ): EnsembleRulEstimator {
    const object = readObject(raw, 'estimator');
    const weight = object.weight;
    if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1) || (sequence === undefined && weight !== 0)) {
      throw new ValidationError('estimator.weight must be a number in [0, 1] (0 without a sequence member)');
    }
    const options = readObject(object.options ?? {}, 'estimator.options') as EnsembleOptions;
    return new EnsembleRulEstimator(trees, sequence, options, {
      weight,
      intervals: readResidualIntervals(object.intervals, 'estimator.intervals'),
    });
  }

  dispose(): void {
    this.sequence?.dispose();
    for (const member of this.trees) member.dispose();
  }

  private fittedWeight(): number {
    if (this.weight === undefined) throw new ValidationError('the ensemble is not fitted');
    return this.weight;
  }

  private intervalState(): ResidualIntervalState {
    if (this.intervals === undefined) throw new ValidationError('the ensemble is not fitted');
    return this.intervals;
  }
}
