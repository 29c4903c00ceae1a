import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { summariseBinary } from '../evaluate/metrics.js';
import { categoryFromText, Frame, numericColumn } from '../io/frame.js';
import { modelCostReport } from './maintenance-cost.js';
import { outOfFoldScores } from './out-of-fold.js';
import { trainModel } from './train.js';

/** 300 rows: failure when 1.5·temperature − vibration + noise > 1.2; a machine type and a row id. */
function failureFrame(): Frame {
  const rng = new Rng(9);
  const rows = 300;
  const temperature = Float64Array.from({ length: rows }, () => rng.normal());
  const vibration = Float64Array.from({ length: rows }, () => rng.normal());
  const failed = Float64Array.from(temperature, (t, i) =>
    1.5 * t - (vibration[i] as number) + 0.8 * rng.normal() > 1.2 ? 1 : 0,
  );
  return new Frame([
    numericColumn(
      'row',
      Float64Array.from({ length: rows }, (_, i) => i + 1),
    ),
    numericColumn('temperature', temperature),
    numericColumn('vibration', vibration),
    categoryFromText(
      'Type',
      Array.from({ length: rows }, (_, i) => ['L', 'M', 'H'][i % 3]),
    ),
    numericColumn('failed', failed),
  ]);
}

describe('outOfFoldScores', () => {
  const frame = failureFrame();
  const trained = trainModel(frame, { target: 'failed', drop: ['row'], model: 'logistic', seed: 4 });

  it("reproduces the model's own out-of-fold validation (same folds, seed, options and preprocessing)", () => {
    const oof = outOfFoldScores(trained, frame);
    expect(oof.folds).toBe(5);
    expect(oof.scores.every((score) => score > 0 && score < 1)).toBe(true);
    expect(summariseBinary(oof.truth, oof.scores, trained.threshold)).toEqual(trained.card.validation.metrics);
  });

  it('differs from in-sample scores (the fold models did not see their rows)', () => {
    const oof = outOfFoldScores(trained, frame);
    const inSample = trained.predictFrame(frame).probability as Float64Array;
    expect(oof.scores.some((score, i) => Math.abs(score - (inSample[i] as number)) > 1e-6)).toBe(true);
  });

  it('refuses a regression model and too few rows of a class', () => {
    const regression = trainModel(frame, { target: 'temperature', drop: ['row', 'failed'], model: 'linear' });
    expect(() => outOfFoldScores(regression, frame)).toThrow(/out-of-fold scores need a classifier/);
    const few = frame.take(Array.from({ length: 40 }, (_, i) => i));
    expect(() => outOfFoldScores(trained, few, { folds: 50 })).toThrow(/needs at least 50 rows of each class/);
  });
});

describe('modelCostReport', () => {
  const frame = failureFrame();
  const trained = trainModel(frame, { target: 'failed', drop: ['row'], model: 'logistic', seed: 4 });

  it('prices the out-of-fold scores and keeps the cheapest point in a thinned curve', () => {
    const costs = { failureCost: 1000, repairCost: 200, falseAlarmCost: 50 };
    const report = modelCostReport(trained, frame, costs, { curvePoints: 20, ageColumn: 'row' });
    const { confusion } = report;
    expect(confusion.truePositives + confusion.falseNegatives).toBe(report.failures);
    expect(
      confusion.truePositives + confusion.falsePositives + confusion.falseNegatives + confusion.trueNegatives,
    ).toBe(300);
    expect(report.totalCost).toBe(
      confusion.truePositives * 200 + confusion.falsePositives * 50 + confusion.falseNegatives * 1000,
    );
    expect(report.runToFailure.totalCost).toBe(report.failures * 1000);
    expect(report.curve.length).toBeLessThanOrEqual(21);
    expect(report.curve.some((point) => point.threshold === report.threshold)).toBe(true);
    expect(Math.min(...report.curve.map((point) => point.totalCost))).toBe(report.totalCost);
    expect(report.fixedInterval.policy).toBe('age');
    expect(report.savings.vsRunToFailure).toBeGreaterThan(0);
  });

  it('names an age column that is not in the data', () => {
    expect(() =>
      modelCostReport(trained, frame, { failureCost: 1, repairCost: 0, falseAlarmCost: 0 }, { ageColumn: 'hours' }),
    ).toThrow(/age column 'hours' is not in the data/);
  });
});
