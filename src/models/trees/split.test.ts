import { describe, expect, it } from 'vitest';
import type { HistogramLayout } from './histogram.js';
import { emptyCandidate, findBestSplit, leafScore, leafWeight, type SplitParams } from './split.js';

// One feature: missing bin (G, H) = (2, 1), value bins 1..3 = (−4, 2), (−1, 2), (6, 3). Node totals G = 3, H = 8.
const histogram = Float64Array.of(2, 1, -4, 2, -1, 2, 6, 3);
const layout: HistogramLayout = {
  cols: 1,
  binCounts: Int32Array.of(4),
  offsets: Int32Array.of(0, 8),
  shift: 3,
  size: 8,
};
const features = Int32Array.of(0);
const params = (overrides: Partial<SplitParams> = {}): SplitParams => ({
  lambda: 1,
  alpha: 0,
  minChildWeight: 0,
  gamma: 0,
  ...overrides,
});

describe('split gain (XGBoost: T(G)²/(H+λ) of each child minus the parent)', () => {
  it('leaf weight and score by hand', () => {
    // −G/(H+λ) = 5/5 = 1; with α = 1: −(−5 + 1)/5 = 0.8.
    expect(leafWeight(-5, 4, params())).toBe(1);
    expect(leafWeight(-5, 4, params({ alpha: 1 }))).toBeCloseTo(0.8, 15);
    expect(leafWeight(0.5, 4, params({ alpha: 1 }))).toBe(0);
    // G²/(H+λ) = 25/5.
    expect(leafScore(-5, 4, params())).toBe(5);
  });

  it('finds the best bin and default direction', () => {
    // Parent score 3²/9 = 1. Candidates (gain = left + right − 1):
    //   s=1, missing left:  (−2,3),(5,5): 4/4 + 25/6 − 1 = 4.1667
    //   s=1, missing right: (−4,2),(7,6): 16/3 + 49/7 − 1 = 11.3333
    //   s=2, missing left:  (−3,5),(6,3): 9/6 + 36/4 − 1 = 9.5
    //   s=2, missing right: (−5,4),(8,4): 25/5 + 64/5 − 1 = 16.8   ← best
    const best = emptyCandidate();
    findBestSplit(histogram, layout, features, 3, 8, params(), best);
    expect(best.feature).toBe(0);
    expect(best.splitBin).toBe(2);
    expect(best.defaultLeft).toBe(false);
    expect(best.gain).toBeCloseTo(16.8, 12);
    expect([best.leftGradient, best.leftHessian, best.rightGradient, best.rightHessian]).toEqual([-5, 4, 8, 4]);
  });

  it('applies the L1 soft threshold to gradients', () => {
    // α = 1: T(G) shrinks |G| by 1. Parent T(3)² / 9 = 4/9; best s=2 missing right: 4²/5 + 7²/5 − 4/9 = 113/9.
    const best = emptyCandidate();
    findBestSplit(histogram, layout, features, 3, 8, params({ alpha: 1 }), best);
    expect(best.splitBin).toBe(2);
    expect(best.gain).toBeCloseTo(113 / 9, 12);
  });

  it('respects minChildWeight and gamma', () => {
    const best = emptyCandidate();
    // Every split leaves a child with hessian ≤ 4 (see above): none is valid with minChildWeight 4.5.
    findBestSplit(histogram, layout, features, 3, 8, params({ minChildWeight: 4.5 }), best);
    expect(best.gain).toBe(Number.NEGATIVE_INFINITY);
    expect(best.feature).toBe(-1);
    // minChildWeight 4: only s=2 missing right (4, 4) remains.
    findBestSplit(histogram, layout, features, 3, 8, params({ minChildWeight: 4 }), best);
    expect(best.gain).toBeCloseTo(16.8, 12);
    findBestSplit(histogram, layout, features, 3, 8, params({ gamma: 17 }), best);
    expect(best.feature).toBe(-1);
    findBestSplit(histogram, layout, features, 3, 8, params({ gamma: 16 }), best);
    expect(best.gain).toBeCloseTo(16.8, 12);
  });

  it('sends missing values left when a node has none', () => {
    // No missing rows: only the missing-left variant is scored, so ties resolve to defaultLeft = true.
    const noMissing = Float64Array.of(0, 0, -4, 2, -1, 2, 6, 3);
    const best = emptyCandidate();
    findBestSplit(noMissing, layout, features, 1, 7, params(), best);
    // s=2: (−5,4),(6,3): 25/5 + 36/4 − 1/8 = 13.875.
    expect(best.splitBin).toBe(2);
    expect(best.defaultLeft).toBe(true);
    expect(best.gain).toBeCloseTo(13.875, 12);
  });
});
