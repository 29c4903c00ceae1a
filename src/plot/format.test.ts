import { describe, expect, it } from 'vitest';
import {
  decimalsForStep,
  formatCount,
  formatDateTime,
  formatPercent,
  formatTicks,
  formatTimeTick,
  formatValue,
} from './format.js';

describe('formatTicks', () => {
  it('uses the decimals of the step for every label', () => {
    expect(formatTicks([0, 0.5, 1, 1.5])).toEqual(['0.0', '0.5', '1.0', '1.5']);
    expect(formatTicks([640, 642, 644])).toEqual(['640', '642', '644']);
    expect(decimalsForStep(0.05)).toBe(2);
  });

  it('switches to k and M suffixes for large values', () => {
    expect(formatTicks([0, 20_000, 40_000])).toEqual(['0', '20k', '40k']);
    expect(formatTicks([1_000_000, 1_500_000, 2_000_000])).toEqual(['1.0M', '1.5M', '2.0M']);
  });

  it('uses exponents for tiny magnitudes', () => {
    expect(formatTicks([0, 2e-5, 4e-5])).toEqual(['0', '2e−5', '4e−5']);
  });
});

describe('formatValue, formatCount, formatPercent', () => {
  it('rounds to significant digits without trailing zeros', () => {
    expect(formatValue(0.08)).toBe('0.08');
    expect(formatValue(-0.0123)).toBe('−0.0123');
    expect(formatValue(1.8449)).toBe('1.84');
    expect(formatValue(12_345.6)).toBe('12,346');
    expect(formatValue(0)).toBe('0');
  });

  it('separates thousands in counts and gives percentages one decimal', () => {
    expect(formatCount(9652)).toBe('9,652');
    expect(formatPercent(0.99431)).toBe('99.4%');
  });
});

describe('time labels', () => {
  const at = Date.UTC(2026, 1, 3, 6, 30, 15);
  it('shows only what changes at the tick', () => {
    expect(formatTimeTick(at, 'second')).toBe('06:30:15');
    expect(formatTimeTick(at, 'minute')).toBe('06:30');
    expect(formatTimeTick(Date.UTC(2026, 1, 3), 'hour')).toBe('Feb 03');
    expect(formatTimeTick(Date.UTC(2026, 1, 1), 'month')).toBe('Feb');
    expect(formatTimeTick(Date.UTC(2026, 0, 1), 'month')).toBe('2026');
  });

  it('writes full UTC date-times for axis titles', () => {
    expect(formatDateTime(at)).toBe('2026-02-03 06:30');
  });
});
