/**
 * SVG as strings: escaping, elements, text and paths. No DOM; every function returns markup that can be concatenated.
 * Text content and attribute values are always escaped here, so a label such as `<&>` can never break the document.
 */

import { COLORS, FONT_FAMILY } from './theme.js';

/** Characters XML 1.0 forbids outright (control characters other than tab, newline, carriage return). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters being removed
const FORBIDDEN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for use as XML character data or a quoted attribute value; drops characters XML cannot hold. */
export function escapeXml(text: string): string {
  return text.replace(FORBIDDEN_XML, '').replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/** A coordinate or length with at most two decimals and no `-0`, to keep documents small. */
export function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

export type AttributeValue = string | number | undefined;
export type Attributes = Readonly<Record<string, AttributeValue>>;

function attributeText(attributes: Attributes): string {
  let out = '';
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    out += ` ${name}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;
  }
  return out;
}

/** An element; `children` is markup (already built by these functions), not text. */
export function element(tag: string, attributes: Attributes = {}, children: string | readonly string[] = ''): string {
  const content = typeof children === 'string' ? children : children.join('');
  return content === ''
    ? `<${tag}${attributeText(attributes)}/>`
    : `<${tag}${attributeText(attributes)}>${content}</${tag}>`;
}

/** A group of children sharing attributes (stroke, fill, clip-path…). */
export function group(attributes: Attributes, children: string | readonly string[]): string {
  const content = typeof children === 'string' ? children : children.join('');
  return content === '' ? '' : element('g', attributes, content);
}

export interface TextStyle {
  size: number;
  anchor?: 'start' | 'middle' | 'end';
  bold?: boolean;
  fill?: string;
  /** Degrees, rotating the text about its anchor point. */
  rotate?: number;
}

/**
 * A single line of text whose baseline starts at (x, y). The renderer's support for `dominant-baseline` varies, so
 * callers place baselines themselves: see `baselineForTop` and `baselineForMiddle`.
 */
export function text(x: number, y: number, content: string, style: TextStyle): string {
  return `<text${attributeText({
    x,
    y,
    'font-size': style.size,
    'font-weight': style.bold ? 'bold' : undefined,
    'text-anchor': style.anchor && style.anchor !== 'start' ? style.anchor : undefined,
    fill: style.fill && style.fill !== COLORS.text ? style.fill : undefined,
    transform: style.rotate ? `rotate(${num(style.rotate)} ${num(x)} ${num(y)})` : undefined,
  })}>${escapeXml(content)}</text>`;
}

/**
 * Text with a white outline behind the glyphs, readable where it crosses lines or data (the renderer honours
 * `paint-order`, so the outline is painted first).
 */
export function haloText(x: number, y: number, content: string, style: TextStyle): string {
  const plain = text(x, y, content, style);
  return plain.replace(
    '<text ',
    '<text stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke" ',
  );
}

/** Ascent of DejaVu Sans capitals and digits (0.73 em) rounded up: the baseline for text whose top is at `top`. */
export function baselineForTop(top: number, fontSize: number): number {
  return top + fontSize * 0.76;
}

/** The baseline that centres digits and capitals vertically on `middle`. */
export function baselineForMiddle(middle: number, fontSize: number): number {
  return middle + fontSize * 0.36;
}

/** Line height used to stack lines of text of `fontSize`. */
export function lineHeight(fontSize: number): number {
  return Math.ceil(fontSize * 1.3);
}

/** A polyline path through points; non-finite coordinates break the line (a gap), they are not joined across. */
export function polylinePath(xs: ArrayLike<number>, ys: ArrayLike<number>): string {
  const parts: string[] = [];
  let penDown = false;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      penDown = false;
      continue;
    }
    parts.push(`${penDown ? 'L' : 'M'}${num(x)} ${num(y)}`);
    penDown = true;
  }
  return parts.join('');
}

export interface DocumentOptions {
  width: number;
  height: number;
  /** Accessible name of the chart (usually its title). */
  label?: string;
}

/** A complete standalone SVG document with a white background and the chart font set once at the root. */
export function svgDocument(options: DocumentOptions, body: readonly string[]): string {
  const { width, height } = options;
  const attributes = attributeText({
    xmlns: 'http://www.w3.org/2000/svg',
    width,
    height,
    viewBox: `0 0 ${num(width)} ${num(height)}`,
    'font-family': FONT_FAMILY,
    fill: COLORS.text,
    role: 'img',
    'aria-label': options.label,
  });
  const background = element('rect', { width, height, fill: COLORS.background });
  return `<svg${attributes}>${background}${body.join('')}</svg>\n`;
}
