import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from './time.js';

describe('parseTimestamp', () => {
  it('reads ISO-8601 with Z, an offset, no zone (UTC), a space for T, fractions and a bare date', () => {
    // node -e "console.log(Date.UTC(2026, 0, 1))"
    expect(parseTimestamp('2026-01-01T00:00:00Z')).toBe(1_767_225_600_000);
    expect(parseTimestamp('2026-01-01T02:00:00+02:00')).toBe(1_767_225_600_000);
    expect(parseTimestamp('2025-12-31T19:00:00-0500')).toBe(1_767_225_600_000);
    expect(parseTimestamp('2026-01-01 00:00:00')).toBe(1_767_225_600_000);
    expect(parseTimestamp('2026-01-01T00:00:00.250Z')).toBe(1_767_225_600_250);
    expect(parseTimestamp('2026-01-01T00:00')).toBe(1_767_225_600_000);
    expect(parseTimestamp('2026-01-01')).toBe(1_767_225_600_000);
  });

  it('takes epoch milliseconds as they are', () => {
    expect(parseTimestamp(1_767_225_600_000)).toBe(1_767_225_600_000);
    expect(parseTimestamp(0)).toBe(0);
  });

  it('refuses unknown formats, impossible dates and out-of-range or non-finite numbers', () => {
    for (const bad of [
      'yesterday',
      '01/02/2026',
      '2026-13-01',
      '2026-02-30',
      '2026-01-01T25:00:00Z',
      '',
      '1767225600000',
    ]) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, 1e16, true, null, {}]) {
      expect(parseTimestamp(bad), String(bad)).toBeUndefined();
    }
  });

  it('round-trips through formatTimestamp', () => {
    expect(parseTimestamp(formatTimestamp(1_767_225_600_123))).toBe(1_767_225_600_123);
  });
});
