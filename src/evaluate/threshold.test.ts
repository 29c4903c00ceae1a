import { describe, expect, it } from 'vitest';
import { costThresholdForProbability, maxF1Threshold, minCostThreshold } from './threshold.js';

// Sorted by score: 0.9(+) 0.8(−) 0.7(+) 0.4(−) 0.35(+) 0.1(−); 3 positives.
// threshold: 0.9   0.8   0.7   0.4   0.35  0.1
// tp / fp:   1/0   1/1   2/1   2/2   3/2   3/3
const yTrue = [0, 0, 1, 0, 1, 1];
const scores = [0.1, 0.4, 0.35, 0.8, 0.7, 0.9];

describe('maxF1Threshold', () => {
  it('picks the threshold with the highest F1 (hand-computed)', () => {
    // F1 = 2tp / (tp + fp + 3): 0.5, 0.4, 0.667, 0.571, 0.75, 0.667 → 0.35
    expect(maxF1Threshold(yTrue, scores)).toEqual({ threshold: 0.35, f1: 0.75, precision: 0.6, recall: 1 });
  });

  it('prefers the higher threshold when F1 ties', () => {
    // 0.9: 2·1/(1+0+2) = ⅔; 0.6: 2·2/(2+2+2) = ⅔
    expect(maxF1Threshold([1, 0, 0, 1], [0.9, 0.8, 0.7, 0.6]).threshold).toBe(0.9);
  });

  it('needs a positive', () => {
    expect(() => maxF1Threshold([0, 0], [0.1, 0.2])).toThrow(/needs at least one positive/);
  });
});

describe('minCostThreshold', () => {
  it('trades missed failures against false alarms (hand-computed)', () => {
    // miss 10, alarm 1: never 30; 0.9 → 2·10 = 20; 0.8 → 21; 0.7 → 11; 0.4 → 12; 0.35 → 2; 0.1 → 3
    expect(minCostThreshold(yTrue, scores, { missedFailureCost: 10, falseAlarmCost: 1 })).toEqual({
      threshold: 0.35,
      totalCost: 2,
      expectedCost: 2 / 6,
      truePositives: 3,
      falseAlarms: 2,
      missedFailures: 0,
    });
    // miss 1, alarm 10: never 3; 0.9 → 2; 0.8 → 12; … → 0.9
    expect(minCostThreshold(yTrue, scores, { missedFailureCost: 1, falseAlarmCost: 10 }).threshold).toBe(0.9);
  });

  it('returns Infinity when never raising an alarm is cheapest', () => {
    // never: 1 missed = 1; 0.9: 1 missed + 1 alarm·5 = 6; 0.2: 1 alarm·5 = 5
    const best = minCostThreshold([1, 0], [0.2, 0.9], { missedFailureCost: 1, falseAlarmCost: 5 });
    expect(best.threshold).toBe(Number.POSITIVE_INFINITY);
    expect(best.totalCost).toBe(1);
    expect(best.missedFailures).toBe(1);
  });

  it('rejects negative or all-zero costs, naming the field', () => {
    expect(() => minCostThreshold(yTrue, scores, { missedFailureCost: -1, falseAlarmCost: 1 })).toThrow(
      /missedFailureCost must be a finite number ≥ 0, got -1/,
    );
    expect(() => costThresholdForProbability({ missedFailureCost: 0, falseAlarmCost: 0 })).toThrow(
      /must not both be 0/,
    );
  });
});

describe('costThresholdForProbability', () => {
  it('alarms when p ≥ falseAlarm / (falseAlarm + missed)', () => {
    // 1 / (1 + 9)
    expect(costThresholdForProbability({ missedFailureCost: 9, falseAlarmCost: 1 })).toBe(0.1);
  });
});
