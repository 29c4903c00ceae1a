import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  averagePrecision,
  binaryCounts,
  brierScore,
  confusionMatrix,
  f1Score,
  logLoss,
  meanAbsoluteError,
  meanSquaredError,
  perClassScores,
  phm08Score,
  precision,
  precisionRecallCurve,
  r2Score,
  recall,
  rocAuc,
  rocCurve,
  rootMeanSquaredError,
  summariseBinary,
  summariseRegression,
} from './metrics.js';

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs((actual[i] as number) - (expected[i] as number))).toBeLessThanOrEqual(tolerance);
  }
}

describe('hard-prediction metrics (hand-computed)', () => {
  // yTrue 0 1 1 0 1, yPred 0 1 0 1 1 → tp 2 (rows 1, 4), fp 1 (row 3), fn 1 (row 2), tn 1 (row 0)
  const yTrue = Float64Array.from([0, 1, 1, 0, 1]);
  const yPred = Float64Array.from([0, 1, 0, 1, 1]);

  it('counts the binary confusion cells and derives accuracy, precision, recall, F1', () => {
    expect(binaryCounts(yTrue, yPred)).toEqual({
      truePositives: 2,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 1,
    });
    expect(accuracy(yTrue, yPred)).toBe(3 / 5);
    expect(precision(yTrue, yPred)).toBe(2 / 3);
    expect(recall(yTrue, yPred)).toBe(2 / 3);
    // 2·tp / (2·tp + fp + fn) = 4 / 6
    expect(f1Score(yTrue, yPred)).toBe(4 / 6);
  });

  it('scores 0 rather than dividing by zero when nothing is predicted positive', () => {
    const none = new Float64Array(5);
    expect(precision(yTrue, none)).toBe(0);
    expect(recall(yTrue, none)).toBe(0);
    expect(f1Score(yTrue, none)).toBe(0);
  });

  it('builds a multiclass confusion matrix, rows true, columns predicted', () => {
    // y 0 1 2 2 0, pred 0 2 2 2 1: class 0 → {0, 1}, class 1 → {2}, class 2 → {2, 2}
    const matrix = confusionMatrix([0, 1, 2, 2, 0], [0, 2, 2, 2, 1]);
    expect(matrix).toEqual({
      labels: [0, 1, 2],
      counts: [
        [1, 1, 0],
        [0, 0, 1],
        [0, 0, 2],
      ],
    });
    const scores = perClassScores([0, 1, 2, 2, 0], [0, 2, 2, 2, 1]);
    // class 0: precision 1/1, recall 1/2; class 1: 0, 0; class 2: precision 2/3, recall 2/2
    expectClose(scores.precision, [1, 0, 2 / 3]);
    expectClose(scores.recall, [0.5, 0, 1]);
    expectClose(scores.f1, [2 / 3, 0, 0.8]);
    expect([...scores.support]).toEqual([2, 1, 2]);
    expect(f1Score([0, 1, 2, 2, 0], [0, 2, 2, 2, 1], { average: 'macro' })).toBeCloseTo((2 / 3 + 0 + 0.8) / 3, 14);
    expect(() => f1Score([0, 1, 2], [0, 1, 2])).toThrow(/average 'binary' needs at most 2 classes, got 3/);
  });

  it('rejects mismatched lengths, empty input and labels other than 0/1', () => {
    expect(() => accuracy([1, 0], [1])).toThrow(/yTrue and yPred must have the same length, got 2 and 1/);
    expect(() => accuracy([], [])).toThrow(/yTrue must not be empty/);
    expect(() => binaryCounts([0, 2], [0, 1])).toThrow(/yTrue\[1\] must be 0 or 1, got 2/);
  });
});

describe('ranking metrics (hand-computed)', () => {
  it('matches the scikit-learn documentation example', () => {
    // Positives score 0.8 and 0.35, negatives 0.1 and 0.4: 3 of 4 pairs ordered → AUC 0.75.
    // Descending: 0.8(+) P=1 R=½ · 0.4(−) · 0.35(+) P=⅔ R=1 · 0.1(−) → AP = ½·1 + ½·⅔ = 5/6
    const yTrue = [0, 0, 1, 1];
    const scores = [0.1, 0.4, 0.35, 0.8];
    expect(rocAuc(yTrue, scores)).toBe(0.75);
    expect(averagePrecision(yTrue, scores)).toBeCloseTo(5 / 6, 15);
    const curve = rocCurve(yTrue, scores);
    expect([...curve.falsePositiveRate]).toEqual([0, 0, 0.5, 0.5, 1]);
    expect([...curve.truePositiveRate]).toEqual([0, 0.5, 0.5, 1, 1]);
    expect([...curve.thresholds]).toEqual([Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1]);
    const pr = precisionRecallCurve(yTrue, scores);
    expectClose(pr.precision, [0.5, 2 / 3, 0.5, 1, 1]);
    expectClose(pr.recall, [1, 1, 0.5, 0.5, 0]);
    expect([...pr.thresholds]).toEqual([0.1, 0.35, 0.4, 0.8]);
  });

  it('counts a tied positive–negative pair as one half', () => {
    // pairs: (0.9 vs 0.2) = 1, (0.2 vs 0.2) = ½ → 0.75
    expect(rocAuc([0, 1, 1], [0.2, 0.2, 0.9])).toBe(0.75);
    // all tied: one ROC step from (0,0) to (1,1); one PR point P = ½, R = 1
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(averagePrecision([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  it('drops collinear ROC points only when asked (default, like sklearn)', () => {
    // Three positives in a row: the middle points lie on a vertical segment.
    const yTrue = [1, 1, 1, 0];
    const scores = [0.9, 0.8, 0.7, 0.1];
    expect([...rocCurve(yTrue, scores).truePositiveRate]).toEqual([0, 1 / 3, 1, 1]);
    expect(rocCurve(yTrue, scores, { dropIntermediate: false }).truePositiveRate.length).toBe(5);
  });

  it('refuses ROC with one class, gives AP 0 without positives', () => {
    expect(() => rocAuc([1, 1], [0.3, 0.4])).toThrow(/ROC needs both classes in yTrue, got only 1/);
    expect(averagePrecision([0, 0], [0.3, 0.4])).toBe(0);
    expect(() => rocAuc([0, 1], [0.3, Number.NaN])).toThrow(/scores\[1\] must be a finite number, got NaN/);
  });
});

describe('probability metrics (hand-computed)', () => {
  it('computes log loss and Brier score', () => {
    // −(ln 0.8 + ln 0.7) / 2; python3 -c "import math; print(-(math.log(0.8)+math.log(0.7))/2)"
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(0.2899092476264711, 15);
    // ((0.8 − 1)² + 0.3²) / 2 = (0.04 + 0.09) / 2
    expect(brierScore([1, 0], [0.8, 0.3])).toBeCloseTo(0.065, 15);
  });

  it('clips probabilities 0 and 1 at machine epsilon instead of returning Infinity', () => {
    // −ln(2⁻⁵²) = 52·ln 2; python3 -c "import math; print(52*math.log(2))"
    expect(logLoss([1], [0])).toBeCloseTo(36.04365338911715, 12);
    expect(logLoss([0], [1])).toBeCloseTo(36.04365338911715, 12);
    expect(() => logLoss([1], [1.2])).toThrow(/probability\[0\] must be a probability in \[0, 1\], got 1.2/);
  });
});

describe('regression metrics (hand-computed)', () => {
  // The scikit-learn documentation example: y = [3, −0.5, 2, 7], ŷ = [2.5, 0, 2, 8]
  const yTrue = [3, -0.5, 2, 7];
  const yPred = [2.5, 0, 2, 8];

  it('computes MAE, MSE, RMSE and R²', () => {
    // |−0.5| + |0.5| + 0 + |1| = 2 → 0.5; 0.25 + 0.25 + 0 + 1 = 1.5 → 0.375
    expect(meanAbsoluteError(yTrue, yPred)).toBe(0.5);
    expect(meanSquaredError(yTrue, yPred)).toBe(0.375);
    expect(rootMeanSquaredError(yTrue, yPred)).toBe(Math.sqrt(0.375));
    // SS_tot = 29.1875 (mean 2.875), SS_res = 1.5 → 1 − 1.5/29.1875
    expect(r2Score(yTrue, yPred)).toBeCloseTo(0.9486081370449679, 15);
  });

  it('follows sklearn for a constant target', () => {
    expect(r2Score([2, 2], [2, 2])).toBe(1);
    expect(r2Score([2, 2], [2, 3])).toBe(0);
  });

  it('scores RUL predictions with the PHM08 asymmetric penalty', () => {
    // d = −13 → e¹ − 1; d = +10 → e¹ − 1; d = 0 → 0
    expect(phm08Score([100, 100, 50], [87, 110, 50])).toBeCloseTo(2 * (Math.E - 1), 14);
    // late by 13 costs more than early by 13: e^1.3 − 1 > e − 1
    expect(phm08Score([100], [113])).toBeGreaterThan(phm08Score([100], [87]));
  });
});

interface BinaryGolden {
  yTrue: number[];
  scores: number[];
  rocAuc: number;
  averagePrecision: number;
  roc: { fpr: number[]; tpr: number[]; thresholdsAfterFirst: number[] };
  rocAll: { fpr: number[]; tpr: number[]; thresholdsAfterFirst: number[] };
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
}

interface Golden {
  binaryTies: BinaryGolden;
  binaryRare: BinaryGolden;
  probabilities: {
    yTrue: number[];
    probability: number[];
    threshold: number;
    logLoss: number;
    brier: number;
    accuracy: number;
    precision: number;
    recall: number;
    f1: number;
    rocAuc: number;
    averagePrecision: number;
    confusion: { tn: number; fp: number; fn: number; tp: number };
  };
  multiclass: {
    yTrue: number[];
    yPred: number[];
    labels: number[];
    confusion: number[][];
    accuracy: number;
    precision: number[];
    recall: number[];
    f1: number[];
    support: number[];
    macroF1: number;
    weightedF1: number;
    macroPrecision: number;
    macroRecall: number;
    microF1: number;
  };
  regression: { yTrue: number[]; yPred: number[]; mae: number; mse: number; rmse: number; r2: number };
  phm08: { trueRul: number[]; predictedRul: number[]; score: number };
}

// Produced by scikit-learn 1.2.1:
// /usr/bin/python3 test/fixtures/golden/metrics.py > test/fixtures/golden/metrics.json
const golden = JSON.parse(
  readFileSync(new URL('../../test/fixtures/golden/metrics.json', import.meta.url), 'utf8'),
) as Golden;

describe('agreement with scikit-learn (golden file)', () => {
  for (const name of ['binaryTies', 'binaryRare'] as const) {
    it(`${name}: ROC curve, ROC-AUC, PR curve and average precision`, () => {
      const { yTrue, scores, ...expected } = golden[name];
      expect(rocAuc(yTrue, scores)).toBeCloseTo(expected.rocAuc, 12);
      expect(averagePrecision(yTrue, scores)).toBeCloseTo(expected.averagePrecision, 12);
      for (const [dropIntermediate, reference] of [
        [true, expected.roc],
        [false, expected.rocAll],
      ] as const) {
        const curve = rocCurve(yTrue, scores, { dropIntermediate });
        expectClose(curve.falsePositiveRate, reference.fpr);
        expectClose(curve.truePositiveRate, reference.tpr);
        expect(curve.thresholds[0]).toBe(Number.POSITIVE_INFINITY);
        expectClose(curve.thresholds.subarray(1), reference.thresholdsAfterFirst);
      }
      const pr = precisionRecallCurve(yTrue, scores);
      expectClose(pr.precision, expected.pr.precision);
      expectClose(pr.recall, expected.pr.recall);
      expectClose(pr.thresholds, expected.pr.thresholds);
    });
  }

  it('probabilities: log loss (with 0 and 1 clipped), Brier and the thresholded summary', () => {
    const { yTrue, probability, threshold, confusion, ...expected } = golden.probabilities;
    const summary = summariseBinary(yTrue, probability, threshold);
    expect(summary.logLoss).toBeCloseTo(expected.logLoss, 12);
    expect(summary.brier).toBeCloseTo(expected.brier, 14);
    expect(summary.accuracy).toBeCloseTo(expected.accuracy, 14);
    expect(summary.precision).toBeCloseTo(expected.precision, 14);
    expect(summary.recall).toBeCloseTo(expected.recall, 14);
    expect(summary.f1).toBeCloseTo(expected.f1, 14);
    expect(summary.rocAuc).toBeCloseTo(expected.rocAuc, 12);
    expect(summary.averagePrecision).toBeCloseTo(expected.averagePrecision, 12);
    expect(summary.confusion).toEqual({
      truePositives: confusion.tp,
      falsePositives: confusion.fp,
      trueNegatives: confusion.tn,
      falseNegatives: confusion.fn,
    });
  });

  it('multiclass: confusion matrix, per-class and averaged precision/recall/F1', () => {
    const { yTrue, yPred, ...expected } = golden.multiclass;
    expect(confusionMatrix(yTrue, yPred)).toEqual({ labels: expected.labels, counts: expected.confusion });
    const scores = perClassScores(yTrue, yPred);
    expectClose(scores.precision, expected.precision, 1e-14);
    expectClose(scores.recall, expected.recall, 1e-14);
    expectClose(scores.f1, expected.f1, 1e-14);
    expect([...scores.support]).toEqual(expected.support);
    expect(accuracy(yTrue, yPred)).toBeCloseTo(expected.accuracy, 14);
    expect(f1Score(yTrue, yPred, { average: 'macro' })).toBeCloseTo(expected.macroF1, 14);
    expect(f1Score(yTrue, yPred, { average: 'weighted' })).toBeCloseTo(expected.weightedF1, 14);
    expect(f1Score(yTrue, yPred, { average: 'micro' })).toBeCloseTo(expected.microF1, 14);
    expect(precision(yTrue, yPred, { average: 'macro' })).toBeCloseTo(expected.macroPrecision, 14);
    expect(recall(yTrue, yPred, { average: 'macro' })).toBeCloseTo(expected.macroRecall, 14);
  });

  it('regression: MAE, MSE, RMSE, R²', () => {
    const { yTrue, yPred, ...expected } = golden.regression;
    const summary = summariseRegression(yTrue, yPred);
    expect(summary.mae).toBeCloseTo(expected.mae, 12);
    expect(meanSquaredError(yTrue, yPred)).toBeCloseTo(expected.mse, 10);
    expect(summary.rmse).toBeCloseTo(expected.rmse, 12);
    expect(summary.r2).toBeCloseTo(expected.r2, 13);
  });

  it('PHM08 score (numpy, by its definition)', () => {
    const { trueRul, predictedRul, score } = golden.phm08;
    expect(phm08Score(trueRul, predictedRul) / score).toBeCloseTo(1, 13);
  });
});
