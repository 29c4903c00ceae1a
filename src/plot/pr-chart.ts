/**
 * Precision–recall chart: the view that matters when failures are rare. One or more curves drawn as steps (as
 * average precision integrates them), the no-skill baseline at the prevalence, AP in the legend.
 */

import { ValidationError } from '../core/errors.js';
import { checkCurve, checkUnitInterval, formatScore, stepArea } from './curve-input.js';
import { type ChartOptions, checkNumber, type Values } from './data.js';
import { formatPercent } from './format.js';
import { unitSquareChart } from './unit-square.js';

/** Shaped like `PrecisionRecallCurve` from evaluate/metrics, plus a name and the AP if already computed. */
export interface PrCurveData {
  precision: Values;
  recall: Values;
  /** Computed from the curve (step-wise area) when absent. */
  averagePrecision?: number;
  /** Legend name; default "PR curve" (or "Model 1", "Model 2"… for several). */
  name?: string;
}

export interface PrChartOptions extends ChartOptions {
  /**
   * Share of positives, where the no-skill line sits. Default: the first curve's precision at its highest recall,
   * which is the prevalence when the curve comes from every distinct score (sklearn's `precision_recall_curve`).
   */
  prevalence?: number;
  /** A marked point on the first curve, e.g. the alarm threshold in use. */
  operatingPoint?: { recall: number; precision: number; label: string };
}

function precisionAtHighestRecall(curve: PrCurveData): number {
  let best = 0;
  for (let i = 1; i < curve.recall.length; i++) {
    if (curve.recall[i] > curve.recall[best]) best = i;
  }
  return curve.precision[best];
}

/** Precision–recall chart; returns a standalone SVG document. */
export function prChart(curves: PrCurveData | readonly PrCurveData[], options: PrChartOptions = {}): string {
  const list: readonly PrCurveData[] = Array.isArray(curves) ? curves : [curves as PrCurveData];
  if (list.length === 0) throw new ValidationError('curves: no precision–recall curve to plot (got an empty list)');
  const several = list.length > 1;
  const prepared = list.map((curve, i) => {
    const prefix = several ? `curves[${i}].` : '';
    checkCurve(prefix, 'recall', curve?.recall, 'precision', curve?.precision);
    if (curve.averagePrecision !== undefined) {
      checkNumber(`${prefix}averagePrecision`, curve.averagePrecision);
      checkUnitInterval(`${prefix}averagePrecision`, [curve.averagePrecision]);
    }
    const averagePrecision = curve.averagePrecision ?? stepArea(curve.recall, curve.precision);
    const name = curve.name ?? (several ? `Model ${i + 1}` : 'PR curve');
    // Steps hold each precision over the recall interval below it, so draw from high recall to low.
    const ascending = curve.recall[curve.recall.length - 1] > curve.recall[0];
    const x = ascending ? Array.from(curve.recall).reverse() : curve.recall;
    const y = ascending ? Array.from(curve.precision).reverse() : curve.precision;
    return { x, y, name, summary: `(AP = ${formatScore(averagePrecision)})`, steps: true };
  });
  const prevalence = options.prevalence ?? precisionAtHighestRecall(list[0]);
  checkUnitInterval('prevalence', [prevalence]);
  const point = options.operatingPoint;
  if (point) {
    checkUnitInterval('operatingPoint.recall', [point.recall]);
    checkUnitInterval('operatingPoint.precision', [point.precision]);
  }
  return unitSquareChart(
    {
      curves: prepared,
      reference: {
        x: [0, 1],
        y: [prevalence, prevalence],
        label: `No skill (prevalence ${formatPercent(prevalence)}, AP = ${formatScore(prevalence)})`,
      },
      points: point ? [{ x: point.recall, y: point.precision, label: point.label }] : [],
      xTitle: 'Recall (share of failures caught)',
      yTitle: 'Precision (share of alarms that are real)',
      name: 'Precision–recall curve',
    },
    options,
  );
}
