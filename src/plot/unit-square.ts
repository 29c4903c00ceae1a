/**
 * The shared body of ROC and precision–recall charts: curves on the unit square (both axes 0 to 1, square plot),
 * a dashed reference line for a classifier without skill, optional operating points, and a legend column at the
 * right that carries each curve's summary (AUC, AP).
 */

import { type Cartesian, drawAxes, drawGrid, layoutCartesian } from './axes.js';
import { type ChartOptions, chartSize } from './data.js';
import { layoutHeader } from './frame.js';
import { type LegendItem, legendColumn } from './legend.js';
import { linearScale } from './scale.js';
import { element, group, polylinePath, svgDocument } from './svg.js';
import { fitText, textWidth } from './text.js';
import { COLORS, FONT_SIZE, SPACING, seriesColor } from './theme.js';

export interface UnitSquareCurve {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  name: string;
  /** Appended to the name in the legend, e.g. "(AUC = 0.912)"; the name is shortened first when space runs out. */
  summary: string;
  /** Draw as a step function (precision–recall), holding y until the next x. */
  steps: boolean;
}

export interface UnitSquarePoint {
  x: number;
  y: number;
  label: string;
}

export interface UnitSquareSpec {
  curves: readonly UnitSquareCurve[];
  reference: { x: readonly number[]; y: readonly number[]; label: string };
  points: readonly UnitSquarePoint[];
  xTitle: string;
  yTitle: string;
  /** Accessible name when there is no title. */
  name: string;
}

const AXIS_MARGIN = 0.015;
/** Swatch and gap before a legend label (see legend.ts). */
const LEGEND_SWATCH = 28;
const LEGEND_GAP = 28;

/** Step path for "steps-post" drawing: from each point, across to the next x, then to the next y. */
function stepCoordinates(xs: readonly number[], ys: readonly number[]): { xs: number[]; ys: number[] } {
  const outX: number[] = [];
  const outY: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (i > 0) {
      outX.push(xs[i]);
      outY.push(ys[i - 1]);
    }
    outX.push(xs[i]);
    outY.push(ys[i]);
  }
  return { xs: outX, ys: outY };
}

function shiftHorizontally(plot: Cartesian, shift: number): void {
  plot.area = { ...plot.area, left: plot.area.left + shift };
  plot.x = linearScale(plot.x.domain, [plot.x.range[0] + shift, plot.x.range[1] + shift]);
  plot.yTitleLeft = SPACING.outer + shift;
}

/** A chart of curves on [0, 1]²; returns a standalone SVG document. Inputs are checked by the callers. */
export function unitSquareChart(spec: UnitSquareSpec, options: ChartOptions): string {
  const { width, height } = chartSize(options);
  const legendRoom = Math.max(120, width * 0.42);
  const labelRoom = legendRoom - LEGEND_GAP - SPACING.outer - LEGEND_SWATCH;
  const curveLabel = (curve: UnitSquareCurve): string => {
    const nameRoom = labelRoom - textWidth(` ${curve.summary}`, FONT_SIZE.legend);
    return `${fitText(curve.name, nameRoom, FONT_SIZE.legend)} ${curve.summary}`;
  };
  const legendItems: LegendItem[] = [
    ...spec.curves.map((curve, i) => ({
      label: curveLabel(curve),
      swatch: { kind: 'line' as const, color: seriesColor(i) },
    })),
    { label: spec.reference.label, swatch: { kind: 'line', color: COLORS.reference, dash: '6 4' } },
    ...spec.points.map((point) => ({
      label: point.label,
      swatch: { kind: 'point' as const, color: COLORS.highlight },
    })),
  ];
  const header = layoutHeader(width, options);
  const legend = legendColumn(legendItems, legendRoom - LEGEND_GAP - SPACING.outer);
  const plot = layoutCartesian({
    width,
    height,
    top: header.bottom,
    // A little room beyond 0 and 1 so curves running along the edges stay visible next to the axes.
    x: { kind: 'linear', extent: [-AXIS_MARGIN, 1 + AXIS_MARGIN], title: spec.xTitle, nice: false },
    y: { kind: 'linear', extent: [-AXIS_MARGIN, 1 + AXIS_MARGIN], title: spec.yTitle, nice: false },
    rightReserve: legend.width + LEGEND_GAP,
    square: true,
  });
  // Centre the square and its legend as one block.
  const blockRight = plot.area.left + plot.area.width + LEGEND_GAP + legend.width;
  const shift = Math.max(0, (width - SPACING.outer - blockRight) / 2);
  if (shift > 0) shiftHorizontally(plot, shift);
  const { left, top, width: side } = plot.area;

  const curves: string[] = [];
  spec.curves.forEach((curve, i) => {
    const xs = Array.from(curve.x, (value) => plot.x.map(value));
    const ys = Array.from(curve.y, (value) => plot.y.map(value));
    const path = curve.steps ? stepCoordinates(xs, ys) : { xs, ys };
    curves.push(
      element('path', {
        d: polylinePath(path.xs, path.ys),
        fill: 'none',
        stroke: seriesColor(i),
        'stroke-width': 2,
        'stroke-linejoin': 'round',
      }),
    );
  });
  const reference = element('path', {
    d: polylinePath(
      spec.reference.x.map((value) => plot.x.map(value)),
      spec.reference.y.map((value) => plot.y.map(value)),
    ),
    fill: 'none',
    stroke: COLORS.reference,
    'stroke-width': 1.5,
    'stroke-dasharray': '6 4',
  });
  const points = spec.points.map((point) =>
    element('circle', {
      cx: plot.x.map(point.x),
      cy: plot.y.map(point.y),
      r: 5,
      fill: COLORS.highlight,
      stroke: '#ffffff',
      'stroke-width': 1.5,
    }),
  );

  return svgDocument({ width, height, label: options.title ?? spec.name }, [
    drawGrid(plot),
    group({ class: 'curves' }, [reference, ...curves]),
    points.join(''),
    drawAxes(plot),
    legend.render(left + side + LEGEND_GAP, top),
    header.markup,
  ]);
}
