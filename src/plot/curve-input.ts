/** Checks and summaries shared by the ROC and precision–recall charts. */

import { describeValue, ValidationError } from '../core/errors.js';
import { checkSameLength, checkValues, type Values } from './data.js';

/** Throws unless `values` are all numbers in [0, 1] (rates, precision, recall). O(n). */
export function checkUnitInterval(name: string, values: Values): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new ValidationError(`${name}[${i}] must be a number from 0 to 1, got ${describeValue(value)}`);
    }
  }
}

/** Checks a curve's two coordinate arrays: array-like, paired, in [0, 1], and at least two points. */
export function checkCurve(prefix: string, xName: string, x: unknown, yName: string, y: unknown): void {
  checkValues(`${prefix}${xName}`, x);
  checkValues(`${prefix}${yName}`, y);
  checkSameLength(`${prefix}${yName}`, y, `${prefix}${xName}`, x);
  if (x.length < 2) {
    throw new ValidationError(`${prefix}${xName}: no curve to plot (needs at least 2 points, got ${x.length})`);
  }
  checkUnitInterval(`${prefix}${xName}`, x);
  checkUnitInterval(`${prefix}${yName}`, y);
}

/** Area under a polyline by the trapezoidal rule, in whichever direction x runs. O(n). */
export function trapezoidArea(x: Values, y: Values): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return Math.abs(area);
}

/**
 * Average precision as the step-wise area Σ |Rₙ − Rₙ₊₁| · P at the higher recall of each pair, which is sklearn's
 * `average_precision_score` on the curve from `precision_recall_curve`. O(n).
 */
export function stepArea(recall: Values, precision: Values): number {
  let area = 0;
  for (let i = 1; i < recall.length; i++) {
    const higher = recall[i] >= recall[i - 1] ? i : i - 1;
    area += Math.abs(recall[i] - recall[i - 1]) * precision[higher];
  }
  return area;
}

/** A summary number for a legend: three decimals. */
export function formatScore(value: number): string {
  return value.toFixed(3);
}
