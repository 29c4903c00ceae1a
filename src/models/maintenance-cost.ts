/**
 * The maintenance-cost view of a trained classifier over a labelled history (`upkeep report cost`,
 * `POST /v1/models/{id}/cost`): out-of-fold scores of the model's recipe on the history, then the cost analysis of
 * `evaluate/cost.ts` on them.
 */
import { describeValue, ValidationError } from '../core/errors.js';
import {
  type CostPoint,
  cheapestPoint,
  type MaintenanceCostReport,
  type MaintenanceCosts,
  maintenanceCostReport,
} from '../evaluate/cost.js';
import type { Frame } from '../io/frame.js';
import { type OutOfFoldOptions, outOfFoldScores } from './out-of-fold.js';
import type { TrainedModel } from './trained-model.js';

/** Most points of the cost curve a report keeps (evenly spread over the thresholds, the cheapest always kept). */
export const DEFAULT_CURVE_POINTS = 200;

export interface ModelCostOptions extends OutOfFoldOptions {
  /** Age or usage column for the fixed-interval baseline (e.g. `Tool wear [min]`). */
  ageColumn?: string;
  /** Most cost-curve points returned (default 200). */
  curvePoints?: number;
}

export interface ModelCostReport extends MaintenanceCostReport {
  target: string;
  /** How the scores were made. */
  scores: { method: 'out-of-fold'; folds: number; groupColumn?: string };
}

/** Every point when there are few; otherwise `limit` evenly spaced ones plus `keep`. O(n). */
export function thinCurve(curve: readonly CostPoint[], limit: number, keep: CostPoint): CostPoint[] {
  if (curve.length <= limit) return [...curve];
  const picked = new Set<CostPoint>();
  for (let i = 0; i < limit; i++) picked.add(curve[Math.round((i * (curve.length - 1)) / (limit - 1))] as CostPoint);
  picked.add(keep);
  return curve.filter((point) => picked.has(point));
}

/** The cost report of `model` on the labelled rows of `frame`. Cost: k model fits (see out-of-fold.ts). */
export function modelCostReport(
  model: TrainedModel,
  frame: Frame,
  costs: MaintenanceCosts,
  options: ModelCostOptions = {},
): ModelCostReport {
  const limit = options.curvePoints ?? DEFAULT_CURVE_POINTS;
  if (!(Number.isInteger(limit) && limit >= 2)) {
    throw new ValidationError(`curvePoints must be a whole number ≥ 2, got ${describeValue(limit)}`);
  }
  if (options.ageColumn !== undefined && !frame.has(options.ageColumn)) {
    throw new ValidationError(
      `age column '${options.ageColumn}' is not in the data (columns: ${frame.names.join(', ')})`,
      [{ path: 'ageColumn', message: 'no such column' }],
    );
  }
  const oof = outOfFoldScores(model, frame, options);
  let age: { column: string; values: Float64Array } | undefined;
  if (options.ageColumn !== undefined) {
    const all = frame.numeric(options.ageColumn);
    age = { column: options.ageColumn, values: Float64Array.from(oof.rows, (row) => all[row] as number) };
  }
  const report = maintenanceCostReport(oof.truth, oof.scores, costs, age ? { age } : {});
  const cheapest = cheapestPoint(report.curve);
  return {
    ...report,
    target: oof.target,
    scores: {
      method: 'out-of-fold',
      folds: oof.folds,
      ...(oof.groupColumn === undefined ? {} : { groupColumn: oof.groupColumn }),
    },
    curve: thinCurve(report.curve, limit, cheapest),
  };
}
