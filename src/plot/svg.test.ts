import { describe, expect, it } from 'vitest';
import { element, escapeXml, num, polylinePath, svgDocument, text } from './svg.js';

describe('escapeXml', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
  });

  it('drops control characters XML cannot hold, keeps tabs and newlines', () => {
    expect(escapeXml('a\u0000b\u0007c\td\ne')).toBe('abc\td\ne');
  });
});

describe('elements', () => {
  it('escapes text content and attribute values', () => {
    expect(text(10, 20, 'pump <&> "1"', { size: 12 })).toBe(
      '<text x="10" y="20" font-size="12">pump &lt;&amp;&gt; &quot;1&quot;</text>',
    );
    expect(element('rect', { 'aria-label': 'a<b', width: 3, skipped: undefined })).toBe(
      '<rect aria-label="a&lt;b" width="3"/>',
    );
  });

  it('writes coordinates with at most two decimals and never −0', () => {
    expect(num(1.23456)).toBe('1.23');
    expect(num(-0.001)).toBe('0');
  });

  it('breaks a polyline at non-finite points instead of joining across the gap', () => {
    expect(polylinePath([0, 1, Number.NaN, 3, 4], [0, 1, 2, 3, 4])).toBe('M0 0L1 1M3 3L4 4');
  });

  it('wraps the body in a standalone document with its size and viewBox', () => {
    const svg = svgDocument({ width: 800, height: 500, label: 'T&C' }, ['<g/>']);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="500" viewBox="0 0 800 500"/);
    expect(svg).toContain('aria-label="T&amp;C"');
  });
});
