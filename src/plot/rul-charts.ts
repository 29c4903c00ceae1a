/**
 * Remaining-useful-life charts: the units of a test set sorted by their true RUL with the predicted RUL and its
 * interval (how far off, and whether the interval holds the truth), and one unit's predicted RUL over its life
 * against the true (and capped) RUL.
 */
import { ValidationError } from '../core/errors.js';
import { type LineSeries, lineChart } from './line-chart.js';

/** One unit's prediction at its last cycle, as `RulPipeline.predictUnits` gives it. */
export interface UnitRulPoint {
  unit: number;
  rul: number;
  lower: number;
  upper: number;
  trueRul: number;
}

export interface RulChartOptions {
  /** The training cap: drawn as the capped true RUL. */
  cap: number;
  /** Interval level, for the legend (0.9 → "90% interval"). */
  level: number;
  title?: string;
  subtitle?: string;
}

function intervalName(level: number): string {
  return `${Math.round(level * 100)}% interval`;
}

/** Units ordered by true RUL (x = rank): true RUL, capped true RUL, predicted RUL, interval bounds. O(n log n). */
export function rulUnitsChart(rows: readonly UnitRulPoint[], options: RulChartOptions): string {
  if (rows.length === 0) throw new ValidationError('no units to plot');
  const order = [...rows].sort((a, b) => a.trueRul - b.trueRul || a.unit - b.unit);
  const x = Float64Array.from(order, (_, index) => index + 1);
  const series: LineSeries[] = [
    { name: 'True RUL', x, y: Float64Array.from(order, (row) => row.trueRul) },
    {
      name: `True RUL capped at ${options.cap}`,
      x,
      y: Float64Array.from(order, (row) => Math.min(row.trueRul, options.cap)),
    },
    { name: 'Predicted RUL', x, y: Float64Array.from(order, (row) => row.rul) },
    { name: `Lower (${intervalName(options.level)})`, x, y: Float64Array.from(order, (row) => row.lower) },
    { name: `Upper (${intervalName(options.level)})`, x, y: Float64Array.from(order, (row) => row.upper) },
  ];
  return lineChart(series, {
    title: options.title ?? 'Predicted against true remaining useful life per unit',
    ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    xAxis: { kind: 'linear', label: 'Units, ordered by true RUL' },
    yAxis: { label: 'RUL (cycles)' },
    maxPointsPerSeries: Number.POSITIVE_INFINITY,
  });
}

/** One unit over its life, as `RulPipeline.trajectory` gives it. */
export interface RulTrajectoryData {
  unit: number;
  cycles: ArrayLike<number>;
  rul: ArrayLike<number>;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  trueRul: ArrayLike<number>;
}

/** Predicted RUL at each cycle with its interval, the true RUL and the capped target the model learned. O(cycles). */
export function rulTrajectoryChart(trajectory: RulTrajectoryData, options: RulChartOptions): string {
  if (trajectory.cycles.length === 0) throw new ValidationError(`unit ${trajectory.unit}: no windows to plot`);
  const x = trajectory.cycles;
  return lineChart(
    [
      { name: 'True RUL', x, y: trajectory.trueRul },
      {
        name: `Target (capped at ${options.cap})`,
        x,
        y: Float64Array.from(trajectory.trueRul, (value) => Math.min(value, options.cap)),
      },
      { name: 'Predicted RUL', x, y: trajectory.rul },
      { name: `Lower (${intervalName(options.level)})`, x, y: trajectory.lower },
      { name: `Upper (${intervalName(options.level)})`, x, y: trajectory.upper },
    ],
    {
      title: options.title ?? `Unit ${trajectory.unit}: remaining useful life over its life`,
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
      xAxis: { kind: 'linear', label: 'Cycle' },
      yAxis: { label: 'RUL (cycles)' },
    },
  );
}
