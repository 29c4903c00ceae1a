import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { AnomalyEnsemble } from './ensemble.js';

const FIVE_MINUTES = 300_000;

/** Ten days of a noisy daily pattern at 5-minute steps, with one afternoon where the daily rise does not happen. */
function dailySeries(): { ts: number; value: number }[] {
  const rng = new Rng(21);
  const points: { ts: number; value: number }[] = [];
  for (let i = 0; i < 10 * 288; i++) {
    const minuteOfDay = (i % 288) * 5;
    const high = minuteOfDay >= 9 * 60 && minuteOfDay < 18 * 60;
    const missingRise = i >= 8 * 288 && i < 9 * 288;
    points.push({
      ts: Date.UTC(2026, 0, 1) + i * FIVE_MINUTES,
      value: (high && !missingRise ? 80 : 20) + rng.normal(),
    });
  }
  return points;
}

describe('AnomalyEnsemble', () => {
  const points = dailySeries();
  const detector = new AnomalyEnsemble();
  const scores = points.map((point) => detector.scoreThenLearn(point));

  it('reports nothing during warm-up and a likelihood within [0, 1] afterwards', () => {
    expect(scores.slice(0, 300).every((score) => score === 0)).toBe(true);
    expect(scores.every((score) => score >= 0 && score <= 1)).toBe(true);
  });

  it('rates the missing daily rise far above every ordinary point', () => {
    const anomalyStart = 8 * 288 + (9 * 60) / 5;
    const during = Math.max(...scores.slice(anomalyStart, anomalyStart + 24));
    const before = Math.max(...scores.slice(300, 8 * 288));
    expect(during).toBeGreaterThan(0.5);
    expect(before).toBeLessThan(during - 0.2);
  });

  it('explains a score by the rarity each component gives the point', () => {
    const probe = new AnomalyEnsemble();
    points.slice(0, 2000).forEach((point) => {
      probe.learnOne(point);
    });
    const rarities = probe.componentRarities({ ts: points[2000].ts, value: 500 });
    const { components } = probe.getConfig();
    expect(rarities).toHaveLength(components.length);
    // The seasonal profile sees a value far beyond anything expected at that time: many decades of rarity.
    expect(rarities[components.indexOf('seasonal')]).toBeGreaterThan(100);
  });
});
