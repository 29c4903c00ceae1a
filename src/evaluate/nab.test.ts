import { describe, expect, it } from 'vitest';
import { evaluateNab, type NabFileInput, probationLength, scaledSigmoid } from './nab.js';

/** Rows 0..n−1 one minute apart; windows given as inclusive row ranges. */
function file(name: string, scores: number[], windows: Array<[number, number]>): NabFileInput {
  const timestamps = scores.map((_, i) => i * 60_000);
  return { name, timestamps, scores, windows: windows.map(([a, b]) => ({ start: a * 60_000, end: b * 60_000 })) };
}

describe('scaledSigmoid and probation', () => {
  it('follows NAB: 2·sigmoid(−5x) − 1, −1 from x = 3 on', () => {
    // python3 -c "import math; print(2/(1+math.exp(-5))-1)"  → 0.9866142981514305
    expect(scaledSigmoid(-1)).toBeCloseTo(0.9866142981514305, 14);
    expect(scaledSigmoid(0)).toBe(0);
    // python3 -c "import math; print(2/(1+math.exp(2.5))-1)"  → -0.8482836399575131
    expect(scaledSigmoid(0.5)).toBeCloseTo(-0.8482836399575131, 14);
    expect(scaledSigmoid(3)).toBe(-1);
  });

  it('is the first 15 % of rows, at most 750', () => {
    expect(probationLength(20)).toBe(3); // ⌊0.15·20⌋ = 3
    expect(probationLength(4032)).toBe(604); // ⌊604.8⌋
    expect(probationLength(22695)).toBe(750); // min(3404, 0.15·5000)
  });
});

describe('evaluateNab', () => {
  // 20 rows, probation ⌊0.15·20⌋ = 3 rows, one window on rows 10..13 (width 4).
  //   row 1  score 1.00  inside probation: never scored
  //   row 5  score 0.60  false positive before any window: −fpWeight = −0.11
  //   row 11 score 0.90  in the window: position −(13 − 11 + 1)/4 = −0.75,
  //                      reward S(−0.75)/S(−1) = 0.9541…/0.98661… = 0.9669890878000605
  //   row 12 score 0.95  in the window: position −(13 − 12 + 1)/4 = −0.5, reward 0.8482836…/0.98661… = 0.8597925669097837
  //   row 16 score 0.70  after the window: distance |13 − 16|/(4 − 1) = 1, cost S(1)·0.11 = −0.10852757279665734
  // python3: S=lambda x: 2/(1+math.exp(5*x))-1; m=S(-1); a=S(-0.75)/m; print(a, a-0.11+S(1)*0.11, 100*(a+1)/2)
  const scores = new Array(20).fill(0);
  scores[1] = 1;
  scores[5] = 0.6;
  scores[11] = 0.9;
  scores[12] = 0.95;
  scores[16] = 0.7;
  const single = file('one-window.csv', scores, [[10, 13]]);

  it('picks the threshold that keeps the earliest detection and no false positive', () => {
    // Thresholds tried: 0.95 → 0.8598 (later detection only); 0.9 → 0.96699 (the earliest one counts, the
    // later one is free); 0.7 → 0.96699 − 0.10853; 0.6 → also −0.11; 0 → every row is a detection.
    const { standard } = evaluateNab([single]);
    expect(standard.threshold).toBe(0.9);
    expect(standard.raw).toBeCloseTo(0.9669890878000605, 12);
    expect(standard.null).toBe(-1);
    expect(standard.perfect).toBe(1);
    // 100·(0.96699 − (−1))/(1 − (−1)) = 98.34945439000302
    expect(standard.normalised).toBeCloseTo(98.34945439000302, 9);
    expect(standard.windowsDetected).toBe(1);
    // Rows at the threshold: rows 11 and 12 detected in the window, rows 10 and 13 missed, 13 quiet rows outside.
    expect(standard.counts).toEqual({ tp: 2, fn: 2, fp: 0, tn: 13 });
  });

  it('charges false positives by profile at a fixed threshold', () => {
    const result = evaluateNab([single], { threshold: 0.6 });
    // standard: 0.96699 − 0.11 − 0.10853 = 0.7484615150034032 → 100·1.74846/2 = 87.42307575017017
    expect(result.standard.raw).toBeCloseTo(0.7484615150034032, 12);
    expect(result.standard.normalised).toBeCloseTo(87.42307575017017, 9);
    // reward_low_FP_rate (fp 0.22): 0.96699 − 0.22 − 2·0.10853 = 0.52993
    expect(result.reward_low_FP_rate.raw).toBeCloseTo(0.9669890878000605 - 0.22 - 2 * 0.10852757279665734, 12);
    // reward_low_FN_rate (fn 2): null −2, perfect 1 → 100·(0.74846 + 2)/3
    expect(result.reward_low_FN_rate.normalised).toBeCloseTo((100 * (0.7484615150034032 + 2)) / 3, 9);
    expect(result.standard.counts.fp).toBe(2);
  });

  it('scores the null detector 0 and the perfect detector 100', () => {
    const silent = file('silent.csv', new Array(20).fill(0), [[10, 13]]);
    expect(evaluateNab([silent], { threshold: 0.5 }).standard.normalised).toBe(0);
    const perfectScores = new Array(20).fill(0);
    perfectScores[10] = 1;
    // Left edge: position −(13 − 10 + 1)/4 = −1 → S(−1)/S(−1)·tpWeight = 1 = perfect.
    const perfect = evaluateNab([file('perfect.csv', perfectScores, [[10, 13]])]);
    expect(perfect.standard.normalised).toBeCloseTo(100, 12);
    expect(perfect.reward_low_FN_rate.normalised).toBeCloseTo(100, 12);
  });

  it('uses one threshold across files', () => {
    // File A: window on rows 10..13 detected at its left edge with score 0.8 (reward +1).
    // File B: no window, one false alarm scoring 0.9 after probation (−0.11).
    // Threshold 0.9: the false alarm only → −1 − 0.11 = −1.11. Threshold 0.8: 1 − 0.11 = 0.89 → 100·1.89/2 = 94.5.
    const scoresA = new Array(20).fill(0);
    scoresA[10] = 0.8;
    const scoresB = new Array(20).fill(0);
    scoresB[8] = 0.9;
    const { standard } = evaluateNab([file('a.csv', scoresA, [[10, 13]]), file('b.csv', scoresB, [])]);
    expect(standard.threshold).toBe(0.8);
    expect(standard.raw).toBeCloseTo(0.89, 12);
    expect(standard.normalised).toBeCloseTo(94.5, 9);
  });

  it('weights a false positive by its distance past the preceding window', () => {
    // Window rows 10..13; a detection at row 14 is |13 − 14|/3 = 1/3 past it: cost S(1/3)·0.11.
    // python3 -c "import math; print((2/(1+math.exp(5/3))-1)*0.11)" → -0.07504879692619866
    const scoresLate = new Array(20).fill(0);
    scoresLate[14] = 1;
    const { standard } = evaluateNab([file('late.csv', scoresLate, [[10, 13]])], { threshold: 1 });
    expect(standard.raw).toBeCloseTo(-1 + -0.07504879692619866, 12);
  });

  it('rejects scores that do not line up with timestamps', () => {
    expect(() => evaluateNab([{ name: 'bad.csv', timestamps: [0, 1, 2], scores: [0, 1], windows: [] }])).toThrow(
      /file "bad.csv": scores has 2 rows but timestamps has 3/,
    );
    expect(() => evaluateNab([{ name: 'nan.csv', timestamps: [0, 1], scores: [0, Number.NaN], windows: [] }])).toThrow(
      /row 1: score must be finite, got NaN/,
    );
  });

  it('agrees with the NAB reference sweeper on a pseudo-random corpus with ties', () => {
    // Three files, scores u³ rounded to 2 decimals (many ties), timestamps = row numbers.
    let state = 12345;
    const uniform = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const layout: Array<[string, number, Array<[number, number]>]> = [
      [
        'f1',
        300,
        [
          [100, 140],
          [200, 230],
        ],
      ],
      ['f2', 250, []],
      [
        'f3',
        400,
        [
          [50, 60],
          [300, 380],
        ],
      ],
    ];
    const corpus = layout.map(([name, rows, windows]) => {
      const scores = Array.from({ length: rows }, () => Math.round(uniform() ** 3 * 100) / 100);
      const timestamps = Array.from({ length: rows }, (_, i) => i);
      return { name, timestamps, scores, windows: windows.map(([start, end]) => ({ start, end })) };
    });
    // Expected: numenta/NAB nab/sweeper.py (calcSweepScore over each file, calcScoreByThreshold over all rows, the
    // optimizer's best-first pick) run with python3 on this same corpus dumped as JSON:
    //   standard (0.97, 0.7889967018551176), reward_low_FP_rate (0.97, 0.4590051561766044),
    //   reward_low_FN_rate (0.97, -0.2110032981448824)
    const result = evaluateNab(corpus);
    expect(result.standard.threshold).toBe(0.97);
    expect(result.standard.raw).toBeCloseTo(0.7889967018551176, 12);
    expect(result.reward_low_FP_rate.raw).toBeCloseTo(0.4590051561766044, 12);
    expect(result.reward_low_FN_rate.raw).toBeCloseTo(-0.2110032981448824, 12);
  });
});
