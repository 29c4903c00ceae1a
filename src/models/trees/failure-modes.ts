/**
 * Which failure mode, out of fold: a softmax boosted-tree model over "none" and the failure-mode flag columns
 * (AI4I's TWF, HDF, PWF, OSF, RNF), validated by stratified k-fold, reported per mode as precision, recall, F1 and
 * support — where the binary failure model says "a failure is coming", this says which kind, and how reliably.
 * A row's mode is the first flagged mode column (flag ≠ 0), or "none". O(folds · fit).
 */

import { describeValue, UnprocessableError, ValidationError } from '../../core/errors.js';
import { perClassScores } from '../../evaluate/metrics.js';
import { stratifiedKFold } from '../../evaluate/splits.js';
import { Preprocessor } from '../../features/preprocess.js';
import type { Frame } from '../../io/frame.js';
import { GbdtClassifier, type GbdtClassifierOptions } from './gbdt-classifier.js';

export interface FailureModeOptions {
  /** The 0/1 flag columns, one per failure mode. */
  modes: readonly string[];
  /** Further columns to leave out (identifiers, the overall failure label). */
  drop?: readonly string[];
  folds?: number;
  seed?: number;
  /** Options of the boosted trees. */
  params?: Partial<GbdtClassifierOptions>;
}

export interface FailureModeScores {
  mode: string;
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface FailureModeReport {
  rows: number;
  folds: number;
  accuracy: number;
  /** "none" first, then the modes in the order given. */
  classes: FailureModeScores[];
}

/** The class of each row: 0 for none, k + 1 for the first flagged of `modes`. */
export function failureModeLabels(frame: Frame, modes: readonly string[]): Float64Array {
  const flags = modes.map((name) => {
    const column = frame.column(name);
    if (column.kind !== 'numeric') {
      throw new UnprocessableError(`failure-mode column '${name}' must hold 0/1 flags`, [
        { path: name, message: 'not numeric' },
      ]);
    }
    return column.values;
  });
  const labels = new Float64Array(frame.rowCount);
  for (let i = 0; i < labels.length; i++) {
    const first = flags.findIndex((values) => values[i] !== 0 && !Number.isNaN(values[i]));
    labels[i] = first + 1;
  }
  return labels;
}

/** Out-of-fold per-mode precision and recall of a softmax GBDT. */
export function failureModeReport(frame: Frame, options: FailureModeOptions): FailureModeReport {
  const { modes } = options;
  if (modes.length === 0) throw new ValidationError('modes must name at least one failure-mode column');
  const folds = options.folds ?? 5;
  if (!(Number.isInteger(folds) && folds >= 2)) {
    throw new ValidationError(`folds must be an integer ≥ 2, got ${describeValue(folds)}`);
  }
  const labels = failureModeLabels(frame, modes);
  const features = frame.drop([...modes, ...(options.drop ?? [])]);
  const predicted = new Float64Array(frame.rowCount);
  for (const fold of stratifiedKFold(labels, { folds, seed: options.seed ?? 0 })) {
    const train = features.take(fold.train);
    const pipeline = new Preprocessor({ standardize: false }).fit(train);
    const model = new GbdtClassifier(options.params ?? {}).fit(
      pipeline.transform(train),
      Float64Array.from(fold.train, (row) => labels[row]),
    );
    const prediction = model.predict(pipeline.transform(features.take(fold.test)));
    fold.test.forEach((row, i) => {
      predicted[row] = prediction[i];
    });
  }
  const classes = ['none', ...modes];
  const scores = perClassScores(
    labels,
    predicted,
    classes.map((_, k) => k),
  );
  let correct = 0;
  for (let i = 0; i < labels.length; i++) correct += labels[i] === predicted[i] ? 1 : 0;
  return {
    rows: frame.rowCount,
    folds,
    accuracy: correct / Math.max(1, labels.length),
    classes: classes.map((mode, k) => ({
      mode,
      support: scores.support[k],
      precision: scores.precision[k],
      recall: scores.recall[k],
      f1: scores.f1[k],
    })),
  };
}
