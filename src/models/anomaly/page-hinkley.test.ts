import { describe, expect, it } from 'vitest';
import { PageHinkley } from './page-hinkley.js';

describe('PageHinkley', () => {
  it('follows the Page–Hinkley recursion on a baseline of scale 1', () => {
    const detector = new PageHinkley({ minCount: 20, delta: 0.25, lambda: 100 });
    // Alternating 0, 2 for 20 points: baseline mean 1, population variance 1.
    for (let i = 0; i < 20; i++) detector.learnOne({ ts: i, value: i % 2 === 0 ? 0 : 2 });
    // First tested point x = 3: x̄ = 3, m⁺ = 3 − 3 − 0.25·1 = −0.25 = min m⁺ → PH⁺ = 0; likewise PH⁻ = 0.
    expect(detector.scoreOne({ ts: 20, value: 3 })).toBe(0);
    detector.learnOne({ ts: 20, value: 3 });
    // Baseline after 21 points: σ = √((20/21)(1 + 4/21)) = 1.0647942749998998.
    // x = 5: x̄ = 4, m⁺ = −0.25 + (5 − 4 − 0.25σ) = 0.48380143125002506, min m⁺ = −0.25
    // → PH⁺/σ = 0.73380143125/1.06479427 = 0.6891485505499118
    // python3: s=math.sqrt((20/21)*(1+4/21)); print((-0.25+(5-4-0.25*s)+0.25)/s)
    expect(detector.scoreOne({ ts: 21, value: 5 })).toBeCloseTo(0.6891485505499118, 12);
  });

  it('flags a sustained shift and restarts after passing lambda', () => {
    const detector = new PageHinkley({ minCount: 20, lambda: 5 });
    for (let i = 0; i < 200; i++) detector.learnOne({ ts: i, value: i % 2 === 0 ? 0 : 2 });
    const scores: number[] = [];
    for (let i = 200; i < 240; i++) scores.push(detector.scoreThenLearn({ ts: i, value: i % 2 === 0 ? 3 : 5 }));
    const firstAlarm = scores.findIndex((score) => score > 5);
    expect(firstAlarm).toBeGreaterThan(0);
    expect(firstAlarm).toBeLessThan(10);
    // After the alarm the test restarts: the next statistic starts again from 0.
    expect(scores[firstAlarm + 1]).toBeLessThan(scores[firstAlarm]);
  });
});
