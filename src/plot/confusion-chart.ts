/**
 * Confusion matrix as a heatmap: rows are the true class, columns the predicted class; each cell shows its count and
 * its share of the row (recall on the diagonal), coloured by that share so that rare failure classes are as visible
 * as the common healthy class. Row totals sit at the right, a colour bar explains the shading.
 */

import { describeValue, ValidationError } from '../core/errors.js';
import { drawXTitle, drawYTitle } from './axes.js';
import { interpolateColor, textColorOn } from './color.js';
import { type ChartOptions, chartSize } from './data.js';
import { formatCount, formatPercent } from './format.js';
import { layoutHeader } from './frame.js';
import { baselineForMiddle, baselineForTop, element, group, lineHeight, svgDocument, text } from './svg.js';
import { fitText, maxTextWidth, textWidth } from './text.js';
import { COLORS, FONT_SIZE, HEATMAP_STOPS, SPACING } from './theme.js';

/** Shaped like `ConfusionMatrix` from evaluate/metrics: counts[i][j] = rows of true labels[i] predicted labels[j]. */
export interface ConfusionMatrixData {
  labels: readonly (string | number)[];
  counts: readonly (readonly number[])[];
}

export interface ConfusionMatrixChartOptions extends ChartOptions {
  /** Default "True class". */
  trueLabel?: string;
  /** Default "Predicted class". */
  predictedLabel?: string;
}

const GRADIENT_ID = 'row-share-gradient';
const COLOR_BAR_WIDTH = 12;
const CELL_GAP = 2;

function checkMatrix(data: ConfusionMatrixData): void {
  if (!Array.isArray(data?.labels) || data.labels.length === 0) {
    throw new ValidationError(`labels must be a non-empty array of class names, got ${describeValue(data?.labels)}`);
  }
  const size = data.labels.length;
  if (!Array.isArray(data.counts) || data.counts.length !== size) {
    throw new ValidationError(
      `counts must have one row per label (${size}), got ${describeValue(data.counts?.length)}`,
    );
  }
  data.counts.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== size) {
      throw new ValidationError(
        `counts[${i}] must have one entry per label (${size}), got ${describeValue(row?.length)}`,
      );
    }
    row.forEach((count, j) => {
      if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) {
        throw new ValidationError(
          `counts[${i}][${j}] must be a non-negative finite number, got ${describeValue(count)}`,
        );
      }
    });
  });
}

/** Heatmap of a confusion matrix; returns a standalone SVG document. */
export function confusionMatrixChart(data: ConfusionMatrixData, options: ConfusionMatrixChartOptions = {}): string {
  const { width, height } = chartSize(options);
  checkMatrix(data);
  const size = data.labels.length;
  const labels = data.labels.map(String);
  const rowTotals = data.counts.map((row) => row.reduce((sum, count) => sum + count, 0));
  const total = rowTotals.reduce((sum, count) => sum + count, 0);
  if (total === 0) throw new ValidationError('counts: no data to plot (every count is 0)');

  const header = layoutHeader(width, options);
  const outer = SPACING.outer;
  const yTitle = options.trueLabel ?? 'True class';
  const xTitle = options.predictedLabel ?? 'Predicted class';
  const titleSpace = lineHeight(FONT_SIZE.axisTitle) + SPACING.axisTitleGap - 4;
  const maxLabelWidth = width * 0.25;
  const rowLabelWidth = Math.min(maxLabelWidth, maxTextWidth(labels, FONT_SIZE.tick));
  const totalLabels = rowTotals.map((count) => formatCount(count));
  const totalsWidth = Math.max(textWidth('Total', FONT_SIZE.annotation), maxTextWidth(totalLabels, FONT_SIZE.tick));
  const barLabelWidth = textWidth('100%', FONT_SIZE.annotation);
  const columnHeaderSpace = lineHeight(FONT_SIZE.annotation) + 4;

  const leftSpace = outer + titleSpace + rowLabelWidth + SPACING.tickGap + 2;
  const top = header.bottom + columnHeaderSpace;
  const rightSpace = 12 + totalsWidth + 20 + COLOR_BAR_WIDTH + 6 + barLabelWidth + outer;
  const columnLabelWidth = Math.min(maxLabelWidth, maxTextWidth(labels, FONT_SIZE.tick));
  const cellFor = (bottom: number): number =>
    Math.max(8, Math.min((width - leftSpace - rightSpace) / size, (height - top - bottom) / size));
  let bottomSpace = SPACING.tickGap + lineHeight(FONT_SIZE.tick) + titleSpace + outer;
  let cell = cellFor(bottomSpace);
  // Column labels wider than a cell are turned 45° rather than cut to a few letters.
  const rotateColumnLabels = columnLabelWidth > cell - 4;
  if (rotateColumnLabels) {
    bottomSpace = SPACING.tickGap + (columnLabelWidth + FONT_SIZE.tick) * Math.SQRT1_2 + titleSpace + outer;
    cell = cellFor(bottomSpace);
  }
  const gridSize = cell * size;
  // Centre the block (title, labels, grid, totals, colour bar) horizontally.
  const shift = Math.max(0, (width - leftSpace - rightSpace - gridSize) / 2);
  const left = leftSpace + shift;
  const area = { left, top, width: gridSize, height: gridSize };

  const countSize = Math.min(16, Math.max(9, Math.floor(cell / 5)));
  const shareSize = Math.max(8, countSize - 3);
  const cells: string[] = [];
  const cellTexts: string[] = [];
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const count = data.counts[i][j];
      const share = rowTotals[i] > 0 ? count / rowTotals[i] : 0;
      const fill = interpolateColor(share);
      const x = left + j * cell;
      const y = top + i * cell;
      cells.push(
        element('rect', {
          x: x + CELL_GAP / 2,
          y: y + CELL_GAP / 2,
          width: cell - CELL_GAP,
          height: cell - CELL_GAP,
          fill,
        }),
      );
      const countText = formatCount(count);
      const room = cell - 6;
      if (textWidth(countText, countSize, true) > room) continue;
      const ink = textColorOn(fill);
      const middle = y + cell / 2;
      // An empty cell says "0" quietly; a share of 0.0% would only add noise.
      const shareText = count > 0 ? formatPercent(share) : '';
      const twoLines =
        shareText !== '' && cell >= countSize + shareSize + 14 && textWidth(shareText, shareSize) <= room;
      if (twoLines) {
        const gap = 2;
        const blockTop = middle - (countSize * 0.76 + gap + shareSize) / 2;
        cellTexts.push(
          text(x + cell / 2, baselineForTop(blockTop, countSize), countText, {
            size: countSize,
            bold: true,
            anchor: 'middle',
            fill: ink,
          }),
          text(x + cell / 2, baselineForTop(blockTop + countSize * 0.76 + gap + 4, shareSize), shareText, {
            size: shareSize,
            anchor: 'middle',
            fill: ink,
          }),
        );
      } else {
        cellTexts.push(
          text(x + cell / 2, baselineForMiddle(middle, countSize), countText, {
            size: countSize,
            bold: count > 0,
            anchor: 'middle',
            fill: count > 0 ? ink : COLORS.mutedText,
          }),
        );
      }
    }
  }

  const axisLabels: string[] = [];
  labels.forEach((label, i) => {
    const middle = top + (i + 0.5) * cell;
    axisLabels.push(
      text(
        left - SPACING.tickGap - 2,
        baselineForMiddle(middle, FONT_SIZE.tick),
        fitText(label, rowLabelWidth, FONT_SIZE.tick),
        {
          size: FONT_SIZE.tick,
          anchor: 'end',
        },
      ),
      rotateColumnLabels
        ? text(
            left + (i + 0.5) * cell + FONT_SIZE.tick * 0.3,
            top + gridSize + SPACING.tickGap + FONT_SIZE.tick * 0.5,
            fitText(label, columnLabelWidth, FONT_SIZE.tick),
            { size: FONT_SIZE.tick, anchor: 'end', rotate: -45 },
          )
        : text(
            left + (i + 0.5) * cell,
            baselineForTop(top + gridSize + SPACING.tickGap, FONT_SIZE.tick),
            fitText(label, cell - 4, FONT_SIZE.tick),
            { size: FONT_SIZE.tick, anchor: 'middle' },
          ),
    );
  });

  const totalsX = left + gridSize + 12;
  const totals: string[] = [
    text(totalsX, top - 5, 'Total', { size: FONT_SIZE.annotation, fill: COLORS.mutedText }),
    ...totalLabels.map((label, i) =>
      text(totalsX, baselineForMiddle(top + (i + 0.5) * cell, FONT_SIZE.tick), label, {
        size: FONT_SIZE.tick,
        fill: COLORS.mutedText,
      }),
    ),
  ];

  const barX = totalsX + totalsWidth + 20;
  const stops = HEATMAP_STOPS.map((color, i) =>
    element('stop', { offset: `${(100 * i) / (HEATMAP_STOPS.length - 1)}%`, 'stop-color': color }),
  );
  const colorBar = [
    element(
      'defs',
      {},
      element('linearGradient', { id: GRADIENT_ID, x1: 0, y1: 1, x2: 0, y2: 0 }, [...stops].join('')),
    ),
    element('rect', {
      x: barX,
      y: top,
      width: COLOR_BAR_WIDTH,
      height: gridSize,
      fill: `url(#${GRADIENT_ID})`,
      stroke: COLORS.grid,
      'stroke-width': 1,
    }),
    text(barX + COLOR_BAR_WIDTH / 2, top - 5, 'Row %', {
      size: FONT_SIZE.annotation,
      anchor: 'middle',
      fill: COLORS.mutedText,
    }),
    // End labels sit inside the bar's height so they never meet the "Row %" header.
    text(barX + COLOR_BAR_WIDTH + 5, baselineForTop(top, FONT_SIZE.annotation), '100%', {
      size: FONT_SIZE.annotation,
      fill: COLORS.mutedText,
    }),
    text(barX + COLOR_BAR_WIDTH + 5, baselineForMiddle(top + gridSize / 2, FONT_SIZE.annotation), '50%', {
      size: FONT_SIZE.annotation,
      fill: COLORS.mutedText,
    }),
    text(barX + COLOR_BAR_WIDTH + 5, top + gridSize - 2, '0%', { size: FONT_SIZE.annotation, fill: COLORS.mutedText }),
  ];

  return svgDocument({ width, height, label: options.title ?? 'Confusion matrix' }, [
    group({ class: 'cells' }, cells),
    group({ class: 'cell-labels' }, cellTexts),
    group({ class: 'class-labels' }, axisLabels),
    group({ class: 'totals' }, totals),
    colorBar.join(''),
    drawXTitle(area, xTitle, top + gridSize + bottomSpace),
    drawYTitle(area, yTitle, outer + shift),
    header.markup,
  ]);
}
