import { ValidationError } from '../../core/errors.js';
import { phm08Score, rootMeanSquaredError } from '../../evaluate/metrics.js';
import type { UnitRul } from './pipeline.js';

/** What `upkeep evaluate --format cmapss` reports (snake_case as printed with --json). */
export interface RulScores {
  n_units: number;
  /** Against the true RUL capped like the training targets. */
  rmse: number;
  /** Against the true RUL. */
  rmse_uncapped: number;
  /** PHM08 challenge score against the true RUL (late predictions cost more); lower is better. */
  phm08_score: number;
  mae: number;
  /** Share of units whose true (capped) RUL lies inside the predicted interval. */
  coverage: number;
}

/** Scores per-unit predictions against each unit's true RUL (`trueRul`). O(units). */
export function scoreUnits(rows: readonly UnitRul[], cap: number): RulScores {
  if (rows.length === 0) throw new ValidationError('no units to score');
  const predicted = Float64Array.from(rows, (row) => row.rul);
  const truth = Float64Array.from(rows, (row) => row.trueRul);
  const capped = Float64Array.from(truth, (value) => Math.min(value, cap));
  let absolute = 0;
  let covered = 0;
  for (let i = 0; i < rows.length; i++) {
    absolute += Math.abs(predicted[i] - capped[i]);
    const row = rows[i] as UnitRul;
    if (capped[i] >= row.lower && capped[i] <= row.upper) covered++;
  }
  return {
    n_units: rows.length,
    rmse: rootMeanSquaredError(capped, predicted),
    rmse_uncapped: rootMeanSquaredError(truth, predicted),
    phm08_score: phm08Score(truth, predicted),
    mae: absolute / rows.length,
    coverage: covered / rows.length,
  };
}
