import { describe, expect, it } from 'vitest';
import { cheapestPoint, costCurve, maintenanceCostReport } from './cost.js';

// Four rows: two failures (scores 0.4 and 0.9), two healthy (0.1 and 0.6).
const yTrue = [0, 0, 1, 1];
const scores = [0.1, 0.6, 0.4, 0.9];
const costs = { failureCost: 100, repairCost: 20, falseAlarmCost: 10 };

describe('costCurve', () => {
  it('prices every threshold by hand: tp·repair + fp·false alarm + fn·failure', () => {
    const curve = costCurve(yTrue, scores, costs);
    // never: 2 failures × 100 = 200
    // ≥ 0.9: 1 repair (20) + 1 failure (100) = 120
    // ≥ 0.6: 1 repair (20) + 1 false alarm (10) + 1 failure (100) = 130
    // ≥ 0.4: 2 repairs (40) + 1 false alarm (10) = 50
    // ≥ 0.1: 2 repairs (40) + 2 false alarms (20) = 60
    expect(curve.map((point) => [point.threshold, point.totalCost])).toEqual([
      [Number.POSITIVE_INFINITY, 200],
      [0.9, 120],
      [0.6, 130],
      [0.4, 50],
      [0.1, 60],
    ]);
    expect(curve[3]).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 0, trueNegatives: 1 });
  });

  it('breaks ties towards the higher threshold (fewer alarms)', () => {
    // Catching the one failure costs what missing it costs: never alarm wins the tie.
    const curve = costCurve([0, 1], [0.2, 0.7], { failureCost: 30, repairCost: 30, falseAlarmCost: 5 });
    expect(cheapestPoint(curve).threshold).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses a negative or missing cost, naming it', () => {
    expect(() => costCurve(yTrue, scores, { ...costs, falseAlarmCost: -1 })).toThrow(/falseAlarmCost must be .*-1/);
    expect(() => costCurve(yTrue, scores, { ...costs, failureCost: 0 })).toThrow(/failureCost must be above 0/);
    expect(() => costCurve(yTrue, scores, { ...costs, repairCost: Number.NaN })).toThrow(/repairCost/);
  });
});

describe('maintenanceCostReport', () => {
  it('takes the cheapest threshold and compares it with run-to-failure and a sensor-blind schedule', () => {
    const report = maintenanceCostReport(yTrue, scores, costs);
    expect(report.threshold).toBe(0.4);
    expect(report.totalCost).toBe(50);
    expect(report.costPerRow).toBe(12.5);
    expect(report.confusion).toEqual({ truePositives: 2, falsePositives: 1, falseNegatives: 0, trueNegatives: 1 });
    expect(report.runToFailure.totalCost).toBe(200);
    // Servicing all four rows: 2 repairs (40) + 2 false alarms (20) = 60 < 200 (none).
    expect(report.fixedInterval).toMatchObject({ policy: 'blind', servicedShare: 1, totalCost: 60 });
    expect(report.savings).toEqual({
      vsRunToFailure: 150,
      vsFixedInterval: 10,
      vsRunToFailureShare: 0.75,
      vsFixedIntervalShare: 10 / 60,
    });
  });

  it('chooses the best age interval for the fixed-interval baseline', () => {
    // ages 5, 1, 3, 4: service at ≥ 5 → 1 false alarm + 2 failures = 210; ≥ 4 → 20 + 10 + 100 = 130;
    // ≥ 3 → 2 repairs + 1 false alarm = 50; ≥ 1 → 60. The interval 3 ties the model.
    const report = maintenanceCostReport(yTrue, scores, costs, { age: { column: 'wear', values: [5, 1, 3, 4] } });
    expect(report.fixedInterval).toMatchObject({ policy: 'age', column: 'wear', interval: 3, totalCost: 50 });
    expect(report.fixedInterval.servicedShare).toBe(0.75);
    expect(report.savings.vsFixedInterval).toBe(0);
  });

  it('names a row whose age is missing', () => {
    expect(() =>
      maintenanceCostReport(yTrue, scores, costs, { age: { column: 'wear', values: [5, Number.NaN, 3, 4] } }),
    ).toThrow(/row 2: age column 'wear' must be a finite number/);
  });
});
