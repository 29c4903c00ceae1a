import { describe, expect, it } from 'vitest';
import { HoltResidual } from './holt-residual.js';

describe('HoltResidual', () => {
  it('follows Holt’s recursions step by step on a ramp', () => {
    const detector = new HoltResidual({ alpha: 0.5, beta: 0.02, minCount: 2 });
    detector.learnOne({ ts: 0, value: 0 }); // level 0, trend 0
    detector.learnOne({ ts: 1, value: 2 }); // residual 2 (mean |r| 2); level 0.5·2 + 0.5·0 = 1; trend 0.02·1 = 0.02
    // residual |4 − 1.02| = 2.98 → mean |r| = 2 + (2.98 − 2)/2 = 2.49;
    // level 0.5·4 + 0.5·1.02 = 2.51; trend 0.02·(2.51 − 1) + 0.98·0.02 = 0.0498
    detector.learnOne({ ts: 2, value: 4 });
    expect(detector.forecast()).toBeCloseTo(2.5598, 12);
    // |6 − 2.5598| / (1.2533141373155003 · 2.49) = 1.102362436174304
    expect(detector.scoreOne({ ts: 3, value: 6 })).toBeCloseTo(1.102362436174304, 12);
  });

  it('learns a linear trend so a continuing ramp stops looking anomalous', () => {
    const detector = new HoltResidual({ beta: 0.2 });
    const scores: number[] = [];
    for (let t = 0; t < 300; t++) scores.push(detector.scoreThenLearn({ ts: t, value: 3 * t + (t % 2) }));
    expect(Math.max(...scores.slice(250))).toBeLessThan(3);
    // A jump off the trend stands out.
    expect(detector.scoreOne({ ts: 300, value: 3 * 300 + 40 })).toBeGreaterThan(20);
  });
});
