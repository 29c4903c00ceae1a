/**
 * Cartesian plot layout and axes: margins sized to the tick labels and axis titles they must hold (so nothing is
 * clipped), tick counts chosen so labels do not collide, gridlines, tick marks, labels and axis titles.
 */

import { linearScale, linearTicks, niceDomain, type Scale, type Ticks, timeTicks } from './scale.js';
import { baselineForMiddle, baselineForTop, element, group, lineHeight, num, text } from './svg.js';
import { fitText, maxTextWidth, textWidth } from './text.js';
import { COLORS, FONT_SIZE, SPACING } from './theme.js';

/** The rectangle data is drawn in. */
export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface AxisSpec {
  kind: 'linear' | 'time';
  /** Data interval to show, min ≤ max (equal values are widened). */
  extent: readonly [number, number];
  /** Axis title; empty for none. */
  title: string;
  /** Widen a linear axis outwards to whole ticks (true), or end exactly at the extent (false). */
  nice: boolean;
  /**
   * Fractions of the span to leave free below and above the data when the data would otherwise touch the end of
   * the axis, so extreme points are not drawn on the frame (default none).
   */
  margins?: readonly [number, number];
}

export interface CartesianSpec {
  width: number;
  height: number;
  /** First free pixel row below the header. */
  top: number;
  x: AxisSpec;
  y: AxisSpec;
  /** Pixels kept free to the right of the plot (for a legend column). */
  rightReserve?: number;
  /** Make the plot area square (ROC and PR curves). */
  square?: boolean;
}

export interface Cartesian {
  area: PlotArea;
  x: Scale;
  y: Scale;
  xTicks: Ticks;
  yTicks: Ticks;
  xTitle: string;
  yTitle: string;
  /** Chart height, for placing the x axis title. */
  height: number;
  /** x of the y axis title's outer edge (default: the chart's outer padding). */
  yTitleLeft?: number;
}

const MIN_PLOT = 40;
const X_LABEL_GAP = 16;
const Y_TICK_SPACING = 56;

function widen(extent: readonly [number, number]): [number, number] {
  const [low, high] = extent;
  if (high > low) return [low, high];
  const half = low === 0 ? 1 : Math.abs(low) * 0.05;
  return [low - half, high + half];
}

function axisTicks(axis: AxisSpec, targetCount: number): { domain: [number, number]; ticks: Ticks } {
  if (axis.kind === 'time') {
    const domain =
      axis.extent[1] > axis.extent[0] ? ([axis.extent[0], axis.extent[1]] as [number, number]) : widenTime(axis.extent);
    const ticks = timeTicks(domain[0], domain[1], targetCount);
    return { domain, ticks };
  }
  if (axis.nice) {
    const nice = niceDomain(axis.extent[0], axis.extent[1], targetCount);
    const [low, high] = nice.domain;
    const [marginLow, marginHigh] = axis.margins ?? [0, 0];
    const span = high - low;
    // Where the data touches a whole-tick end, move that end out a little; the ticks stay where they are.
    const domain: [number, number] = [
      axis.extent[0] - low < marginLow * span ? axis.extent[0] - marginLow * span : low,
      high - axis.extent[1] < marginHigh * span ? axis.extent[1] + marginHigh * span : high,
    ];
    return { domain, ticks: nice.ticks };
  }
  const domain = widen(axis.extent);
  return { domain, ticks: linearTicks(domain[0], domain[1], targetCount) };
}

function widenTime(extent: readonly [number, number]): [number, number] {
  const hour = 3_600_000;
  return [extent[0] - hour, extent[1] + hour];
}

/** Space taken by an axis title line plus its gap. */
function titleSpace(title: string): number {
  return title ? lineHeight(FONT_SIZE.axisTitle) + SPACING.axisTitleGap - 4 : 0;
}

/** Space from the plot edge to the outer edge of the tick labels on the x axis. */
export const X_TICK_LABEL_SPACE = SPACING.tickLength + SPACING.tickGap + lineHeight(FONT_SIZE.tick);

/**
 * Places the plot area and chooses ticks: the bottom margin holds x labels and title, the left margin the widest y
 * label and the title, and x tick counts drop until the labels have room. O(ticks × label length).
 */
export function layoutCartesian(spec: CartesianSpec): Cartesian {
  const outer = SPACING.outer;
  const top = spec.top + Math.ceil(FONT_SIZE.tick / 2);
  const bottom = spec.height - outer - titleSpace(spec.x.title) - X_TICK_LABEL_SPACE;
  let plotHeight = Math.max(MIN_PLOT, bottom - top);

  const yTarget = Math.min(10, Math.max(2, Math.round(plotHeight / Y_TICK_SPACING)));
  const yAxis = axisTicks(spec.y, yTarget);
  const yLabelWidth = maxTextWidth(yAxis.ticks.labels, FONT_SIZE.tick);
  let left = outer + titleSpace(spec.y.title) + yLabelWidth + SPACING.tickGap + SPACING.tickLength;
  const rightReserve = spec.rightReserve ?? 0;

  // Choose the x tick count: start generous, thin out until labels fit side by side.
  let plotWidth = Math.max(MIN_PLOT, spec.width - left - outer - rightReserve);
  let xTarget = Math.max(2, Math.floor(plotWidth / 70));
  let xAxis = axisTicks(spec.x, xTarget);
  for (;;) {
    const widest = maxTextWidth(xAxis.ticks.labels, FONT_SIZE.tick);
    if (xTarget <= 2 || xAxis.ticks.values.length * (widest + X_LABEL_GAP) <= plotWidth) break;
    xTarget--;
    xAxis = axisTicks(spec.x, xTarget);
  }
  // Half of the first and last x labels hang outside the plot: keep them inside the chart.
  const xLabels = xAxis.ticks.labels;
  const firstHalf = xLabels.length ? textWidth(xLabels[0], FONT_SIZE.tick) / 2 : 0;
  const lastHalf = xLabels.length ? textWidth(xLabels[xLabels.length - 1], FONT_SIZE.tick) / 2 : 0;
  left = Math.max(left, outer + firstHalf);
  const right = Math.max(outer, lastHalf + 4) + rightReserve;
  plotWidth = Math.max(MIN_PLOT, spec.width - left - right);

  if (spec.square) {
    const side = Math.min(plotWidth, plotHeight);
    plotWidth = side;
    plotHeight = side;
  }
  const area: PlotArea = { left, top, width: plotWidth, height: plotHeight };
  return {
    area,
    x: linearScale(xAxis.domain, [left, left + plotWidth]),
    y: linearScale(yAxis.domain, [top + plotHeight, top]),
    xTicks: xAxis.ticks,
    yTicks: yAxis.ticks,
    xTitle: spec.x.title,
    yTitle: spec.y.title,
    height: spec.height,
  };
}

function inside(value: number, low: number, high: number): boolean {
  return value >= low - 0.5 && value <= high + 0.5;
}

/** Light gridlines at the ticks, drawn under the data. */
export function drawGrid(plot: Cartesian, options: { x?: boolean; y?: boolean } = {}): string {
  const { left, top, width, height } = plot.area;
  const lines: string[] = [];
  if (options.y ?? true) {
    for (const tick of plot.yTicks.values) {
      const y = plot.y.map(tick);
      if (inside(y, top, top + height)) lines.push(`M${num(left)} ${num(y)}H${num(left + width)}`);
    }
  }
  if (options.x ?? true) {
    for (const tick of plot.xTicks.values) {
      const x = plot.x.map(tick);
      if (inside(x, left, left + width)) lines.push(`M${num(x)} ${num(top)}V${num(top + height)}`);
    }
  }
  return lines.length
    ? element('path', { d: lines.join(''), stroke: COLORS.grid, 'stroke-width': 1, fill: 'none' })
    : '';
}

/** Title under the x axis, centred on the plot and shortened to its width. */
export function drawXTitle(area: PlotArea, title: string, chartHeight: number): string {
  if (!title) return '';
  const label = fitText(title, area.width + 2 * SPACING.outer, FONT_SIZE.axisTitle);
  const baseline = chartHeight - SPACING.outer - Math.ceil(FONT_SIZE.axisTitle * 0.24);
  return text(area.left + area.width / 2, baseline, label, { size: FONT_SIZE.axisTitle, anchor: 'middle' });
}

/** Title left of the y axis, rotated, centred on the plot and shortened to its height; its top edge at `left`. */
export function drawYTitle(area: PlotArea, title: string, left: number = SPACING.outer): string {
  if (!title) return '';
  const label = fitText(title, area.height + 2 * SPACING.outer, FONT_SIZE.axisTitle);
  const baseline = left + Math.ceil(FONT_SIZE.axisTitle * 0.76);
  return text(baseline, area.top + area.height / 2, label, {
    size: FONT_SIZE.axisTitle,
    anchor: 'middle',
    rotate: -90,
  });
}

/** Axis lines (left and bottom), tick marks, tick labels and axis titles. */
export function drawAxes(plot: Cartesian): string {
  const { left, top, width, height } = plot.area;
  const bottom = top + height;
  const ticks: string[] = [];
  const labels: string[] = [];
  plot.yTicks.values.forEach((tick, i) => {
    const y = plot.y.map(tick);
    if (!inside(y, top, bottom)) return;
    ticks.push(`M${num(left - SPACING.tickLength)} ${num(y)}H${num(left)}`);
    labels.push(
      text(left - SPACING.tickLength - SPACING.tickGap, baselineForMiddle(y, FONT_SIZE.tick), plot.yTicks.labels[i], {
        size: FONT_SIZE.tick,
        anchor: 'end',
      }),
    );
  });
  plot.xTicks.values.forEach((tick, i) => {
    const x = plot.x.map(tick);
    if (!inside(x, left, left + width)) return;
    ticks.push(`M${num(x)} ${num(bottom)}V${num(bottom + SPACING.tickLength)}`);
    labels.push(
      text(x, baselineForTop(bottom + SPACING.tickLength + SPACING.tickGap, FONT_SIZE.tick), plot.xTicks.labels[i], {
        size: FONT_SIZE.tick,
        anchor: 'middle',
      }),
    );
  });
  const axisLines = `M${num(left)} ${num(top)}V${num(bottom)}H${num(left + width)}`;
  return (
    element('path', { d: ticks.join('') + axisLines, stroke: COLORS.axis, 'stroke-width': 1, fill: 'none' }) +
    group({ fill: COLORS.text }, labels) +
    drawXTitle(plot.area, plot.xTitle, plot.height) +
    drawYTitle(plot.area, plot.yTitle, plot.yTitleLeft)
  );
}

/** A clip path the size of the plot area, so data outside a fixed axis range is cut at the frame. */
export function clipPathDefinition(id: string, area: PlotArea): string {
  return element(
    'defs',
    {},
    element('clipPath', { id }, element('rect', { x: area.left, y: area.top, width: area.width, height: area.height })),
  );
}
