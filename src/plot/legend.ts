/** Legends: a key of swatches and labels, laid out in wrapping rows (under the title) or in one column (right). */

import { baselineForMiddle, element, group, text } from './svg.js';
import { fitText, textWidth } from './text.js';
import { FONT_SIZE } from './theme.js';

export type Swatch =
  | { kind: 'line'; color: string; dash?: string; width?: number }
  | { kind: 'point'; color: string }
  | { kind: 'area'; color: string; opacity?: number };

export interface LegendItem {
  label: string;
  swatch: Swatch;
}

/** A laid-out legend: its size, and its markup once placed with its top-left corner at (x, y). */
export interface LegendBlock {
  width: number;
  height: number;
  render(x: number, y: number): string;
}

const SWATCH_WIDTH = 22;
const SWATCH_GAP = 6;
const ITEM_GAP = 18;
const ROW_HEIGHT = 18;

function swatchMarkup(swatch: Swatch, x: number, middle: number): string {
  switch (swatch.kind) {
    case 'line':
      return element('line', {
        x1: x,
        y1: middle,
        x2: x + SWATCH_WIDTH,
        y2: middle,
        stroke: swatch.color,
        'stroke-width': swatch.width ?? 2,
        'stroke-dasharray': swatch.dash,
      });
    case 'point':
      return element('circle', {
        cx: x + SWATCH_WIDTH / 2,
        cy: middle,
        r: 4,
        fill: swatch.color,
        stroke: '#ffffff',
        'stroke-width': 1,
      });
    case 'area':
      return element('rect', {
        x,
        y: middle - 6,
        width: SWATCH_WIDTH,
        height: 12,
        fill: swatch.color,
        'fill-opacity': swatch.opacity ?? 1,
      });
  }
}

function itemMarkup(item: LegendItem, label: string, x: number, top: number): string {
  const middle = top + ROW_HEIGHT / 2;
  return (
    swatchMarkup(item.swatch, x, middle) +
    text(x + SWATCH_WIDTH + SWATCH_GAP, baselineForMiddle(middle, FONT_SIZE.legend), label, { size: FONT_SIZE.legend })
  );
}

function itemWidth(label: string): number {
  return SWATCH_WIDTH + SWATCH_GAP + textWidth(label, FONT_SIZE.legend);
}

/** Items flowing left to right, wrapping to new rows within `maxWidth`; labels too long for a row are shortened. */
export function legendRows(items: readonly LegendItem[], maxWidth: number): LegendBlock {
  const labelRoom = maxWidth - SWATCH_WIDTH - SWATCH_GAP;
  const labels = items.map((item) => fitText(item.label, labelRoom, FONT_SIZE.legend));
  const positions: { x: number; row: number }[] = [];
  let x = 0;
  let row = 0;
  let widest = 0;
  labels.forEach((label) => {
    const width = itemWidth(label);
    if (x > 0 && x + width > maxWidth) {
      row++;
      x = 0;
    }
    positions.push({ x, row });
    widest = Math.max(widest, x + width);
    x += width + ITEM_GAP;
  });
  return {
    width: widest,
    height: items.length === 0 ? 0 : (row + 1) * ROW_HEIGHT,
    render: (left, top) =>
      group(
        { class: 'legend' },
        items.map((item, i) => itemMarkup(item, labels[i], left + positions[i].x, top + positions[i].row * ROW_HEIGHT)),
      ),
  };
}

/** Items stacked in one column no wider than `maxWidth`. */
export function legendColumn(items: readonly LegendItem[], maxWidth: number): LegendBlock {
  const labelRoom = maxWidth - SWATCH_WIDTH - SWATCH_GAP;
  const labels = items.map((item) => fitText(item.label, labelRoom, FONT_SIZE.legend));
  let widest = 0;
  for (const label of labels) widest = Math.max(widest, itemWidth(label));
  return {
    width: widest,
    height: items.length * ROW_HEIGHT,
    render: (left, top) =>
      group(
        { class: 'legend' },
        items.map((item, i) => itemMarkup(item, labels[i], left, top + i * ROW_HEIGHT)),
      ),
  };
}
