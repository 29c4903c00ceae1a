/** Colour interpolation for heatmaps, and the choice of a readable text colour on a given fill. */

import { HEATMAP_STOPS } from './theme.js';

function channels(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
}

/** The colour at `t` in [0, 1] (clamped) along evenly spaced `stops`, interpolated linearly in RGB. */
export function interpolateColor(t: number, stops: readonly string[] = HEATMAP_STOPS): string {
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const position = clamped * (stops.length - 1);
  const index = Math.min(stops.length - 2, Math.floor(position));
  const fraction = position - index;
  const from = channels(stops[index]);
  const to = channels(stops[index + 1]);
  return toHex(from.map((channel, i) => channel + (to[i] - channel) * fraction));
}

/** WCAG relative luminance of a #rrggbb colour (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((channel) => {
    const s = channel / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Black or white, whichever contrasts more with `background`. */
export function textColorOn(background: string): string {
  const luminance = relativeLuminance(background);
  // Contrast with white (1.05 / (L + 0.05)) against contrast with near-black text (L + 0.05) / 0.05.
  return 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.06 ? '#ffffff' : '#1a1a1a';
}
