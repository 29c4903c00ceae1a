import { describe, expect, it } from 'vitest';
import { Seasonal } from './seasonal.js';

const DAY = 86_400_000;
const QUARTER = DAY / 4;

/** Feeds one point per 6-hour bucket for each day's values, returning the scores (score before learn). */
function feed(detector: Seasonal, days: number[][], firstDay = 0): number[] {
  const scores: number[] = [];
  days.forEach((values, day) => {
    values.forEach((value, bucket) => {
      scores.push(detector.scoreThenLearn({ ts: (firstDay + day) * DAY + bucket * QUARTER, value }));
    });
  });
  return scores;
}

describe('Seasonal', () => {
  it('scores a point against its bucket’s value on previous days over the pooled residual scale', () => {
    const detector = new Seasonal({ buckets: 4, neighbours: 0, weekly: false, alpha: 0.5 });
    // Day 0 sets the profile 1,2,3,4 (nothing to compare with: scores 0).
    // Day 1 (2,2,3,5) has residuals 1,0,0,1: pooled mean |r| = 0.5 (a plain mean while warming up).
    const scores = feed(detector, [
      [1, 2, 3, 4],
      [2, 2, 3, 5],
    ]);
    expect(scores.slice(0, 4)).toEqual([0, 0, 0, 0]);
    // Day 2, bucket 0: expected 1 + 0.5·(2 − 1) = 1.5; x = 3.5 → residual 2 → 2/(1.2533141373155003·0.5)
    expect(detector.scoreOne({ ts: 2 * DAY, value: 3.5 })).toBeCloseTo(3.191538243211461, 12);
  });

  it('never lets today’s points predict today', () => {
    const detector = new Seasonal({ buckets: 4, neighbours: 1, weekly: false });
    feed(detector, [
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ]);
    // Day 2 starts with an outlier in bucket 0; bucket 1 then sees 100 again. Its neighbours (buckets 0..2) are
    // expected from days 0–1 only (1, 2, 3), not from the 100 just seen: the residual stays 97.
    // Pooled scale: residuals 0,0,0,0 on day 1, then |100 − 4| = 96 (closest of buckets 3, 0, 1) → mean |r| 96/5.
    detector.learnOne({ ts: 2 * DAY, value: 100 });
    expect(detector.scoreOne({ ts: 2 * DAY + QUARTER, value: 100 })).toBeCloseTo(97 / (1.2533141373155003 * 19.2), 12);
  });

  it('tolerates a pattern shifted by one bucket when neighbours = 1', () => {
    const withNeighbours = new Seasonal({ buckets: 8, neighbours: 1, weekly: false });
    const strict = new Seasonal({ buckets: 8, neighbours: 0, weekly: false });
    const day = [0, 0, 10, 10, 10, 0, 0, 0];
    const noisyDay = [0.5, 0, 10, 10.5, 10, 0, 0.5, 0];
    for (const detector of [withNeighbours, strict]) {
      for (let d = 0; d < 3; d++) {
        (d === 1 ? noisyDay : day).forEach((value, bucket) => {
          detector.learnOne({ ts: d * DAY + (bucket * DAY) / 8, value });
        });
      }
    }
    // On day 3 the high period starts one bucket early.
    const early = { ts: 3 * DAY + DAY / 8, value: 10 };
    expect(withNeighbours.scoreOne(early)).toBeLessThan(1);
    expect(strict.scoreOne(early)).toBeGreaterThan(5);
  });

  it('uses the weekly profile when it explains a point better than the daily one', () => {
    const daily = new Seasonal({ buckets: 4, neighbours: 0, weekly: false });
    const weekly = new Seasonal({ buckets: 4, neighbours: 0, weekly: true });
    // Two weeks where one weekday (day 3 of each week) runs at 50 instead of 10.
    for (const detector of [daily, weekly]) {
      for (let d = 0; d < 14; d++) {
        for (let bucket = 0; bucket < 4; bucket++) {
          const value = (d % 7 === 3 ? 50 : 10) + (bucket % 2) * 0.5;
          detector.learnOne({ ts: d * DAY + bucket * QUARTER, value });
        }
      }
    }
    const busyDay = { ts: 17 * DAY, value: 50 };
    expect(weekly.scoreOne(busyDay)).toBeLessThan(0.5);
    expect(daily.scoreOne(busyDay)).toBeGreaterThan(2);
  });
});
