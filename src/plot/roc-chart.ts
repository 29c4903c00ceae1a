/** ROC chart: true positive rate against false positive rate for one or more models, with AUC in the legend. */

import { ValidationError } from '../core/errors.js';
import { checkCurve, checkUnitInterval, formatScore, trapezoidArea } from './curve-input.js';
import { type ChartOptions, checkNumber, type Values } from './data.js';
import { unitSquareChart } from './unit-square.js';

/** Shaped like `RocCurve` from evaluate/metrics, plus a name and the AUC if already computed. */
export interface RocCurveData {
  falsePositiveRate: Values;
  truePositiveRate: Values;
  /** Computed from the curve by the trapezoidal rule when absent. */
  auc?: number;
  /** Legend name; default "ROC curve" (or "Model 1", "Model 2"… for several). */
  name?: string;
}

export interface RocChartOptions extends ChartOptions {
  /** A marked point on the first curve, e.g. the alarm threshold in use. */
  operatingPoint?: { falsePositiveRate: number; truePositiveRate: number; label: string };
}

/** ROC chart with the chance diagonal; returns a standalone SVG document. */
export function rocChart(curves: RocCurveData | readonly RocCurveData[], options: RocChartOptions = {}): string {
  const list: readonly RocCurveData[] = Array.isArray(curves) ? curves : [curves as RocCurveData];
  if (list.length === 0) throw new ValidationError('curves: no ROC curve to plot (got an empty list)');
  const several = list.length > 1;
  const prepared = list.map((curve, i) => {
    const prefix = several ? `curves[${i}].` : '';
    checkCurve(prefix, 'falsePositiveRate', curve?.falsePositiveRate, 'truePositiveRate', curve?.truePositiveRate);
    if (curve.auc !== undefined) {
      checkNumber(`${prefix}auc`, curve.auc);
      checkUnitInterval(`${prefix}auc`, [curve.auc]);
    }
    const auc = curve.auc ?? trapezoidArea(curve.falsePositiveRate, curve.truePositiveRate);
    const name = curve.name ?? (several ? `Model ${i + 1}` : 'ROC curve');
    return {
      x: curve.falsePositiveRate,
      y: curve.truePositiveRate,
      name,
      summary: `(AUC = ${formatScore(auc)})`,
      steps: false,
    };
  });
  const point = options.operatingPoint;
  if (point) {
    checkUnitInterval('operatingPoint.falsePositiveRate', [point.falsePositiveRate]);
    checkUnitInterval('operatingPoint.truePositiveRate', [point.truePositiveRate]);
  }
  return unitSquareChart(
    {
      curves: prepared,
      reference: { x: [0, 1], y: [0, 1], label: 'Chance (AUC = 0.500)' },
      points: point ? [{ x: point.falsePositiveRate, y: point.truePositiveRate, label: point.label }] : [],
      xTitle: 'False positive rate (false alarms)',
      yTitle: 'True positive rate (recall)',
      name: 'ROC curve',
    },
    options,
  );
}
