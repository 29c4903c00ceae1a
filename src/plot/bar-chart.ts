/**
 * Horizontal bar chart of signed values: feature importance, or one prediction's per-feature contributions with
 * bars that raise the prediction in vermillion and bars that lower it in blue. Value labels at the bar ends; the
 * largest magnitudes on top; bars that do not fit are left out and the axis title says so.
 */

import { describeValue, ValidationError } from '../core/errors.js';
import { type Cartesian, drawGrid, drawXTitle, X_TICK_LABEL_SPACE } from './axes.js';
import {
  type AxisOptions,
  axisTitle,
  type ChartOptions,
  chartSize,
  checkFinite,
  checkValues,
  type Values,
} from './data.js';
import { formatValue } from './format.js';
import { layoutHeader } from './frame.js';
import type { LegendItem } from './legend.js';
import { linearScale, niceDomain } from './scale.js';
import { baselineForMiddle, baselineForTop, element, group, lineHeight, num, svgDocument, text } from './svg.js';
import { fitText, maxTextWidth } from './text.js';
import { COLORS, FONT_SIZE, SPACING, seriesColor } from './theme.js';

export interface BarData {
  labels: readonly string[];
  values: Values;
}

export interface BarChartOptions extends ChartOptions {
  /** The value axis, e.g. `{ label: 'Contribution to failure risk' }`. */
  valueAxis?: AxisOptions;
  /** Bar order from the top: by |value| (default), by value descending, or as given. */
  sort?: 'magnitude' | 'value' | 'none';
  /** At most this many bars (the first after sorting); default: as many as fit at 16 px each. */
  limit?: number;
  /** Legend label of positive bars when values have both signs; default "Raises prediction". */
  positiveLabel?: string;
  /** Legend label of negative bars when values have both signs; default "Lowers prediction". */
  negativeLabel?: string;
  /** Significant digits of the value labels; default 3. */
  digits?: number;
}

const MIN_BAND = 16;
const LABEL_GAP = 8;
const VALUE_GAP = 4;

function orderOf(values: Values, sort: BarChartOptions['sort']): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  if (sort === 'none') return order;
  if (sort === 'value') return order.sort((a, b) => values[b] - values[a] || a - b);
  return order.sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
}

/** Horizontal bar chart; returns a standalone SVG document. Throws ValidationError for no bars. */
export function barChart(data: BarData, options: BarChartOptions = {}): string {
  const { width, height } = chartSize(options);
  if (!Array.isArray(data?.labels)) {
    throw new ValidationError(`labels must be an array of strings, got ${describeValue(data?.labels)}`);
  }
  checkValues('values', data.values);
  if (data.labels.length !== data.values.length) {
    throw new ValidationError(
      `values has ${data.values.length} entries but labels has ${data.labels.length}: they must pair up`,
    );
  }
  if (data.values.length === 0) throw new ValidationError('values: no bars to plot (got 0 values)');
  checkFinite('values', data.values);
  const sort = options.sort ?? 'magnitude';
  if (!['magnitude', 'value', 'none'].includes(sort)) {
    throw new ValidationError(`sort must be 'magnitude', 'value' or 'none', got ${describeValue(sort)}`);
  }
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
    throw new ValidationError(`limit must be a positive integer, got ${describeValue(options.limit)}`);
  }
  const digits = options.digits ?? 3;

  let hasPositive = false;
  let hasNegative = false;
  for (let i = 0; i < data.values.length; i++) {
    if (data.values[i] > 0) hasPositive = true;
    if (data.values[i] < 0) hasNegative = true;
  }
  const signed = hasPositive && hasNegative;
  const legend: LegendItem[] = signed
    ? [
        { label: options.positiveLabel ?? 'Raises prediction', swatch: { kind: 'area', color: COLORS.highlight } },
        { label: options.negativeLabel ?? 'Lowers prediction', swatch: { kind: 'area', color: COLORS.lowering } },
      ]
    : [];
  const colorOf = (value: number): string =>
    signed ? (value > 0 ? COLORS.highlight : COLORS.lowering) : hasNegative ? COLORS.lowering : seriesColor(0);

  const header = layoutHeader(width, options, legend);
  const outer = SPACING.outer;
  const top = header.bottom + 2;
  const baseTitle = axisTitle(options.valueAxis, 'Value');
  const titleSpace = lineHeight(FONT_SIZE.axisTitle) + SPACING.axisTitleGap - 4;
  const bottom = height - outer - titleSpace - X_TICK_LABEL_SPACE;
  const plotHeight = Math.max(MIN_BAND, bottom - top);
  const capacity = Math.max(1, Math.floor(plotHeight / MIN_BAND));
  const total = data.values.length;
  const shown = Math.min(total, options.limit ?? capacity, capacity);
  const order = orderOf(data.values, sort).slice(0, shown);
  const title =
    shown < total ? `${baseTitle} — top ${shown} of ${total}${sort === 'magnitude' ? ' by magnitude' : ''}` : baseTitle;

  const values = order.map((i) => data.values[i]);
  const valueLabels = values.map((value) => formatValue(value, digits));
  const categoryLabels = order.map((i) => fitText(String(data.labels[i]), width * 0.35, FONT_SIZE.tick));
  const left = outer + maxTextWidth(categoryLabels, FONT_SIZE.tick) + LABEL_GAP;
  const right = width - outer;
  const positiveRoom = maxTextWidth(
    valueLabels.filter((_, k) => values[k] > 0),
    FONT_SIZE.annotation,
  );
  const negativeRoom = maxTextWidth(
    valueLabels.filter((_, k) => values[k] < 0),
    FONT_SIZE.annotation,
  );
  const rangeLeft = left + (negativeRoom > 0 ? negativeRoom + VALUE_GAP + 2 : 0);
  const rangeRight = right - (positiveRoom > 0 ? positiveRoom + VALUE_GAP + 2 : 0);

  let low = 0;
  let high = 0;
  for (const value of values) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const targetTicks = Math.max(2, Math.floor((rangeRight - rangeLeft) / 80));
  const { domain, ticks } = niceDomain(low, high, targetTicks);
  const x = linearScale(domain, [rangeLeft, rangeRight]);
  const band = plotHeight / shown;
  const barHeight = Math.min(28, band * 0.72);
  const area = { left: rangeLeft, top, width: rangeRight - rangeLeft, height: band * shown };
  const plot: Cartesian = {
    area,
    x,
    y: linearScale([0, 1], [top + area.height, top]),
    xTicks: ticks,
    yTicks: { values: [], labels: [] },
    xTitle: title,
    yTitle: '',
    height,
  };

  const zero = x.map(0);
  const bars: string[] = [];
  const labels: string[] = [];
  values.forEach((value, k) => {
    const middle = top + (k + 0.5) * band;
    const end = x.map(value);
    bars.push(
      element('rect', {
        x: Math.min(zero, end),
        y: middle - barHeight / 2,
        width: Math.max(Math.abs(end - zero), value === 0 ? 0 : 1),
        height: barHeight,
        fill: colorOf(value),
      }),
    );
    labels.push(
      text(left - LABEL_GAP, baselineForMiddle(middle, FONT_SIZE.tick), categoryLabels[k], {
        size: FONT_SIZE.tick,
        anchor: 'end',
      }),
      text(
        value < 0 ? end - VALUE_GAP : end + VALUE_GAP,
        baselineForMiddle(middle, FONT_SIZE.annotation),
        valueLabels[k],
        { size: FONT_SIZE.annotation, anchor: value < 0 ? 'end' : 'start', fill: COLORS.mutedText },
      ),
    );
  });

  const axisBottom = top + area.height;
  const tickMarks: string[] = [];
  const tickLabels: string[] = [];
  ticks.values.forEach((tick, i) => {
    const position = x.map(tick);
    tickMarks.push(`M${num(position)} ${num(axisBottom)}V${num(axisBottom + SPACING.tickLength)}`);
    tickLabels.push(
      text(
        position,
        baselineForTop(axisBottom + SPACING.tickLength + SPACING.tickGap, FONT_SIZE.tick),
        ticks.labels[i],
        {
          size: FONT_SIZE.tick,
          anchor: 'middle',
        },
      ),
    );
  });
  const axis = element('path', {
    d: `${tickMarks.join('')}M${num(rangeLeft)} ${num(axisBottom)}H${num(rangeRight)}`,
    stroke: COLORS.axis,
    'stroke-width': 1,
    fill: 'none',
  });
  const zeroLine = element('path', {
    d: `M${num(zero)} ${num(top)}V${num(axisBottom)}`,
    stroke: COLORS.axis,
    'stroke-width': 1,
    fill: 'none',
  });

  return svgDocument({ width, height, label: options.title ?? 'Bar chart' }, [
    drawGrid(plot, { y: false }),
    group({ class: 'bars' }, bars),
    zeroLine,
    axis,
    group({ class: 'labels' }, [...labels, ...tickLabels]),
    drawXTitle(area, title, height),
    header.markup,
  ]);
}
