/** The frame around a chart's plot: title, subtitle and a legend under them. */

import type { ChartOptions } from './data.js';
import { type LegendItem, legendRows } from './legend.js';
import { baselineForTop, lineHeight, text } from './svg.js';
import { fitText } from './text.js';
import { COLORS, FONT_SIZE, SPACING } from './theme.js';

export interface Header {
  /** y of the first free pixel row below the header. */
  bottom: number;
  markup: string;
}

/**
 * Title, subtitle and (when given) a legend in rows, left-aligned from the top-left corner; each shortened with an
 * ellipsis rather than running off the chart.
 */
export function layoutHeader(width: number, options: ChartOptions, legend: readonly LegendItem[] = []): Header {
  const left = SPACING.outer;
  const room = width - 2 * SPACING.outer;
  const parts: string[] = [];
  let y = SPACING.outer;
  if (options.title) {
    const title = fitText(options.title, room, FONT_SIZE.title, true);
    parts.push(text(left, baselineForTop(y, FONT_SIZE.title), title, { size: FONT_SIZE.title, bold: true }));
    y += lineHeight(FONT_SIZE.title);
  }
  if (options.subtitle) {
    if (options.title) y += 2;
    const subtitle = fitText(options.subtitle, room, FONT_SIZE.subtitle);
    parts.push(
      text(left, baselineForTop(y, FONT_SIZE.subtitle), subtitle, { size: FONT_SIZE.subtitle, fill: COLORS.mutedText }),
    );
    y += lineHeight(FONT_SIZE.subtitle);
  }
  if (legend.length > 0) {
    if (y > SPACING.outer) y += SPACING.titleGap - 2;
    const block = legendRows(legend, room);
    parts.push(block.render(left, y));
    y += block.height;
  }
  if (y > SPACING.outer) y += SPACING.titleGap;
  return { bottom: y, markup: parts.join('') };
}
