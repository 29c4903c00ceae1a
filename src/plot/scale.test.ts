import { describe, expect, it } from 'vitest';
import { linearScale, linearTicks, multiplesIn, niceDomain, niceStep, timeTicks } from './scale.js';

const utc = Date.UTC;

describe('niceStep', () => {
  // Expected steps from d3-array's tickIncrement rule (thresholds √50, √10, √2), worked by hand:
  // span 1 / 5 = 0.2 → 0.2; span 84 / 5 = 16.8 → 1.68 ≥ √2 → 20; span 0.35 / 6 = 0.058 → 5.8 ≥ √10 → 0.05;
  // span 1000 / 10 = 100 → 1 < √2 → 100; span 7.5 / 1 = 7.5 ≥ √50 → 10.
  it.each([
    [1, 5, 0.2],
    [84, 5, 20],
    [0.35, 6, 0.05],
    [1000, 10, 100],
    [7.5, 1, 10],
  ])('span %d in about %d steps → %d', (span, count, step) => {
    expect(niceStep(span, count)).toBeCloseTo(step, 12);
  });
});

describe('linearTicks', () => {
  it('0–1 → 0, 0.2, …, 1 with one decimal each', () => {
    const ticks = linearTicks(0, 1, 5);
    expect(ticks.values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks.labels).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
  });

  it('13–97 → 20, 40, 60, 80 (as d3.ticks(13, 97, 5))', () => {
    expect(linearTicks(13, 97, 5).values).toEqual([20, 40, 60, 80]);
  });

  it('produces exact decimal multiples, never 0.30000000000000004', () => {
    expect(linearTicks(0, 0.3, 3).values).toEqual([0, 0.1, 0.2, 0.3]);
    expect(linearTicks(-0.1, 0.25, 6).values).toEqual([-0.1, -0.05, 0, 0.05, 0.1, 0.15, 0.2, 0.25]);
  });

  it('labels negatives with a true minus sign', () => {
    expect(linearTicks(-1, 1, 4).labels).toEqual(['−1.0', '−0.5', '0.0', '0.5', '1.0']);
  });

  it('never yields −0', () => {
    for (const value of multiplesIn(-0, 1, 0.5)) expect(Object.is(value, -0)).toBe(false);
  });
});

describe('niceDomain', () => {
  it('widens 13–97 outwards to 0–100 with ticks every 20', () => {
    const { domain, ticks } = niceDomain(13, 97, 5);
    expect(domain).toEqual([0, 100]);
    expect(ticks.values).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it('gives a constant series a readable axis around its value', () => {
    const { domain, ticks } = niceDomain(5, 5, 5);
    expect(domain[0]).toBeLessThan(5);
    expect(domain[1]).toBeGreaterThan(5);
    expect(ticks.values.length).toBeGreaterThanOrEqual(2);
  });

  it('gives an all-zero series the axis −1 to 1', () => {
    expect(niceDomain(0, 0, 4).domain).toEqual([-1, 1]);
  });
});

describe('linearScale', () => {
  it('maps the domain onto a reversed pixel range (y axes)', () => {
    const scale = linearScale([0, 100], [400, 0]);
    expect(scale.map(0)).toBe(400);
    expect(scale.map(100)).toBe(0);
    expect(scale.map(25)).toBe(300);
  });

  it('maps a zero-width domain to the middle of the range', () => {
    expect(linearScale([3, 3], [0, 10]).map(3)).toBe(5);
  });
});

describe('timeTicks (UTC)', () => {
  it('three days → every 12 hours, midnights labelled with the date', () => {
    const ticks = timeTicks(utc(2026, 0, 1), utc(2026, 0, 4), 6);
    expect(ticks.unit).toBe('hour');
    expect(ticks.labels).toEqual(['Jan 01', '12:00', 'Jan 02', '12:00', 'Jan 03', '12:00', 'Jan 04']);
    expect(ticks.values[1]).toBe(utc(2026, 0, 1, 12));
  });

  it('one hour starting at 10:07 → quarter hours', () => {
    const ticks = timeTicks(utc(2026, 0, 1, 10, 7), utc(2026, 0, 1, 11, 7), 6);
    expect(ticks.labels).toEqual(['10:15', '10:30', '10:45', '11:00']);
  });

  it('45 days → weeks starting on Monday', () => {
    const ticks = timeTicks(utc(2026, 0, 1), utc(2026, 1, 15), 6);
    expect(ticks.labels).toEqual(['Jan 05', 'Jan 12', 'Jan 19', 'Jan 26', 'Feb 02', 'Feb 09']);
    // 2026-01-05 is a Monday.
    expect(new Date(ticks.values[0]).getUTCDay()).toBe(1);
  });

  it('14 months → quarters, year starts labelled with the year', () => {
    const ticks = timeTicks(utc(2025, 10, 15), utc(2027, 0, 10), 6);
    expect(ticks.labels).toEqual(['2026', 'Apr', 'Jul', 'Oct', '2027']);
  });

  it('twenty years → every 5 years', () => {
    const ticks = timeTicks(utc(2010, 0, 1), utc(2030, 0, 1), 5);
    expect(ticks.labels).toEqual(['2010', '2015', '2020', '2025', '2030']);
  });

  it('40 seconds → seconds shown, the midnight tick as the date', () => {
    const ticks = timeTicks(utc(2026, 0, 1, 0, 0, 0), utc(2026, 0, 1, 0, 0, 40), 4);
    expect(ticks.labels[0]).toBe('Jan 01');
    expect(ticks.labels[1]).toMatch(/^00:00:\d\d$/);
  });

  it('a span shorter than any step still yields one labelled tick', () => {
    const ticks = timeTicks(utc(2026, 0, 1, 0, 0, 0, 100), utc(2026, 0, 1, 0, 0, 0, 600), 6);
    expect(ticks.values).toHaveLength(1);
  });
});
