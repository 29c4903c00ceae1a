/**
 * Scoring a trained model on labelled data it has not seen (`upkeep evaluate`, `upkeep plot roc|pr|confusion|fit`):
 * predictions for the rows whose target is known, with the target mapped to 0/1 for classifiers, and the metrics at
 * the model's own decision threshold.
 */
import { describeValue, UnprocessableError } from '../core/errors.js';
import {
  type BinaryClassificationSummary,
  type ConfusionMatrix,
  type RegressionSummary,
  summariseBinary,
  summariseRegression,
} from '../evaluate/metrics.js';
import type { Frame } from '../io/frame.js';
import type { Task } from './base.js';
import type { TrainedModel } from './trained-model.js';

/** Predictions for the rows of a frame whose target is present. */
export interface ScoredRows {
  target: string;
  /** Row indices (into the frame) with a target value. */
  rows: Int32Array;
  /** Rows left out because their target was missing. */
  skipped: number;
  /** Classification: 1 for the positive class, 0 for the other; otherwise the target values. */
  truth: Float64Array;
  /** The model's predictions for those rows (labels for classifiers). */
  prediction: Float64Array;
  /** Classifiers: positive-class probabilities. */
  probability?: Float64Array;
}

/**
 * Predicts the rows of `frame` that have a value of `target` (default: the target the model was trained on).
 * A target value that is not one of a classifier's two classes is an `UnprocessableError` naming the row. O(rows).
 */
export function scoreRows(model: TrainedModel, frame: Frame, target = model.card.target): ScoredRows {
  const values = frame.numeric(target);
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) kept.push(i);
  if (kept.length === 0) {
    throw new UnprocessableError(`target '${target}' has no values to evaluate against`, [
      { path: target, message: 'all missing' },
    ]);
  }
  const rows = Int32Array.from(kept);
  const labelled = kept.length === frame.rowCount ? frame : frame.take(rows);
  const { prediction, probability } = model.predictFrame(labelled);
  const truth = new Float64Array(rows.length);
  const classes = model.card.classes;
  for (let i = 0; i < rows.length; i++) {
    const value = values[rows[i] as number] as number;
    if (classes) {
      if (value !== classes[0] && value !== classes[1]) {
        throw new UnprocessableError(
          `row ${(rows[i] as number) + 1}: '${target}' is ${describeValue(value)}, not one of the model's classes ${classes.join(' and ')}`,
          [{ path: target, message: 'unknown class' }],
        );
      }
      truth[i] = value === classes[1] ? 1 : 0;
    } else {
      truth[i] = value;
    }
  }
  return {
    target,
    rows,
    skipped: frame.rowCount - rows.length,
    truth,
    prediction,
    ...(probability ? { probability } : {}),
  };
}

export interface ClassificationEvaluation {
  task: 'classification';
  target: string;
  /** The two labels; the second is the positive class. */
  classes: [number, number];
  skipped: number;
  metrics: BinaryClassificationSummary & { confusionMatrix: ConfusionMatrix };
}

export interface RegressionEvaluation {
  task: Exclude<Task, 'classification'>;
  target: string;
  skipped: number;
  metrics: RegressionSummary;
}

export type ModelEvaluation = ClassificationEvaluation | RegressionEvaluation;

/**
 * Metrics of a trained model on labelled data: classifiers at their decision threshold (confusion matrix with rows =
 * true class, columns = predicted class, in label order; accuracy, precision, recall, F1, ROC-AUC, PR-AUC as average
 * precision, log loss, Brier); regressors MAE, RMSE and R². O(rows log rows).
 */
export function evaluateTrainedModel(model: TrainedModel, frame: Frame, target?: string): ModelEvaluation {
  const scored = scoreRows(model, frame, target);
  const task = model.task;
  if (task === 'classification') {
    const classes = model.card.classes as [number, number];
    const summary = summariseBinary(scored.truth, scored.probability as Float64Array, model.threshold);
    const { truePositives, falsePositives, trueNegatives, falseNegatives } = summary.confusion;
    return {
      task,
      target: scored.target,
      classes,
      skipped: scored.skipped,
      metrics: {
        ...summary,
        confusionMatrix: {
          labels: [...classes],
          counts: [
            [trueNegatives, falsePositives],
            [falseNegatives, truePositives],
          ],
        },
      },
    };
  }
  return {
    task,
    target: scored.target,
    skipped: scored.skipped,
    metrics: summariseRegression(scored.truth, scored.prediction),
  };
}
