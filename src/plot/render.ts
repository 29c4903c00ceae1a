/** Charts to files: `.svg` written as is, `.png` rasterised with resvg (no browser needed). */

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { describeValue, ValidationError } from '../core/errors.js';
import { RENDER_FONT_FAMILY } from './theme.js';

export interface PngOptions {
  /** Pixels per SVG pixel; 2 (default) keeps text crisp on high-density screens and in documents. */
  scale?: number;
}

/** Rasterises an SVG document to PNG bytes, using the system's fonts (DejaVu Sans preferred). */
export function renderPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 2;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > 8) {
    throw new ValidationError(`scale must be a number above 0 and at most 8, got ${describeValue(scale)}`);
  }
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: true,
      defaultFontFamily: RENDER_FONT_FAMILY,
      sansSerifFamily: RENDER_FONT_FAMILY,
    },
    shapeRendering: 2,
    textRendering: 1,
  });
  return resvg.render().asPng();
}

/** The output formats `writeChart` understands, by file extension. */
export const CHART_EXTENSIONS = ['.svg', '.png'] as const;

/**
 * Writes a chart to `path`, choosing the format by extension (`.svg` or `.png`, any case); creates missing parent
 * directories. Any other extension is a ValidationError naming it.
 */
export async function writeChart(svg: string, path: string, options: PngOptions = {}): Promise<void> {
  const extension = extname(path).toLowerCase();
  if (extension !== '.svg' && extension !== '.png') {
    throw new ValidationError(
      `output file ${describeValue(path)}: unknown extension ${describeValue(extension || '(none)')}, use .svg or .png`,
    );
  }
  const content = extension === '.svg' ? svg : renderPng(svg, options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}
