/**
 * The look shared by every chart: size, fonts, a colour-blind-safe palette and spacing. Charts read these constants;
 * nothing else in src/plot hard-codes a colour or a font size.
 */

/** Default chart size in CSS pixels; PNGs are rendered at twice this by default. */
export const DEFAULT_WIDTH = 800;
export const DEFAULT_HEIGHT = 500;

/**
 * Font stack: DejaVu Sans is what the PNG renderer finds on Debian (package fonts-dejavu-core); browsers viewing the
 * SVG fall back to their own sans-serif. Text widths in text.ts are measured on DejaVu Sans, the widest of these, so
 * layouts that fit it fit the others.
 */
export const FONT_FAMILY = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";
export const RENDER_FONT_FAMILY = 'DejaVu Sans';

export const FONT_SIZE = {
  title: 16,
  subtitle: 12,
  axisTitle: 13,
  tick: 12,
  legend: 12,
  annotation: 11,
} as const;

/**
 * Series colours: the Okabe–Ito palette (https://jfly.uni-koeln.de/color/), distinguishable with every common form of
 * colour blindness. Vermillion is kept out of this list: it marks anomalies, alerts and positive contributions.
 */
export const SERIES_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#000000', '#999933'] as const;

export const COLORS = {
  background: '#ffffff',
  text: '#1a1a1a',
  mutedText: '#555555',
  axis: '#333333',
  grid: '#e3e3e3',
  reference: '#666666',
  /** Anomaly markers, alert periods, bars that raise a prediction (Okabe–Ito vermillion). */
  highlight: '#D55E00',
  /** Bars that lower a prediction (Okabe–Ito blue). */
  lowering: '#0072B2',
  /** Fitted lines drawn over data. */
  fit: '#000000',
  /** Prediction and confidence bands. */
  band: '#56B4E9',
} as const;

/** Sequential single-hue scale (ColorBrewer Blues, 5 stops) for heatmaps: light = low, dark = high. */
export const HEATMAP_STOPS = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'] as const;

/** Outer padding of the chart, tick length and the gap between a tick and its label, in pixels. */
export const SPACING = {
  outer: 16,
  tickLength: 5,
  tickGap: 4,
  titleGap: 8,
  axisTitleGap: 10,
} as const;

/** Colour of the i-th series, cycling through the palette. */
export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}
