/**
 * Evaluation metrics as plain functions on typed arrays, defined as scikit-learn defines them
 * (https://scikit-learn.org/stable/modules/model_evaluation.html) and checked against it in metrics.test.ts.
 * Binary metrics take labels 0/1 with 1 the positive class (a failure); scores are "higher = more likely positive".
 */
import { describeValue, ValidationError } from '../core/errors.js';

export type Values = ArrayLike<number>;

function checkLengths(firstName: string, first: Values, secondName: string, second: Values): void {
  if (first.length !== second.length) {
    throw new ValidationError(
      `${firstName} and ${secondName} must have the same length, got ${first.length} and ${second.length}`,
    );
  }
  if (first.length === 0) throw new ValidationError(`${firstName} must not be empty`);
}

function checkFinite(name: string, values: Values): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ValidationError(`${name}[${i}] must be a finite number, got ${describeValue(values[i])}`);
    }
  }
}

function checkBinaryLabels(name: string, labels: Values): number {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label !== 0 && label !== 1) {
      throw new ValidationError(`${name}[${i}] must be 0 or 1, got ${describeValue(label)}`);
    }
    positives += label;
  }
  return positives;
}

function checkProbabilities(name: string, values: Values): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!(value >= 0 && value <= 1)) {
      throw new ValidationError(`${name}[${i}] must be a probability in [0, 1], got ${describeValue(value)}`);
    }
  }
}

function checkBinaryScores(yTrue: Values, scores: Values, scoreName = 'scores'): number {
  checkLengths('yTrue', yTrue, scoreName, scores);
  checkFinite(scoreName, scores);
  return checkBinaryLabels('yTrue', yTrue);
}

// ---------------------------------------------------------------------------------------------------------------
// Classification from hard predictions

export interface ConfusionMatrix {
  /** Class labels, ascending: the union of those in yTrue and yPred unless given. */
  labels: number[];
  /** counts[i][j] = number of rows whose true label is labels[i] and predicted label is labels[j]. */
  counts: number[][];
}

/**
 * Confusion matrix, rows = true class, columns = predicted class (sklearn `confusion_matrix`). Rows whose true or
 * predicted label is not in `labels` are ignored. O(n + L²).
 */
export function confusionMatrix(yTrue: Values, yPred: Values, labels?: readonly number[]): ConfusionMatrix {
  checkLengths('yTrue', yTrue, 'yPred', yPred);
  checkFinite('yTrue', yTrue);
  checkFinite('yPred', yPred);
  let classes: number[];
  if (labels) classes = [...labels];
  else {
    const seen = new Set<number>();
    for (let i = 0; i < yTrue.length; i++) {
      seen.add(yTrue[i]);
      seen.add(yPred[i]);
    }
    classes = [...seen].sort((a, b) => a - b);
  }
  const indexOf = new Map<number, number>();
  classes.forEach((label, index) => {
    indexOf.set(label, index);
  });
  const counts = classes.map(() => new Array<number>(classes.length).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const row = indexOf.get(yTrue[i]);
    const column = indexOf.get(yPred[i]);
    if (row !== undefined && column !== undefined) (counts[row] as number[])[column]++;
  }
  return { labels: classes, counts };
}

export interface BinaryCounts {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

/** The four cells of a binary confusion matrix for labels 0/1. O(n). */
export function binaryCounts(yTrue: Values, yPred: Values): BinaryCounts {
  checkLengths('yTrue', yTrue, 'yPred', yPred);
  checkBinaryLabels('yTrue', yTrue);
  checkBinaryLabels('yPred', yPred);
  const counts: BinaryCounts = { truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0 };
  for (let i = 0; i < yTrue.length; i++) {
    if (yPred[i] === 1) {
      if (yTrue[i] === 1) counts.truePositives++;
      else counts.falsePositives++;
    } else if (yTrue[i] === 1) counts.falseNegatives++;
    else counts.trueNegatives++;
  }
  return counts;
}

/** Fraction of rows predicted correctly (any labels). O(n). */
export function accuracy(yTrue: Values, yPred: Values): number {
  checkLengths('yTrue', yTrue, 'yPred', yPred);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

export interface PerClassScores {
  labels: number[];
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
  /** Number of rows of each true class. */
  support: Int32Array;
}

/** 0 when the denominator is 0, as sklearn's `zero_division` default does. */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Precision, recall and F1 of every class (sklearn `precision_recall_fscore_support(average=None)`). O(n + L²). */
export function perClassScores(yTrue: Values, yPred: Values, labels?: readonly number[]): PerClassScores {
  const { labels: classes, counts } = confusionMatrix(yTrue, yPred, labels);
  const size = classes.length;
  const precision = new Float64Array(size);
  const recall = new Float64Array(size);
  const f1 = new Float64Array(size);
  const support = new Int32Array(size);
  for (let k = 0; k < size; k++) {
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < size; j++) {
      predicted += (counts[j] as number[])[k] as number;
      actual += (counts[k] as number[])[j] as number;
    }
    const hits = (counts[k] as number[])[k] as number;
    precision[k] = ratio(hits, predicted);
    recall[k] = ratio(hits, actual);
    f1[k] = ratio(2 * hits, predicted + actual);
    support[k] = actual;
  }
  return { labels: classes, precision, recall, f1, support };
}

export type Average = 'binary' | 'macro' | 'weighted' | 'micro';

export interface AverageOptions {
  /** `binary` (default): the score of `positiveLabel` only; `macro`: unweighted mean over classes. */
  average?: Average;
  positiveLabel?: number;
}

function averaged(
  yTrue: Values,
  yPred: Values,
  pick: (scores: PerClassScores) => Float64Array,
  options: AverageOptions,
): number {
  const average = options.average ?? 'binary';
  if (average === 'micro') {
    // With every class counted, micro precision = micro recall = micro F1 = accuracy.
    return accuracy(yTrue, yPred);
  }
  const scores = perClassScores(yTrue, yPred);
  if (average === 'binary') {
    if (scores.labels.length > 2) {
      throw new ValidationError(
        `average 'binary' needs at most 2 classes, got ${scores.labels.length} (use average 'macro')`,
      );
    }
    const index = scores.labels.indexOf(options.positiveLabel ?? 1);
    return index < 0 ? 0 : (pick(scores)[index] as number);
  }
  const values = pick(scores);
  let total = 0;
  let weights = 0;
  for (let k = 0; k < values.length; k++) {
    const weight = average === 'weighted' ? (scores.support[k] as number) : 1;
    total += weight * (values[k] as number);
    weights += weight;
  }
  return ratio(total, weights);
}

/** tp / (tp + fp); 0 when nothing was predicted positive. O(n). */
export function precision(yTrue: Values, yPred: Values, options: AverageOptions = {}): number {
  return averaged(yTrue, yPred, (scores) => scores.precision, options);
}

/** tp / (tp + fn); 0 when there are no positives. O(n). */
export function recall(yTrue: Values, yPred: Values, options: AverageOptions = {}): number {
  return averaged(yTrue, yPred, (scores) => scores.recall, options);
}

/** 2·tp / (2·tp + fp + fn), the harmonic mean of precision and recall. O(n). */
export function f1Score(yTrue: Values, yPred: Values, options: AverageOptions = {}): number {
  return averaged(yTrue, yPred, (scores) => scores.f1, options);
}

// ---------------------------------------------------------------------------------------------------------------
// Ranking metrics from scores

export interface BinaryCurveCounts {
  /** Cumulative false positives when predicting positive for score ≥ thresholds[i]. */
  falsePositives: Float64Array;
  truePositives: Float64Array;
  /** Distinct scores, descending. */
  thresholds: Float64Array;
}

/**
 * Cumulative true/false positives at each distinct score, highest first (sklearn `_binary_clf_curve`): tied scores
 * form one step. O(n log n).
 */
export function binaryCurveCounts(yTrue: Values, scores: Values): BinaryCurveCounts {
  checkBinaryScores(yTrue, scores);
  const count = yTrue.length;
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const falsePositives: number[] = [];
  const truePositives: number[] = [];
  const thresholds: number[] = [];
  let positives = 0;
  for (let rank = 0; rank < count; rank++) {
    const index = order[rank] as number;
    positives += yTrue[index] as number;
    const score = scores[index] as number;
    const next = rank + 1 < count ? (scores[order[rank + 1] as number] as number) : Number.NaN;
    if (score !== next) {
      truePositives.push(positives);
      falsePositives.push(rank + 1 - positives);
      thresholds.push(score);
    }
  }
  return {
    falsePositives: Float64Array.from(falsePositives),
    truePositives: Float64Array.from(truePositives),
    thresholds: Float64Array.from(thresholds),
  };
}

export interface RocCurve {
  falsePositiveRate: Float64Array;
  truePositiveRate: Float64Array;
  /** thresholds[0] = Infinity (nothing predicted positive), then the distinct scores descending. */
  thresholds: Float64Array;
}

export interface RocOptions {
  /** Drop points on straight segments of the curve, as sklearn does by default (true). */
  dropIntermediate?: boolean;
}

/**
 * ROC curve (sklearn `roc_curve`, whose first threshold is `inf` since 1.3). Needs both classes. O(n log n).
 */
export function rocCurve(yTrue: Values, scores: Values, options: RocOptions = {}): RocCurve {
  const positives = checkBinaryScores(yTrue, scores);
  if (positives === 0 || positives === yTrue.length) {
    throw new ValidationError(`ROC needs both classes in yTrue, got only ${positives === 0 ? 0 : 1}`);
  }
  let { falsePositives, truePositives, thresholds } = binaryCurveCounts(yTrue, scores);
  if ((options.dropIntermediate ?? true) && thresholds.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < thresholds.length - 1; i++) {
      const bendsFalse = falsePositives[i + 1] - 2 * falsePositives[i] + falsePositives[i - 1] !== 0;
      const bendsTrue = truePositives[i + 1] - 2 * truePositives[i] + truePositives[i - 1] !== 0;
      if (bendsFalse || bendsTrue) keep.push(i);
    }
    keep.push(thresholds.length - 1);
    falsePositives = Float64Array.from(keep, (i) => falsePositives[i]);
    truePositives = Float64Array.from(keep, (i) => truePositives[i]);
    thresholds = Float64Array.from(keep, (i) => thresholds[i]);
  }
  const size = thresholds.length + 1;
  const totalFalse = falsePositives[size - 2];
  const totalTrue = truePositives[size - 2];
  const falsePositiveRate = new Float64Array(size);
  const truePositiveRate = new Float64Array(size);
  const curveThresholds = new Float64Array(size);
  curveThresholds[0] = Number.POSITIVE_INFINITY;
  for (let i = 1; i < size; i++) {
    falsePositiveRate[i] = falsePositives[i - 1] / totalFalse;
    truePositiveRate[i] = truePositives[i - 1] / totalTrue;
    curveThresholds[i] = thresholds[i - 1];
  }
  return { falsePositiveRate, truePositiveRate, thresholds: curveThresholds };
}

/** Area under a curve by the trapezoidal rule; x must be monotonic. O(n). */
export function trapezoidArea(x: Values, y: Values): number {
  checkLengths('x', x, 'y', y);
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

/**
 * Area under the ROC curve (sklearn `roc_auc_score`): the probability that a random positive scores above a random
 * negative, ties counting one half. Needs both classes. O(n log n).
 */
export function rocAuc(yTrue: Values, scores: Values): number {
  const curve = rocCurve(yTrue, scores, { dropIntermediate: false });
  return trapezoidArea(curve.falsePositiveRate, curve.truePositiveRate);
}

export interface PrecisionRecallCurve {
  /** Ends with 1 (the convention for no predicted positives). */
  precision: Float64Array;
  /** Decreasing; ends with 0. */
  recall: Float64Array;
  /** Distinct scores ascending; one fewer than precision/recall. */
  thresholds: Float64Array;
}

/** Precision–recall curve (sklearn `precision_recall_curve`). O(n log n). */
export function precisionRecallCurve(yTrue: Values, scores: Values): PrecisionRecallCurve {
  const { falsePositives, truePositives, thresholds } = binaryCurveCounts(yTrue, scores);
  const size = thresholds.length;
  const totalTrue = truePositives[size - 1];
  const precisionValues = new Float64Array(size + 1);
  const recallValues = new Float64Array(size + 1);
  const ascending = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const from = size - 1 - i;
    const predicted = truePositives[from] + falsePositives[from];
    precisionValues[i] = predicted === 0 ? 0 : truePositives[from] / predicted;
    recallValues[i] = totalTrue === 0 ? 1 : truePositives[from] / totalTrue;
    ascending[i] = thresholds[from];
  }
  precisionValues[size] = 1;
  recallValues[size] = 0;
  return { precision: precisionValues, recall: recallValues, thresholds: ascending };
}

/**
 * Average precision, the step-wise area under the precision–recall curve: Σ (Rₙ − Rₙ₋₁)·Pₙ over thresholds
 * (sklearn `average_precision_score`, no interpolation). 0 when there are no positives. O(n log n).
 */
export function averagePrecision(yTrue: Values, scores: Values): number {
  const curve = precisionRecallCurve(yTrue, scores);
  let area = 0;
  for (let i = 0; i + 1 < curve.recall.length; i++) {
    area += (curve.recall[i] - curve.recall[i + 1]) * curve.precision[i];
  }
  return area;
}

// ---------------------------------------------------------------------------------------------------------------
// Probability scores

/** Probabilities are clipped to [ε, 1 − ε] with ε = 2⁻⁵² (sklearn's float64 default). */
export const LOG_LOSS_EPSILON = Number.EPSILON;

/** Mean binary cross-entropy −[y·log p + (1−y)·log(1−p)] of the positive-class probability (sklearn `log_loss`). O(n). */
export function logLoss(yTrue: Values, probability: Values): number {
  checkBinaryScores(yTrue, probability, 'probability');
  checkProbabilities('probability', probability);
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const clipped = Math.min(Math.max(probability[i], LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    total -= yTrue[i] === 1 ? Math.log(clipped) : Math.log(1 - clipped);
  }
  return total / yTrue.length;
}

/** Mean squared difference between the positive-class probability and the 0/1 outcome (sklearn `brier_score_loss`). O(n). */
export function brierScore(yTrue: Values, probability: Values): number {
  checkBinaryScores(yTrue, probability, 'probability');
  checkProbabilities('probability', probability);
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const difference = probability[i] - yTrue[i];
    total += difference * difference;
  }
  return total / yTrue.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Regression

function checkRegression(yTrue: Values, yPred: Values): void {
  checkLengths('yTrue', yTrue, 'yPred', yPred);
  checkFinite('yTrue', yTrue);
  checkFinite('yPred', yPred);
}

/** Mean absolute error. O(n). */
export function meanAbsoluteError(yTrue: Values, yPred: Values): number {
  checkRegression(yTrue, yPred);
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) total += Math.abs(yPred[i] - yTrue[i]);
  return total / yTrue.length;
}

/** Mean squared error. O(n). */
export function meanSquaredError(yTrue: Values, yPred: Values): number {
  checkRegression(yTrue, yPred);
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const residual = yPred[i] - yTrue[i];
    total += residual * residual;
  }
  return total / yTrue.length;
}

/** Root mean squared error. O(n). */
export function rootMeanSquaredError(yTrue: Values, yPred: Values): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred));
}

/**
 * Coefficient of determination 1 − SS_res / SS_tot (sklearn `r2_score`): 1 for a perfect fit, 0 for predicting the
 * mean, negative when worse; for a constant yTrue, 1 if predicted exactly else 0. O(n).
 */
export function r2Score(yTrue: Values, yPred: Values): number {
  checkRegression(yTrue, yPred);
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) mean += yTrue[i];
  mean /= yTrue.length;
  let residualSum = 0;
  let totalSum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const residual = yTrue[i] - yPred[i];
    const deviation = yTrue[i] - mean;
    residualSum += residual * residual;
    totalSum += deviation * deviation;
  }
  if (totalSum === 0) return residualSum === 0 ? 1 : 0;
  return 1 - residualSum / totalSum;
}

/**
 * PHM08 challenge score for remaining-useful-life predictions (Saxena et al., "Damage propagation modeling for
 * aircraft engine run-to-failure simulation", PHM 2008): with d = predicted − true, Σ exp(−d/13) − 1 for early
 * predictions (d < 0) and exp(d/10) − 1 for late ones (d ≥ 0), so late predictions cost more. Lower is better. O(n).
 */
export function phm08Score(trueRul: Values, predictedRul: Values): number {
  checkLengths('trueRul', trueRul, 'predictedRul', predictedRul);
  checkFinite('trueRul', trueRul);
  checkFinite('predictedRul', predictedRul);
  let total = 0;
  for (let i = 0; i < trueRul.length; i++) {
    const difference = predictedRul[i] - trueRul[i];
    total += difference < 0 ? Math.exp(-difference / 13) - 1 : Math.exp(difference / 10) - 1;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------------------
// Summaries for reports

export interface BinaryClassificationSummary {
  count: number;
  positives: number;
  threshold: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** null when yTrue holds one class only. */
  rocAuc: number | null;
  averagePrecision: number;
  logLoss: number;
  brier: number;
  confusion: BinaryCounts;
}

/**
 * Every binary metric at once from positive-class probabilities; hard predictions are probability ≥ threshold.
 * O(n log n).
 */
export function summariseBinary(yTrue: Values, probability: Values, threshold = 0.5): BinaryClassificationSummary {
  const positives = checkBinaryScores(yTrue, probability, 'probability');
  checkProbabilities('probability', probability);
  const predicted = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) predicted[i] = probability[i] >= threshold ? 1 : 0;
  const bothClasses = positives > 0 && positives < yTrue.length;
  return {
    count: yTrue.length,
    positives,
    threshold,
    accuracy: accuracy(yTrue, predicted),
    precision: precision(yTrue, predicted),
    recall: recall(yTrue, predicted),
    f1: f1Score(yTrue, predicted),
    rocAuc: bothClasses ? rocAuc(yTrue, probability) : null,
    averagePrecision: averagePrecision(yTrue, probability),
    logLoss: logLoss(yTrue, probability),
    brier: brierScore(yTrue, probability),
    confusion: binaryCounts(yTrue, predicted),
  };
}

export interface RegressionSummary {
  count: number;
  mae: number;
  rmse: number;
  r2: number;
}

/** MAE, RMSE and R² at once. O(n). */
export function summariseRegression(yTrue: Values, yPred: Values): RegressionSummary {
  return {
    count: yTrue.length,
    mae: meanAbsoluteError(yTrue, yPred),
    rmse: rootMeanSquaredError(yTrue, yPred),
    r2: r2Score(yTrue, yPred),
  };
}
