/**
 * Choosing the score above which an alarm is raised, from (out-of-fold) scores whose outcome is known. Every
 * threshold means "positive when score ≥ threshold", as in metrics.ts; candidates are the distinct scores, plus
 * `Infinity` (never alarm) where that can be best.
 */
import { describeValue, ValidationError } from '../core/errors.js';
import { binaryCurveCounts, type Values } from './metrics.js';

export interface F1Threshold {
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
}

/**
 * The threshold with the highest F1 = 2·tp / (2·tp + fp + fn); among equal F1, the highest threshold (fewest
 * alarms). Needs at least one positive. O(n log n).
 */
export function maxF1Threshold(yTrue: Values, scores: Values): F1Threshold {
  const { truePositives, falsePositives, thresholds } = binaryCurveCounts(yTrue, scores);
  const positives = truePositives[truePositives.length - 1] as number;
  if (positives === 0) throw new ValidationError('maximum-F1 threshold needs at least one positive in yTrue, got none');
  let best = 0;
  let bestF1 = -1;
  for (let i = 0; i < thresholds.length; i++) {
    const f1 = (2 * truePositives[i]) / (truePositives[i] + falsePositives[i] + positives);
    if (f1 > bestF1) {
      bestF1 = f1;
      best = i;
    }
  }
  const hits = truePositives[best] as number;
  return {
    threshold: thresholds[best] as number,
    f1: bestF1,
    precision: hits / (hits + (falsePositives[best] as number)),
    recall: hits / positives,
  };
}

export interface AlarmCosts {
  /** Cost of a failure that raised no alarm (a false negative). */
  missedFailureCost: number;
  /** Cost of an alarm without a failure (a false positive). */
  falseAlarmCost: number;
}

export interface CostThreshold {
  /** `Infinity` when never raising an alarm is cheapest. */
  threshold: number;
  totalCost: number;
  /** Total cost divided by the number of rows: the expected cost of one prediction. */
  expectedCost: number;
  truePositives: number;
  falseAlarms: number;
  missedFailures: number;
}

function checkCosts(costs: AlarmCosts): void {
  for (const field of ['missedFailureCost', 'falseAlarmCost'] as const) {
    const value = costs[field];
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new ValidationError(`${field} must be a finite number ≥ 0, got ${describeValue(value)}`);
    }
  }
  if (costs.missedFailureCost === 0 && costs.falseAlarmCost === 0) {
    throw new ValidationError('missedFailureCost and falseAlarmCost must not both be 0');
  }
}

/**
 * The threshold minimising fn·missedFailureCost + fp·falseAlarmCost on the given outcomes; among equal costs, the
 * highest threshold (fewest alarms). O(n log n).
 */
export function minCostThreshold(yTrue: Values, scores: Values, costs: AlarmCosts): CostThreshold {
  checkCosts(costs);
  const { truePositives, falsePositives, thresholds } = binaryCurveCounts(yTrue, scores);
  const positives = truePositives[truePositives.length - 1] as number;
  let best: CostThreshold = {
    threshold: Number.POSITIVE_INFINITY,
    totalCost: positives * costs.missedFailureCost,
    expectedCost: 0,
    truePositives: 0,
    falseAlarms: 0,
    missedFailures: positives,
  };
  for (let i = 0; i < thresholds.length; i++) {
    const missed = positives - truePositives[i];
    const cost = missed * costs.missedFailureCost + falsePositives[i] * costs.falseAlarmCost;
    if (cost < best.totalCost) {
      best = {
        threshold: thresholds[i] as number,
        totalCost: cost,
        expectedCost: 0,
        truePositives: truePositives[i] as number,
        falseAlarms: falsePositives[i] as number,
        missedFailures: missed,
      };
    }
  }
  best.expectedCost = best.totalCost / yTrue.length;
  return best;
}

/**
 * For a calibrated failure probability p, raising an alarm is cheaper in expectation exactly when
 * p·missedFailureCost ≥ (1 − p)·falseAlarmCost, i.e. p ≥ falseAlarmCost / (falseAlarmCost + missedFailureCost)
 * (Elkan, "The foundations of cost-sensitive learning", IJCAI 2001). O(1).
 */
export function costThresholdForProbability(costs: AlarmCosts): number {
  checkCosts(costs);
  return costs.falseAlarmCost / (costs.falseAlarmCost + costs.missedFailureCost);
}
