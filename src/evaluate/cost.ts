/**
 * The maintenance-cost view: what an alarm policy costs over a labelled history. Each row is one observation of a
 * machine with its outcome (1 = it failed, 0 = it did not). A policy alarms on some rows; an alarm means a planned
 * intervention:
 *
 * - alarm, failure (true positive): the repair is planned — `repairCost`;
 * - alarm, no failure (false positive): a wasted visit — `falseAlarmCost`;
 * - no alarm, failure (false negative): an unplanned failure — `failureCost`;
 * - no alarm, no failure (true negative): nothing — 0.
 *
 * The model policy alarms when score ≥ threshold and takes the threshold of least total cost. Run-to-failure never
 * alarms (every failure costs `failureCost`). Fixed-interval maintenance services a machine once its age or usage
 * (a column such as tool wear or operating hours) reaches an interval, blind to the sensors; its interval is chosen
 * the same way, so the comparison is against the best schedule the history allows. Without such a column a
 * score-blind schedule services a share q of the rows at random; its expected cost is linear in q, so its best is
 * servicing every row (q = 1) or none (q = 0, run-to-failure).
 */
import { describeValue, ValidationError } from '../core/errors.js';
import { binaryCurveCounts, type Values } from './metrics.js';

export interface MaintenanceCosts {
  /** An unplanned failure: downtime, collateral damage, emergency repair. */
  failureCost: number;
  /** A repair planned ahead of a failure the alarm caught. */
  repairCost: number;
  /** An alarm with no failure behind it: an inspection that finds nothing. */
  falseAlarmCost: number;
}

/** One alarm threshold and what it costs. */
export interface CostPoint {
  /** Alarm when score ≥ threshold; `Infinity` means never alarm. */
  threshold: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  totalCost: number;
}

export interface FixedIntervalBaseline {
  /** `age`: service at age/usage ≥ interval; `blind`: a sensor-blind schedule (service all rows or none). */
  policy: 'age' | 'blind';
  /** The age/usage column (policy `age`). */
  column?: string;
  /** The best interval (policy `age`); `Infinity` when never servicing is cheapest. */
  interval?: number;
  /** Share of the rows serviced. */
  servicedShare: number;
  totalCost: number;
  confusion: Confusion;
}

export interface Confusion {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

export interface MaintenanceCostReport {
  rows: number;
  failures: number;
  costs: MaintenanceCosts;
  /** The model's cost-minimising alarm threshold (`Infinity`: never alarming is cheapest). */
  threshold: number;
  confusion: Confusion;
  totalCost: number;
  costPerRow: number;
  runToFailure: { totalCost: number; costPerRow: number };
  fixedInterval: FixedIntervalBaseline;
  savings: {
    /** Run-to-failure cost minus the model policy's cost. */
    vsRunToFailure: number;
    /** Fixed-interval cost minus the model policy's cost. */
    vsFixedInterval: number;
    /** Savings as shares of the baseline's cost (0 when the baseline costs nothing). */
    vsRunToFailureShare: number;
    vsFixedIntervalShare: number;
  };
  /** The cost at every distinct threshold, highest first, with `Infinity` (never alarm) at the front. */
  curve: CostPoint[];
}

export interface CostReportOptions {
  /** Age or usage per row for the fixed-interval baseline (e.g. tool wear minutes). */
  age?: { column: string; values: Values };
}

/** Throws a `ValidationError` naming the first cost that is not a finite number ≥ 0, or a zero failure cost. */
export function checkMaintenanceCosts(costs: MaintenanceCosts): void {
  for (const field of ['failureCost', 'repairCost', 'falseAlarmCost'] as const) {
    const value = costs[field];
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new ValidationError(`${field} must be a finite number ≥ 0, got ${describeValue(value)}`, [
        { path: field, message: 'not a finite number ≥ 0' },
      ]);
    }
  }
  if (costs.failureCost === 0) {
    throw new ValidationError('failureCost must be above 0: with free failures no maintenance pays', [
      { path: 'failureCost', message: 'must be above 0' },
    ]);
  }
}

function pointCost(confusion: Confusion, costs: MaintenanceCosts): number {
  return (
    confusion.truePositives * costs.repairCost +
    confusion.falsePositives * costs.falseAlarmCost +
    confusion.falseNegatives * costs.failureCost
  );
}

/**
 * The cost of alarming at score ≥ t for every distinct score t (highest first), after t = Infinity (never alarm).
 * `yTrue` holds 0/1. O(n log n).
 */
export function costCurve(yTrue: Values, scores: Values, costs: MaintenanceCosts): CostPoint[] {
  checkMaintenanceCosts(costs);
  const rows = yTrue.length;
  const { truePositives, falsePositives, thresholds } = binaryCurveCounts(yTrue, scores);
  const failures = truePositives.length > 0 ? (truePositives[truePositives.length - 1] as number) : 0;
  const point = (threshold: number, tp: number, fp: number): CostPoint => {
    const confusion = {
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: failures - tp,
      trueNegatives: rows - failures - fp,
    };
    return { threshold, ...confusion, totalCost: pointCost(confusion, costs) };
  };
  const curve = [point(Number.POSITIVE_INFINITY, 0, 0)];
  for (let i = 0; i < thresholds.length; i++) {
    curve.push(point(thresholds[i] as number, truePositives[i] as number, falsePositives[i] as number));
  }
  return curve;
}

/** The point of least total cost; among equal costs the first, i.e. the highest threshold (fewest alarms). O(n). */
export function cheapestPoint(curve: readonly CostPoint[]): CostPoint {
  let best = curve[0];
  if (!best) throw new ValidationError('a cost curve needs at least one point');
  for (const point of curve) if (point.totalCost < best.totalCost) best = point;
  return best;
}

function confusionOf(point: CostPoint): Confusion {
  const { truePositives, falsePositives, falseNegatives, trueNegatives } = point;
  return { truePositives, falsePositives, falseNegatives, trueNegatives };
}

function share(saved: number, baseline: number): number {
  return baseline > 0 ? saved / baseline : 0;
}

function fixedIntervalBaseline(
  yTrue: Values,
  costs: MaintenanceCosts,
  failures: number,
  age: CostReportOptions['age'],
): FixedIntervalBaseline {
  const rows = yTrue.length;
  if (age) {
    if (age.values.length !== rows) {
      throw new ValidationError(`age column '${age.column}' has ${age.values.length} values for ${rows} rows`);
    }
    for (let i = 0; i < rows; i++) {
      if (!Number.isFinite(age.values[i])) {
        throw new ValidationError(
          `row ${i + 1}: age column '${age.column}' must be a finite number, got ${describeValue(age.values[i])}`,
          [{ path: 'ageColumn', message: 'not a finite number' }],
        );
      }
    }
    const best = cheapestPoint(costCurve(yTrue, age.values, costs));
    return {
      policy: 'age',
      column: age.column,
      interval: best.threshold,
      servicedShare: rows > 0 ? (best.truePositives + best.falsePositives) / rows : 0,
      totalCost: best.totalCost,
      confusion: confusionOf(best),
    };
  }
  const none: Confusion = {
    truePositives: 0,
    falsePositives: 0,
    falseNegatives: failures,
    trueNegatives: rows - failures,
  };
  const all: Confusion = {
    truePositives: failures,
    falsePositives: rows - failures,
    falseNegatives: 0,
    trueNegatives: 0,
  };
  const noneCost = pointCost(none, costs);
  const allCost = pointCost(all, costs);
  const serviceAll = allCost < noneCost;
  return {
    policy: 'blind',
    servicedShare: serviceAll && rows > 0 ? 1 : 0,
    totalCost: serviceAll ? allCost : noneCost,
    confusion: serviceAll ? all : none,
  };
}

/**
 * The maintenance-cost view of a model's scores (out of fold: scores of rows the model did not learn from) over a
 * labelled history `yTrue` (0/1): the cost-minimising threshold, its confusion matrix, and the savings against
 * run-to-failure and fixed-interval maintenance. O(n log n).
 *
 * @example
 * maintenanceCostReport([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], { failureCost: 100, repairCost: 20, falseAlarmCost: 10 });
 * // threshold 0.4: alarms on 0.6, 0.4, 0.9 → 2·20 + 1·10 = 50; run-to-failure 200; saves 150
 */
export function maintenanceCostReport(
  yTrue: Values,
  scores: Values,
  costs: MaintenanceCosts,
  options: CostReportOptions = {},
): MaintenanceCostReport {
  const curve = costCurve(yTrue, scores, costs);
  const rows = yTrue.length;
  const failures = (curve[0] as CostPoint).falseNegatives;
  const best = cheapestPoint(curve);
  const runToFailure = (curve[0] as CostPoint).totalCost;
  const fixedInterval = fixedIntervalBaseline(yTrue, costs, failures, options.age);
  const perRow = (total: number) => (rows > 0 ? total / rows : 0);
  return {
    rows,
    failures,
    costs: { ...costs },
    threshold: best.threshold,
    confusion: confusionOf(best),
    totalCost: best.totalCost,
    costPerRow: perRow(best.totalCost),
    runToFailure: { totalCost: runToFailure, costPerRow: perRow(runToFailure) },
    fixedInterval,
    savings: {
      vsRunToFailure: runToFailure - best.totalCost,
      vsFixedInterval: fixedInterval.totalCost - best.totalCost,
      vsRunToFailureShare: share(runToFailure - best.totalCost, runToFailure),
      vsFixedIntervalShare: share(fixedInterval.totalCost - best.totalCost, fixedInterval.totalCost),
    },
    curve,
  };
}
