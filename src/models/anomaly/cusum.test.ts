import { describe, expect, it } from 'vitest';
import { Cusum } from './cusum.js';

/** Twenty points alternating 0, 2: running mean 1 and population variance 1 (the baseline's warm start). */
function warmedUp(options: ConstructorParameters<typeof Cusum>[0]): Cusum {
  const detector = new Cusum({ minCount: 20, ...options });
  for (let i = 0; i < 20; i++) detector.learnOne({ ts: i, value: i % 2 === 0 ? 0 : 2 });
  return detector;
}

describe('Cusum', () => {
  it('accumulates standardised excess over the allowance k', () => {
    const detector = warmedUp({ k: 0.5, h: 10 });
    // z = (4 − 1)/1 = 3 → S⁺ = max(0, 0 + 3 − 0.5) = 2.5
    expect(detector.scoreOne({ ts: 20, value: 4 })).toBeCloseTo(2.5, 12);
    detector.learnOne({ ts: 20, value: 4 });
    // Baseline after 21 points: μ = 1 + 3/21 = 1.142857…, σ² = (20/21)(1 + 9/21) = 1.360544…
    // z = (4 − μ)/σ = 2.4494897427831783 → S⁺ = 2.5 + z − 0.5 = 4.449489742783179
    // python3: m=1+3/21; v=(20/21)*(1+9/21); print(2.5+(4-m)/math.sqrt(v)-0.5)
    expect(detector.scoreOne({ ts: 21, value: 4 })).toBeCloseTo(4.449489742783179, 12);
  });

  it('restarts both sums after passing h', () => {
    const detector = warmedUp({ k: 0.5, h: 4 });
    detector.learnOne({ ts: 20, value: 4 }); // S⁺ = 2.5 ≤ h: kept
    detector.learnOne({ ts: 21, value: 4 }); // S⁺ = 4.449 > h: reported, then reset to 0
    // Baseline mean after 22 points: 1.142857 + (4 − 1.142857)/22 = 1.2727…; a point there adds max(0, 0 − k) = 0.
    // Without the restart the score would be 4.449 − 0.5 = 3.949.
    expect(detector.scoreOne({ ts: 22, value: 1.2727272727272727 })).toBe(0);
  });
});
