import { describe, expect, it } from 'vitest';
import { ELLIPSIS, fitText, textWidth } from './text.js';

describe('textWidth', () => {
  // DejaVu Sans advance widths (fontTools, hmtx / 2048): '0' = 1302 units = 0.636 em, 'i' = 0.278 em.
  it('sums DejaVu Sans advance widths', () => {
    expect(textWidth('00', 10)).toBeCloseTo(12.72, 10);
    expect(textWidth('i', 100)).toBeCloseTo(27.8, 10);
    expect(textWidth('0', 10, true)).toBeCloseTo(6.96, 10);
  });
});

describe('fitText', () => {
  it('keeps text that fits', () => {
    expect(fitText('Torque', 200, 12)).toBe('Torque');
  });

  it('shortens text that does not fit, ending in an ellipsis, within the width', () => {
    const long = 'sensor_01_rolling_mean_24h_with_a_very_long_suffix';
    const fitted = fitText(long, 120, 12);
    expect(fitted.endsWith(ELLIPSIS)).toBe(true);
    expect(textWidth(fitted, 12)).toBeLessThanOrEqual(120);
    expect(long.startsWith(fitted.slice(0, -1))).toBe(true);
  });
});
