/**
 * Text measurement without a DOM: advance widths of DejaVu Sans (the font the PNG renderer uses), so margins can be
 * sized to the labels they hold and long labels can be shortened before they collide or get clipped.
 */

// Advance widths in em of ASCII 32..126, from the font files:
// /usr/bin/python3 -c "from fontTools.ttLib import TTFont; t=TTFont('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf');
//   c=t.getBestCmap(); print([round(t['hmtx'][c[i]][0]/2048,3) for i in range(32,127)])"   (and DejaVuSans-Bold.ttf)
const REGULAR = [
  0.318, 0.401, 0.46, 0.838, 0.636, 0.95, 0.78, 0.275, 0.39, 0.39, 0.5, 0.838, 0.318, 0.361, 0.318, 0.337, 0.636, 0.636,
  0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337, 0.337, 0.838, 0.838, 0.838, 0.531, 1.0, 0.684, 0.686,
  0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787, 0.603, 0.787, 0.695, 0.635,
  0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.39, 0.337, 0.39, 0.838, 0.5, 0.5, 0.613, 0.635, 0.55, 0.635, 0.615,
  0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592,
  0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838,
];
const BOLD = [
  0.348, 0.456, 0.521, 0.838, 0.696, 1.002, 0.872, 0.306, 0.457, 0.457, 0.523, 0.838, 0.38, 0.415, 0.38, 0.365, 0.696,
  0.696, 0.696, 0.696, 0.696, 0.696, 0.696, 0.696, 0.696, 0.696, 0.4, 0.4, 0.838, 0.838, 0.838, 0.58, 1.0, 0.774, 0.762,
  0.734, 0.83, 0.683, 0.683, 0.821, 0.837, 0.372, 0.372, 0.775, 0.637, 0.995, 0.837, 0.85, 0.733, 0.85, 0.77, 0.72,
  0.682, 0.812, 0.774, 1.103, 0.771, 0.724, 0.725, 0.457, 0.365, 0.457, 0.838, 0.5, 0.5, 0.675, 0.716, 0.593, 0.716,
  0.678, 0.435, 0.716, 0.712, 0.343, 0.343, 0.665, 0.343, 1.042, 0.712, 0.687, 0.716, 0.716, 0.493, 0.595, 0.478, 0.712,
  0.652, 0.924, 0.645, 0.652, 0.582, 0.712, 0.365, 0.712, 0.838,
];
/** Characters outside ASCII: most Latin/Greek letters and symbols are narrower than this; wide CJK glyphs are 1 em. */
const OTHER_WIDTH = 0.75;
const WIDE_WIDTH = 1.0;

export const ELLIPSIS = '…';

/** Estimated rendered width in pixels of `text` at `fontSize`. O(length). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let ems = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 32 && code <= 126) ems += table[code - 32];
    else if (code >= 0x1100) ems += WIDE_WIDTH;
    else ems += OTHER_WIDTH;
  }
  return ems * fontSize;
}

/** Widest of several labels, in pixels (0 for none). */
export function maxTextWidth(texts: readonly string[], fontSize: number, bold = false): number {
  let widest = 0;
  for (const text of texts) widest = Math.max(widest, textWidth(text, fontSize, bold));
  return widest;
}

/** `text` shortened with a trailing ellipsis so that it fits in `maxWidth` pixels; unchanged when it already fits. */
export function fitText(text: string, maxWidth: number, fontSize: number, bold = false): string {
  if (textWidth(text, fontSize, bold) <= maxWidth) return text;
  const chars = Array.from(text);
  const budget = maxWidth - textWidth(ELLIPSIS, fontSize, bold);
  let width = 0;
  let kept = 0;
  while (kept < chars.length) {
    const next = textWidth(chars[kept], fontSize, bold);
    if (width + next > budget) break;
    width += next;
    kept++;
  }
  return kept === 0 ? ELLIPSIS : `${chars.slice(0, kept).join('').trimEnd()}${ELLIPSIS}`;
}
