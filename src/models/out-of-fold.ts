/**
 * Out-of-fold scores of a trained classifier on labelled data: the data is split into k folds (stratified, or by
 * group when the model was validated by group) and every fold is scored by a copy of the model — same class, same
 * options, same preprocessing — fitted on the other folds. Each row's score thus comes from a model that never saw
 * it, which is what a cost or threshold analysis needs (scores of the training rows themselves are optimistic).
 */
import { describeValue, UnprocessableError, ValidationError } from '../core/errors.js';
import { groupKFold, stratifiedKFold } from '../evaluate/splits.js';
import { Preprocessor } from '../features/preprocess.js';
import type { Frame } from '../io/frame.js';
import { Classifier } from './base.js';
import { type ModelRegistry, modelRegistry } from './registry.js';
import type { TrainedModel } from './trained-model.js';

export interface OutOfFoldOptions {
  /** Default: the folds the model was validated with, else 5. */
  folds?: number;
  /** Default: the seed of the model's validation. */
  seed?: number;
  registry?: ModelRegistry;
  /** Called after each fold. */
  onFold?: (completed: number, total: number) => void;
}

export interface OutOfFoldScores {
  target: string;
  /** Rows of the frame with a target value, in order. */
  rows: Int32Array;
  /** 1 for the positive class, 0 for the other. */
  truth: Float64Array;
  /** Positive-class probability from the fold model that did not see the row. */
  scores: Float64Array;
  folds: number;
  /** The column rows were grouped by, when they were. */
  groupColumn?: string;
}

function groupKeys(frame: Frame, name: string): number[] | string[] {
  const column = frame.column(name);
  if (column.kind === 'numeric') return Array.from(column.values);
  return Array.from(column.codes, (code) => (code < 0 ? '' : (column.levels[code] as string)));
}

/**
 * Out-of-fold positive-class scores of `model`'s recipe on `frame` (which holds the model's input columns and its
 * target). `UnprocessableError` for a model that is not a binary classifier or data without both classes.
 * Cost: k model fits on (k − 1)/k of the rows.
 */
export function outOfFoldScores(model: TrainedModel, frame: Frame, options: OutOfFoldOptions = {}): OutOfFoldScores {
  const card = model.card;
  if (card.task !== 'classification' || !card.classes) {
    throw new UnprocessableError(`model '${card.kind}' does ${card.task}: out-of-fold scores need a classifier`, [
      { path: 'model', message: 'not a classifier' },
    ]);
  }
  const [negative, positive] = card.classes as [number, number];
  const target = card.target;
  const values = frame.numeric(target);
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) kept.push(i);
  const rows = Int32Array.from(kept);
  const data = kept.length === frame.rowCount ? frame : frame.take(rows);
  const truth = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const value = values[rows[i] as number] as number;
    if (value !== negative && value !== positive) {
      throw new UnprocessableError(
        `row ${(rows[i] as number) + 1}: '${target}' is ${describeValue(value)}, not one of the model's classes ${negative} and ${positive}`,
        [{ path: target, message: 'unknown class' }],
      );
    }
    truth[i] = value === positive ? 1 : 0;
  }
  const folds = options.folds ?? card.validation.folds ?? 5;
  if (!(Number.isInteger(folds) && folds >= 2)) {
    throw new ValidationError(`folds must be a whole number ≥ 2, got ${describeValue(folds)}`, [
      { path: 'folds', message: 'not a whole number ≥ 2' },
    ]);
  }
  let positives = 0;
  for (const label of truth) positives += label;
  if (positives < folds || rows.length - positives < folds) {
    throw new UnprocessableError(
      `'${target}' needs at least ${folds} rows of each class for ${folds}-fold scores, got ${positives} positive and ${rows.length - positives} negative`,
      [{ path: target, message: 'too few rows of a class' }],
    );
  }
  const groupColumn = card.validation.groupColumn;
  const grouped = groupColumn !== undefined && data.has(groupColumn);
  const seed = options.seed ?? card.validation.seed;
  const splits = grouped
    ? groupKFold(groupKeys(data, groupColumn), { folds })
    : stratifiedKFold(truth, { folds, seed });

  const features = data.select(card.preprocessing.inputColumns);
  const registry = options.registry ?? modelRegistry;
  const { encoding, missingIndicator, standardize } = card.preprocessing;
  const scores = new Float64Array(rows.length).fill(Number.NaN);
  splits.forEach((fold, index) => {
    const train = features.take(fold.train);
    const pipeline = new Preprocessor({ encoding, missingIndicator, standardize }).fit(train);
    const fitted = registry.create(card.className, card.parameters);
    if (!(fitted instanceof Classifier)) throw new UnprocessableError(`${card.className} is not a classifier`);
    const targets = Float64Array.from(fold.train, (row) => values[rows[row] as number] as number);
    fitted.fit(pipeline.transform(train), targets);
    const probabilities = fitted.predictProba(pipeline.transform(features.take(fold.test)));
    for (let i = 0; i < fold.test.length; i++) {
      scores[fold.test[i] as number] = probabilities.data[i * probabilities.cols + 1] as number;
    }
    options.onFold?.(index + 1, splits.length);
  });
  return { target, rows, truth, scores, folds: splits.length, ...(grouped ? { groupColumn } : {}) };
}
