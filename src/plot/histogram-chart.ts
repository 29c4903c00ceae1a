/**
 * Histogram of one or more distributions on shared bins — e.g. anomaly scores of healthy machines against failing
 * ones — with bins on round numbers and optional vertical reference lines (a threshold).
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
  checkValues,
  emptyExtent,
  hasExtent,
  isFitted,
  type Values,
  widenExtent,
} from './data.js';
import { formatCount } from './format.js';
import { layoutHeader } from './frame.js';
import type { LegendItem } from './legend.js';
import { multiplesIn, niceStep } from './scale.js';
import { element, group, haloText, num, svgDocument } from './svg.js';
import { textWidth } from './text.js';
import { COLORS, FONT_SIZE, seriesColor } from './theme.js';

export interface HistogramSeries {
  name: string;
  /** Non-finite values are left out (and counted in the legend). */
  values: Values;
}

/** A vertical line at a value, labelled at its top. */
export interface VerticalLine {
  value: number;
  label: string;
}

export interface HistogramChartOptions extends ChartOptions {
  xAxis?: AxisOptions;
  /** Default label "Count". */
  yAxis?: AxisOptions;
  /** Target number of bins (rounded to a 1-2-5 width); default by the Freedman–Diaconis rule. */
  bins?: number;
  referenceLines?: readonly VerticalLine[];
}

const MAX_BINS = 200;
const CLIP_ID = 'histogram-plot-area';

/** Linear-interpolated quantile of sorted values (numpy's default method). O(1). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * Bin count by Freedman–Diaconis, width 2·IQR·n^(−1/3) (Freedman & Diaconis 1981; numpy `histogram_bin_edges`
 * 'fd'), falling back to Sturges' log2(n) + 1 when the IQR is 0. O(n log n) for the sort.
 */
export function suggestedBinCount(values: Float64Array): number {
  const n = values.length;
  if (n < 2) return 1;
  const sorted = Float64Array.from(values).sort();
  const span = sorted[n - 1] - sorted[0];
  if (span === 0) return 1;
  const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  const sturges = Math.ceil(Math.log2(n)) + 1;
  if (iqr === 0) return sturges;
  const binWidth = 2 * iqr * n ** (-1 / 3);
  return Math.min(MAX_BINS, Math.max(1, Math.ceil(span / binWidth)));
}

/** Width of the single bin drawn for a constant value: a tenth of its order of magnitude (42 → 1, 0 → 1). */
export function constantBinWidth(value: number): number {
  return value === 0 ? 1 : 10 ** Math.floor(Math.log10(Math.abs(value))) / 10;
}

/**
 * Bin edges on multiples of a 1-2-5 width covering [min, max], about `target` bins; a constant value gets one bin
 * centred on it. O(bins).
 */
export function binEdges(min: number, max: number, target: number): number[] {
  if (max === min) {
    const half = constantBinWidth(min) / 2;
    return [min - half, max + half];
  }
  const step = niceStep(max - min, target);
  const low = Math.floor(min / step + 1e-9) * step;
  let high = Math.ceil(max / step - 1e-9) * step;
  if (high <= low) high = low + step;
  return multiplesIn(low, high, step);
}

/** Counts per bin; values on the top edge go into the last bin, values outside are ignored. O(n). */
export function binCounts(values: Values, edges: readonly number[]): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  const low = edges[0];
  const high = edges[bins];
  const width = (high - low) / bins;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value) || value < low || value > high) continue;
    counts[Math.min(bins - 1, Math.floor((value - low) / width))]++;
  }
  return counts;
}

function finiteOnly(values: Values): Float64Array {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
  const out = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out[k++] = values[i];
  return out;
}

/** Histogram of one distribution (plain values) or several (named series); returns a standalone SVG document. */
export function histogramChart(data: Values | readonly HistogramSeries[], options: HistogramChartOptions = {}): string {
  const { width, height } = chartSize(options);
  const isSeriesList = Array.isArray(data) && data.length > 0 && typeof data[0] === 'object' && data[0] !== null;
  const series: HistogramSeries[] = isSeriesList
    ? (data as readonly HistogramSeries[]).map((item) => ({ ...item }))
    : [{ name: 'Values', values: data as Values }];
  series.forEach((item, i) => {
    checkValues(isSeriesList ? `series[${i}].values` : 'values', item.values);
  });
  if (
    options.bins !== undefined &&
    !(Number.isInteger(options.bins) && options.bins >= 1 && options.bins <= MAX_BINS)
  ) {
    throw new ValidationError(`bins must be an integer from 1 to ${MAX_BINS}, got ${describeValue(options.bins)}`);
  }
  const referenceLines = options.referenceLines ?? [];
  referenceLines.forEach((line, i) => {
    checkNumber(`referenceLines[${i}].value`, line.value);
  });

  const finite = series.map((item) => finiteOnly(item.values));
  let extent = emptyExtent();
  for (const values of finite) widenExtent(extent, values);
  if (!hasExtent(extent)) {
    throw new ValidationError(`${isSeriesList ? 'series' : 'values'}: no data to plot (no finite value)`);
  }
  extent = applyAxisLimits('xAxis', extent, options.xAxis);
  let pooledLength = 0;
  for (const values of finite) pooledLength += values.length;
  const pooled = new Float64Array(pooledLength);
  let offset = 0;
  for (const values of finite) {
    pooled.set(values, offset);
    offset += values.length;
  }
  const target = options.bins ?? suggestedBinCount(pooled);
  const edges = binEdges(extent[0], extent[1], target);
  const counts = finite.map((values) => binCounts(values, edges));
  let maxCount = 0;
  for (const binned of counts) for (const count of binned) maxCount = Math.max(maxCount, count);

  const several = series.length > 1;
  const legend: LegendItem[] = several
    ? series.map((item, i) => {
        const missing = item.values.length - finite[i].length;
        const note = missing > 0 ? `, ${formatCount(missing)} missing` : '';
        return {
          label: `${item.name} (n = ${formatCount(finite[i].length)}${note})`,
          swatch: { kind: 'area' as const, color: seriesColor(i), opacity: 0.5 },
        };
      })
    : [];
  const header = layoutHeader(width, options, legend);
  // A constant value is one narrow bar with room either side, not a bar filling the whole plot.
  const constantMargin = extent[0] === extent[1] ? 4 * constantBinWidth(extent[0]) : 0;
  const xAxisExtent: [number, number] = [edges[0] - constantMargin, edges[edges.length - 1] + constantMargin];
  const yExtent = applyAxisLimits('yAxis', [0, Math.max(1, maxCount)], options.yAxis);
  const plot = layoutCartesian({
    width,
    height,
    top: header.bottom,
    x: {
      kind: 'linear',
      extent: xAxisExtent,
      title: axisTitle(options.xAxis, 'Value'),
      nice: false,
    },
    y: {
      kind: 'linear',
      extent: yExtent,
      title: axisTitle(options.yAxis, 'Count'),
      nice: isFitted(options.yAxis),
      margins: [0, options.yAxis?.max === undefined ? 0.03 : 0],
    },
  });

  const baseline = plot.y.map(0);
  const layers: string[] = counts.map((binned, s) => {
    const rects: string[] = [];
    for (let b = 0; b < binned.length; b++) {
      if (binned[b] === 0) continue;
      const x0 = plot.x.map(edges[b]);
      const x1 = plot.x.map(edges[b + 1]);
      const y = plot.y.map(binned[b]);
      const gap = x1 - x0 > 4 ? 0.5 : 0;
      rects.push(
        `<rect x="${num(x0 + gap)}" y="${num(y)}" width="${num(Math.max(0.5, x1 - x0 - 2 * gap))}" height="${num(baseline - y)}"/>`,
      );
    }
    return group(
      {
        fill: seriesColor(s),
        'fill-opacity': several ? 0.45 : 0.85,
        stroke: several ? seriesColor(s) : '#ffffff',
        'stroke-width': several ? 1 : 0.5,
      },
      rects,
    );
  });

  const references: string[] = [];
  const { left, top, width: plotWidth, height: plotHeight } = plot.area;
  for (const line of referenceLines) {
    const x = plot.x.map(line.value);
    if (x < left - 0.5 || x > left + plotWidth + 0.5) continue;
    references.push(
      element('path', {
        d: `M${num(x)} ${num(top)}V${num(top + plotHeight)}`,
        stroke: COLORS.reference,
        'stroke-width': 1.5,
        'stroke-dasharray': '6 4',
        fill: 'none',
      }),
    );
    const fitsRight = x + 4 + textWidth(line.label, FONT_SIZE.annotation) <= left + plotWidth;
    references.push(
      haloText(fitsRight ? x + 4 : x - 4, top + FONT_SIZE.annotation + 2, line.label, {
        size: FONT_SIZE.annotation,
        anchor: fitsRight ? 'start' : 'end',
        fill: COLORS.mutedText,
      }),
    );
  }

  return svgDocument({ width, height, label: options.title ?? 'Histogram' }, [
    clipPathDefinition(CLIP_ID, plot.area),
    drawGrid(plot, { x: false }),
    group({ 'clip-path': `url(#${CLIP_ID})` }, layers),
    references.join(''),
    drawAxes(plot),
    header.markup,
  ]);
}
