/**
 * Time-series line chart: several sensor series over time (or cycles), with anomaly markers, shaded alert periods and
 * horizontal reference lines (alarm limits). Series longer than `maxPointsPerSeries` are reduced per pixel column to
 * their first/min/max/last points, so a million readings render in milliseconds without losing a spike.
 */

import { describeValue, ValidationError } from '../core/errors.js';
import { clipPathDefinition, drawAxes, drawGrid, layoutCartesian } from './axes.js';
import {
  type AxisOptions,
  applyAxisLimits,
  axisTitle,
  type ChartOptions,
  chartSize,
  checkNumber,
  checkSameLength,
  checkValues,
  emptyExtent,
  hasExtent,
  isFitted,
  marginsFor,
  type Values,
  widenExtent,
} from './data.js';
import { downsampleMinMax } from './downsample.js';
import { formatDateTime } from './format.js';
import { layoutHeader } from './frame.js';
import type { LegendItem } from './legend.js';
import { element, group, haloText, num, polylinePath, svgDocument } from './svg.js';
import { fitText } from './text.js';
import { COLORS, FONT_SIZE, seriesColor } from './theme.js';

export interface LineSeries {
  name: string;
  /** Ascending. Epoch milliseconds for a time axis, or any number (cycles, hours in service) for a linear one. */
  x: Values;
  /** Non-finite values (NaN for a missing reading) leave a gap in the line. */
  y: Values;
}

/** Points to highlight, e.g. readings flagged as anomalous. */
export interface PointMarkers {
  x: Values;
  y: Values;
  /** Legend label; default "Anomaly". */
  label?: string;
}

/** A shaded span of the x axis, e.g. an alert from opening to resolution. */
export interface Interval {
  from: number;
  to: number;
}

/** A horizontal line at a fixed value, e.g. an alarm limit, labelled at its right end. */
export interface ReferenceLine {
  value: number;
  label: string;
}

export interface LineChartOptions extends ChartOptions {
  /**
   * `'time'` reads x as epoch milliseconds shown in UTC; `'linear'` as plain numbers. Default: time when every x
   * lies in 1990–2200 as epoch milliseconds, linear otherwise (cycles, operating hours).
   */
  xAxis?: AxisOptions & { kind?: 'time' | 'linear' };
  yAxis?: AxisOptions;
  markers?: PointMarkers;
  intervals?: readonly Interval[];
  /** Legend label of the shaded intervals; default "Alert period". */
  intervalLabel?: string;
  referenceLines?: readonly ReferenceLine[];
  /** Series longer than this are reduced per pixel column (default 5,000; Infinity draws every point). */
  maxPointsPerSeries?: number;
}

const CLIP_ID = 'line-plot-area';
const DEFAULT_MAX_POINTS = 5000;
/** 1990-01-01 and 2200-01-01 UTC in epoch milliseconds: x values between them are taken to be times. */
const EPOCH_MS_1990 = 631_152_000_000;
const EPOCH_MS_2200 = 7_258_118_400_000;

function checkSeries(series: readonly LineSeries[]): void {
  if (!Array.isArray(series) || series.length === 0) {
    throw new ValidationError('series must be a non-empty array of {name, x, y}, got none');
  }
  series.forEach((item, i) => {
    if (typeof item?.name !== 'string') throw new ValidationError(`series[${i}].name must be a string`);
    checkValues(`series[${i}].x`, item.x);
    checkValues(`series[${i}].y`, item.y);
    checkSameLength(`series[${i}].y`, item.y, `series[${i}].x`, item.x);
  });
}

function finitePointCount(item: LineSeries): number {
  let count = 0;
  for (let i = 0; i < item.x.length; i++) if (Number.isFinite(item.x[i]) && Number.isFinite(item.y[i])) count++;
  return count;
}

/** Line chart of one or more series; returns a standalone SVG document. Throws ValidationError when nothing is plottable. */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions = {}): string {
  const { width, height } = chartSize(options);
  checkSeries(series);
  const counts = series.map(finitePointCount);
  if (counts.every((count) => count === 0)) {
    const names = series.map((item) => `'${item.name}'`).join(', ');
    throw new ValidationError(`series ${names}: no data to plot (no point with a finite x and y)`);
  }
  const markers = options.markers;
  if (markers) {
    checkValues('markers.x', markers.x);
    checkValues('markers.y', markers.y);
    checkSameLength('markers.y', markers.y, 'markers.x', markers.x);
  }
  const intervals = options.intervals ?? [];
  intervals.forEach((interval, i) => {
    checkNumber(`intervals[${i}].from`, interval.from);
    checkNumber(`intervals[${i}].to`, interval.to);
    if (interval.to < interval.from) {
      throw new ValidationError(`intervals[${i}]: to (${interval.to}) is before from (${interval.from})`);
    }
  });
  const referenceLines = options.referenceLines ?? [];
  referenceLines.forEach((line, i) => {
    checkNumber(`referenceLines[${i}].value`, line.value);
  });
  const maxPoints = options.maxPointsPerSeries ?? DEFAULT_MAX_POINTS;
  if (typeof maxPoints !== 'number' || !(maxPoints >= 1)) {
    throw new ValidationError(
      `maxPointsPerSeries must be at least 1 (Infinity to draw every point), got ${describeValue(maxPoints)}`,
    );
  }

  const kindOption = options.xAxis?.kind;
  if (kindOption !== undefined && kindOption !== 'time' && kindOption !== 'linear') {
    throw new ValidationError(`xAxis.kind must be 'time' or 'linear', got ${describeValue(kindOption)}`);
  }
  let xExtent = emptyExtent();
  let yExtent = emptyExtent();
  series.forEach((item) => {
    for (let i = 0; i < item.x.length; i++) {
      const x = item.x[i];
      const y = item.y[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < xExtent[0]) xExtent[0] = x;
      if (x > xExtent[1]) xExtent[1] = x;
      if (y < yExtent[0]) yExtent[0] = y;
      if (y > yExtent[1]) yExtent[1] = y;
    }
  });
  if (markers) widenExtent(yExtent, markers.y);
  widenExtent(
    yExtent,
    referenceLines.map((line) => line.value),
  );
  const xKind =
    kindOption ??
    (xExtent[0] >= EPOCH_MS_1990 && xExtent[1] <= EPOCH_MS_2200 ? ('time' as const) : ('linear' as const));
  xExtent = applyAxisLimits('xAxis', xExtent, options.xAxis);
  yExtent = applyAxisLimits('yAxis', hasExtent(yExtent) ? yExtent : [0, 1], options.yAxis);

  let xTitle = axisTitle(options.xAxis, xKind === 'time' ? 'Time' : 'x');
  if (xKind === 'time') {
    const range = `${formatDateTime(xExtent[0])} – ${formatDateTime(xExtent[1])}`;
    xTitle = `${xTitle} (UTC), ${range}`;
  }

  const legend: LegendItem[] = [];
  const showSeriesInLegend = series.length > 1 || markers !== undefined || intervals.length > 0;
  if (showSeriesInLegend) {
    series.forEach((item, i) => {
      legend.push({
        label: counts[i] === 0 ? `${item.name} (no data)` : item.name,
        swatch: { kind: 'line', color: seriesColor(i) },
      });
    });
  }
  if (markers && markers.x.length > 0) {
    legend.push({ label: markers.label ?? 'Anomaly', swatch: { kind: 'point', color: COLORS.highlight } });
  }
  if (intervals.length > 0) {
    legend.push({
      label: options.intervalLabel ?? 'Alert period',
      swatch: { kind: 'area', color: COLORS.highlight, opacity: 0.15 },
    });
  }

  const header = layoutHeader(width, options, legend);
  const plot = layoutCartesian({
    width,
    height,
    top: header.bottom,
    x: { kind: xKind, extent: xExtent, title: xTitle, nice: false },
    y: {
      kind: 'linear',
      extent: yExtent,
      title: axisTitle(options.yAxis, 'Value'),
      nice: isFitted(options.yAxis),
      margins: marginsFor(options.yAxis, 0.03),
    },
  });
  const { left, top, width: plotWidth, height: plotHeight } = plot.area;
  const right = left + plotWidth;
  const bottom = top + plotHeight;

  const shaded: string[] = [];
  for (const interval of intervals) {
    const from = Math.max(plot.x.map(interval.from), left);
    const to = Math.min(plot.x.map(interval.to), right);
    if (to < left || from > right) continue;
    const spanWidth = Math.max(2, to - from);
    shaded.push(
      element('rect', { x: Math.min(from, right - spanWidth), y: top, width: spanWidth, height: plotHeight }),
    );
  }

  const lines: string[] = [];
  const dots: string[] = [];
  series.forEach((item, index) => {
    const indices =
      item.x.length > maxPoints
        ? downsampleMinMax(item.x, item.y, plot.x.domain[0], plot.x.domain[1], Math.round(plotWidth))
        : undefined;
    const length = indices ? indices.length : item.x.length;
    const xs = new Float64Array(length);
    const ys = new Float64Array(length);
    for (let k = 0; k < length; k++) {
      const i = indices ? indices[k] : k;
      const x = item.x[i];
      const y = item.y[i];
      xs[k] = Number.isFinite(x) && Number.isFinite(y) ? plot.x.map(x) : Number.NaN;
      ys[k] = Number.isFinite(x) && Number.isFinite(y) ? plot.y.map(y) : Number.NaN;
    }
    const color = seriesColor(index);
    lines.push(
      element('path', {
        d: polylinePath(xs, ys),
        fill: 'none',
        stroke: color,
        'stroke-width': 1.5,
        'stroke-linejoin': 'round',
        'stroke-linecap': 'round',
      }),
    );
    // A reading with no neighbour to join is still data: draw it as a dot.
    for (let k = 0; k < length; k++) {
      if (!Number.isFinite(xs[k])) continue;
      const joinedBefore = k > 0 && Number.isFinite(xs[k - 1]);
      const joinedAfter = k + 1 < length && Number.isFinite(xs[k + 1]);
      if (!joinedBefore && !joinedAfter) dots.push(element('circle', { cx: xs[k], cy: ys[k], r: 2, fill: color }));
    }
  });

  const markerDots: string[] = [];
  if (markers) {
    for (let i = 0; i < markers.x.length; i++) {
      if (!Number.isFinite(markers.x[i]) || !Number.isFinite(markers.y[i])) continue;
      const cx = plot.x.map(markers.x[i]);
      const cy = plot.y.map(markers.y[i]);
      if (cx < left - 0.5 || cx > right + 0.5 || cy < top - 0.5 || cy > bottom + 0.5) continue;
      markerDots.push(element('circle', { cx, cy, r: 4 }));
    }
  }

  const references: string[] = [];
  for (const line of referenceLines) {
    const y = plot.y.map(line.value);
    if (y < top - 0.5 || y > bottom + 0.5) continue;
    references.push(
      element('path', {
        d: `M${num(left)} ${num(y)}H${num(right)}`,
        stroke: COLORS.reference,
        'stroke-width': 1.2,
        'stroke-dasharray': '6 4',
        fill: 'none',
      }),
    );
    const labelY = y - top > FONT_SIZE.annotation + 4 ? y - 4 : y + FONT_SIZE.annotation + 2;
    references.push(
      haloText(right - 4, labelY, fitText(line.label, plotWidth / 2, FONT_SIZE.annotation), {
        size: FONT_SIZE.annotation,
        anchor: 'end',
        fill: COLORS.mutedText,
      }),
    );
  }

  return svgDocument({ width, height, label: options.title ?? 'Line chart' }, [
    clipPathDefinition(CLIP_ID, plot.area),
    group({ fill: COLORS.highlight, 'fill-opacity': 0.15, class: 'intervals' }, shaded),
    drawGrid(plot),
    group({ 'clip-path': `url(#${CLIP_ID})`, class: 'series' }, [...lines, ...dots]),
    references.join(''),
    group({ fill: COLORS.highlight, stroke: '#ffffff', 'stroke-width': 1, class: 'markers' }, markerDots),
    drawAxes(plot),
    header.markup,
  ]);
}
