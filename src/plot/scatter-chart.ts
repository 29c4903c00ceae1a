/**
 * Scatter chart with an optional fitted line and a band around it — `upkeep plot fit`: the data, the least-squares
 * line and its prediction interval; or predicted against actual with the y = x line.
 */

import { ValidationError } from '../core/errors.js';
import { clipPathDefinition, drawAxes, drawGrid, layoutCartesian } from './axes.js';
import {
  type AxisOptions,
  applyAxisLimits,
  axisTitle,
  type ChartOptions,
  chartSize,
  checkFinite,
  checkNumber,
  checkSameLength,
  checkValues,
  emptyExtent,
  isFitted,
  marginsFor,
  type Values,
  widenExtent,
} from './data.js';
import { formatCount, formatValue } from './format.js';
import { layoutHeader } from './frame.js';
import type { LegendItem } from './legend.js';
import { element, group, num, polylinePath, svgDocument } from './svg.js';
import { COLORS, seriesColor } from './theme.js';

export interface ScatterData {
  x: Values;
  y: Values;
  /** Legend label of the points; default "Data". */
  label?: string;
}

/** y = intercept + slope · x, drawn across the whole x axis. */
export interface FittedLine {
  intercept: number;
  slope: number;
  /** Legend label; default "Fit: y = <intercept> + <slope>·x". */
  label?: string;
}

/** A shaded band between `lower` and `upper` at each `x` (any order; sorted here). */
export interface Band {
  x: Values;
  lower: Values;
  upper: Values;
  /** Legend label; default "Prediction interval". */
  label?: string;
}

export interface ScatterChartOptions extends ChartOptions {
  xAxis?: AxisOptions;
  yAxis?: AxisOptions;
  fit?: FittedLine;
  band?: Band;
  /** When set, draws the y = x line with this legend label (e.g. "Perfect prediction"). */
  identityLabel?: string;
}

const CLIP_ID = 'scatter-plot-area';
/** Above this many points, points landing on the same pixel are drawn once. */
const DEDUPE_ABOVE = 5000;

function checkBand(band: Band): void {
  checkValues('band.x', band.x);
  checkValues('band.lower', band.lower);
  checkValues('band.upper', band.upper);
  checkSameLength('band.lower', band.lower, 'band.x', band.x);
  checkSameLength('band.upper', band.upper, 'band.x', band.x);
  checkFinite('band.x', band.x);
  checkFinite('band.lower', band.lower);
  checkFinite('band.upper', band.upper);
}

function defaultFitLabel(fit: FittedLine): string {
  const sign = fit.slope < 0 ? '−' : '+';
  return `Fit: y = ${formatValue(fit.intercept, 4)} ${sign} ${formatValue(Math.abs(fit.slope), 4)}·x`;
}

/** Scatter chart; returns a standalone SVG document. Throws ValidationError when no point has finite x and y. */
export function scatterChart(data: ScatterData, options: ScatterChartOptions = {}): string {
  const { width, height } = chartSize(options);
  checkValues('x', data?.x);
  checkValues('y', data.y);
  checkSameLength('y', data.y, 'x', data.x);
  const { fit, band } = options;
  if (fit) {
    checkNumber('fit.intercept', fit.intercept);
    checkNumber('fit.slope', fit.slope);
  }
  if (band) checkBand(band);

  let pointCount = 0;
  let xExtent = emptyExtent();
  let yExtent = emptyExtent();
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i];
    const y = data.y[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    pointCount++;
    if (x < xExtent[0]) xExtent[0] = x;
    if (x > xExtent[1]) xExtent[1] = x;
    if (y < yExtent[0]) yExtent[0] = y;
    if (y > yExtent[1]) yExtent[1] = y;
  }
  if (pointCount === 0) {
    throw new ValidationError(`x, y: no data to plot (${data.x.length} rows, none with a finite x and y)`);
  }
  if (band) {
    widenExtent(xExtent, band.x);
    widenExtent(yExtent, band.lower);
    widenExtent(yExtent, band.upper);
  }
  if (fit) {
    widenExtent(yExtent, [fit.intercept + fit.slope * xExtent[0], fit.intercept + fit.slope * xExtent[1]]);
  }
  xExtent = applyAxisLimits('xAxis', xExtent, options.xAxis);
  yExtent = applyAxisLimits('yAxis', yExtent, options.yAxis);

  const pointColor = seriesColor(0);
  const legend: LegendItem[] = [];
  if (fit || band || options.identityLabel) {
    legend.push({
      label: `${data.label ?? 'Data'} (n = ${formatCount(pointCount)})`,
      swatch: { kind: 'point', color: pointColor },
    });
    if (fit) legend.push({ label: fit.label ?? defaultFitLabel(fit), swatch: { kind: 'line', color: COLORS.fit } });
    if (band) {
      legend.push({
        label: band.label ?? 'Prediction interval',
        swatch: { kind: 'area', color: COLORS.band, opacity: 0.3 },
      });
    }
    if (options.identityLabel) {
      legend.push({ label: options.identityLabel, swatch: { kind: 'line', color: COLORS.reference, dash: '6 4' } });
    }
  }

  const header = layoutHeader(width, options, legend);
  const plot = layoutCartesian({
    width,
    height,
    top: header.bottom,
    x: {
      kind: 'linear',
      extent: xExtent,
      title: axisTitle(options.xAxis, 'x'),
      nice: isFitted(options.xAxis),
      margins: marginsFor(options.xAxis, 0.02),
    },
    y: {
      kind: 'linear',
      extent: yExtent,
      title: axisTitle(options.yAxis, 'y'),
      nice: isFitted(options.yAxis),
      margins: marginsFor(options.yAxis, 0.03),
    },
  });
  const [xLow, xHigh] = plot.x.domain;

  const layers: string[] = [];
  if (band) {
    const order = Array.from({ length: band.x.length }, (_, i) => i).sort((a, b) => band.x[a] - band.x[b]);
    const upper = order.map((i) => `${num(plot.x.map(band.x[i]))} ${num(plot.y.map(band.upper[i]))}`);
    const lower = order.reverse().map((i) => `${num(plot.x.map(band.x[i]))} ${num(plot.y.map(band.lower[i]))}`);
    if (order.length > 1) {
      layers.push(
        element('path', {
          d: `M${[...upper, ...lower].join('L')}Z`,
          fill: COLORS.band,
          'fill-opacity': 0.3,
          stroke: 'none',
        }),
      );
    }
  }

  const radius = pointCount <= 500 ? 3.5 : pointCount <= DEDUPE_ABOVE ? 2.5 : 1.6;
  const opacity = pointCount <= 500 ? 0.75 : pointCount <= DEDUPE_ABOVE ? 0.55 : 0.4;
  const seen = new Set<number>();
  const circles: string[] = [];
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i];
    const y = data.y[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const cx = plot.x.map(x);
    const cy = plot.y.map(y);
    if (pointCount > DEDUPE_ABOVE) {
      const key = Math.round(cx) * 65_536 + Math.round(cy);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    circles.push(`<circle cx="${num(cx)}" cy="${num(cy)}" r="${radius}"/>`);
  }
  layers.push(group({ fill: pointColor, 'fill-opacity': opacity, class: 'points' }, circles));

  if (options.identityLabel) {
    const low = Math.max(xLow, plot.y.domain[0]);
    const high = Math.min(xHigh, plot.y.domain[1]);
    if (high > low) {
      layers.push(
        element('path', {
          d: polylinePath([plot.x.map(low), plot.x.map(high)], [plot.y.map(low), plot.y.map(high)]),
          stroke: COLORS.reference,
          'stroke-width': 1.5,
          'stroke-dasharray': '6 4',
          fill: 'none',
        }),
      );
    }
  }
  if (fit) {
    const xs = [plot.x.map(xLow), plot.x.map(xHigh)];
    const ys = [plot.y.map(fit.intercept + fit.slope * xLow), plot.y.map(fit.intercept + fit.slope * xHigh)];
    layers.push(element('path', { d: polylinePath(xs, ys), stroke: COLORS.fit, 'stroke-width': 2, fill: 'none' }));
  }

  return svgDocument({ width, height, label: options.title ?? 'Scatter chart' }, [
    clipPathDefinition(CLIP_ID, plot.area),
    drawGrid(plot),
    group({ 'clip-path': `url(#${CLIP_ID})` }, layers),
    drawAxes(plot),
    header.markup,
  ]);
}
