import { describe, expect, it } from 'vitest';
import { type EvaluateSummary, formatEvaluation } from './evaluate.js';

describe('formatEvaluation', () => {
  it('prints the confusion matrix and the metrics of a classifier', () => {
    const summary: EvaluateSummary = {
      model: 'm',
      data: 'test.csv',
      task: 'classification',
      target: 'Machine failure',
      classes: [0, 1],
      skipped: 2,
      metrics: {
        count: 2000,
        positives: 68,
        threshold: 0.24628,
        accuracy: 0.9715,
        precision: 0.6,
        recall: 0.3088,
        f1: 0.4078,
        rocAuc: 0.83444,
        averagePrecision: 0.31966,
        logLoss: 0.11858,
        brier: 0.02802,
        confusion: { truePositives: 21, falsePositives: 14, trueNegatives: 1918, falseNegatives: 47 },
        confusionMatrix: {
          labels: [0, 1],
          counts: [
            [1918, 14],
            [47, 21],
          ],
        },
      },
    };
    expect(formatEvaluation(summary)).toEqual([
      "2,000 rows of 'Machine failure', 68 positive (1) (2 rows without 'Machine failure' skipped); threshold 0.2463",
      'confusion matrix (rows true, columns predicted):',
      '             pred 0    pred 1',
      '  true 0      1,918        14',
      '  true 1         47        21',
      'accuracy 0.972  precision 0.600  recall 0.309  F1 0.408',
      'ROC-AUC 0.8344  PR-AUC 0.3197  log loss 0.1186  Brier 0.0280',
    ]);
  });

  it('prints MAE, RMSE and R² of a regressor', () => {
    expect(
      formatEvaluation({
        model: 'm',
        data: 'd.csv',
        task: 'regression',
        target: 'y',
        skipped: 0,
        metrics: { count: 1000, mae: 8.02831, rmse: 10.03499, r2: 0.93631 },
      }),
    ).toEqual(["1,000 rows of 'y'", 'MAE 8.0283  RMSE 10.0350  R² 0.9363']);
  });
});
