import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { UnprocessableError, ValidationError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { VERSION } from '../core/version.js';
import { summariseBinary } from '../evaluate/metrics.js';
import { stratifiedKFold } from '../evaluate/splits.js';
import { maxF1Threshold } from '../evaluate/threshold.js';
import { Preprocessor } from '../features/preprocess.js';
import { categoryFromText, Frame, numericColumn } from '../io/frame.js';
import { frameFingerprint } from './card.js';
import { LogisticRegression } from './linear/logistic-regression.js';
import { type TrainProgress, trainModel } from './train.js';

/** Least squares for one input: slope = Sxy / Sxx, intercept = ȳ − slope·x̄ (closed form). */
function simpleLine(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } {
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < x.length; i++) {
    meanX += (x[i] as number) / x.length;
    meanY += (y[i] as number) / x.length;
  }
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    sxx += ((x[i] as number) - meanX) ** 2;
    sxy += ((x[i] as number) - meanX) * ((y[i] as number) - meanY);
  }
  return { slope: sxy / sxx, intercept: meanY - (sxy / sxx) * meanX };
}

/** 120 rows from 3 machines: load (°C-like scale, mean 50), y = 4 + 3·load + noise; a row id and a leaky flag. */
function regressionFrame(): Frame {
  const rng = new Rng(5);
  const rows = 120;
  const load = Float64Array.from({ length: rows }, () => 50 + 10 * rng.normal());
  const y = Float64Array.from(load, (value) => 4 + 3 * value + 2 * rng.normal());
  return new Frame([
    numericColumn(
      'row_id',
      Float64Array.from({ length: rows }, (_, i) => 1000 + i),
    ),
    categoryFromText(
      'machine_id',
      Array.from({ length: rows }, (_, i) => `m${i % 3}`),
    ),
    numericColumn('load', load),
    numericColumn(
      'flag',
      Float64Array.from({ length: rows }, (_, i) => i % 2),
    ),
    numericColumn('y', y),
  ]);
}

/** 300 rows: failure when 1.5·temperature − vibration + noise > 1.2 (standard-normal inputs), a text Type column. */
function classificationFrame(): Frame {
  const rng = new Rng(9);
  const rows = 300;
  const temperature = Float64Array.from({ length: rows }, () => rng.normal());
  const vibration = Float64Array.from({ length: rows }, () => rng.normal());
  const failed = Float64Array.from(temperature, (t, i) =>
    1.5 * t - (vibration[i] as number) + 0.8 * rng.normal() > 1.2 ? 1 : 0,
  );
  return new Frame([
    numericColumn('temperature', temperature),
    numericColumn('vibration', vibration),
    categoryFromText(
      'Type',
      Array.from({ length: rows }, (_, i) => ['L', 'M', 'H'][i % 3]),
    ),
    numericColumn('failed', failed),
  ]);
}

describe('trainModel: linear regression', () => {
  const frame = regressionFrame();
  const clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  const trained = trainModel(frame, { target: 'y', drop: ['row_id', 'flag'], model: 'linear' }, { clock });
  const { card } = trained;

  it('gives the least-squares line in the units of the file', () => {
    const line = simpleLine(frame.numeric('load'), frame.numeric('y'));
    expect(card.intercept).toBeCloseTo(line.intercept, 9);
    expect(card.coefficients?.load).toBeCloseTo(line.slope, 11);
    // Per standard deviation: slope · σ(load), population σ as the pipeline uses.
    const step = trained.preprocessor.toJSON().steps[0];
    expect(card.standardizedCoefficients?.load).toBeCloseTo(line.slope * (step?.scale as number), 10);
  });

  it('fills the card', () => {
    expect(card).toMatchObject({
      formatVersion: 1,
      kind: 'linear',
      className: 'LinearRegression',
      task: 'regression',
      libraryVersion: VERSION,
      created: '2026-01-02T03:04:05.000Z',
      parameters: { ridge: 0, fitIntercept: true },
      target: 'y',
      featureNames: ['load'],
      preprocessing: {
        drop: ['row_id', 'flag'],
        autoDropped: ['machine_id'],
        inputColumns: ['load'],
        standardize: true,
        encoding: 'onehot',
      },
      trainingData: { rows: 120, columns: 5, hash: frameFingerprint(frame).hash, rowsWithoutTarget: 0 },
    });
    // The row id and the asset are identifiers; the 0/1 flag is not.
    expect(card.idColumns).toEqual(['row_id', 'machine_id']);
    expect(card.threshold).toBeUndefined();
    expect(card.classes).toBeUndefined();
    expect(card.diagnostics).toMatchObject({ rank: 1, samples: 120 });
  });

  it('validates grouped by machine when the data names machines', () => {
    expect(card.validation).toMatchObject({ method: 'kfold', folds: 3, groupColumn: 'machine_id', rows: 120 });
    expect(card.warnings).toEqual(["'machine_id' has 3 values: using 3 folds instead of 5"]);
    const metrics = card.validation.metrics as { rmse: number; r2: number; count: number };
    expect(metrics.count).toBe(120);
    expect(metrics.rmse).toBeGreaterThan(1.5);
    expect(metrics.rmse).toBeLessThan(2.5);
  });

  it('predicts from raw rows in any column order', () => {
    const shuffled = frame.select(['y', 'load', 'machine_id']);
    const { prediction, probability } = trained.predictFrame(shuffled);
    expect(probability).toBeUndefined();
    const load = frame.numeric('load');
    for (let i = 0; i < 5; i++) {
      expect(prediction[i]).toBeCloseTo(
        (card.intercept as number) + (card.coefficients?.load as number) * (load[i] as number),
        9,
      );
    }
  });

  it('auto searches the ridge grid out of fold and keeps the best', () => {
    const progress: TrainProgress[] = [];
    const auto = trainModel(
      frame,
      { target: 'y', drop: ['row_id', 'flag'], groupColumn: null },
      {
        clock,
        onProgress: (step) => progress.push(step),
      },
    );
    const trials = auto.card.search?.trials ?? [];
    expect(auto.card.search?.scoring).toBe('rmse');
    expect(trials.filter((trial) => trial.kind === 'linear').map((trial) => trial.params.ridge)).toEqual([
      0, 1, 10, 100,
    ]);
    expect(trials.filter((trial) => trial.kind === 'gbdt').map((trial) => trial.params.maxDepth)).toEqual([3, 6]);
    // y is linear in load: the linear model beats the trees.
    expect(auto.card.kind).toBe('linear');
    const best = trials.reduce((a, b) => ((b.score as number) < (a.score as number) ? b : a));
    expect(auto.card.parameters.ridge).toBe(best.params.ridge);
    expect((auto.card.validation.metrics as { rmse: number }).rmse).toBe(best.score);
    expect(auto.card.validation).toMatchObject({ method: 'kfold', folds: 5, stratified: false });
    // (4 linear + 2 gbdt candidates) × 5 folds, then the final fit.
    expect(progress.at(-1)).toMatchObject({ stage: 'fit', completed: 31, total: 31 });
    const counts = progress.map((step) => step.completed);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });

  it('validates on a holdout when asked', () => {
    const holdout = trainModel(frame, {
      target: 'y',
      drop: ['row_id'],
      model: 'linear',
      validation: { method: 'holdout', testFraction: 0.25 },
      groupColumn: null,
    });
    expect(holdout.card.validation).toMatchObject({ method: 'holdout', testFraction: 0.25, rows: 30 });
    expect((holdout.card.validation.metrics as { count: number }).count).toBe(30);
  });

  it('leaves out rows without a target, with a warning', () => {
    const values = Float64Array.from(frame.numeric('y'));
    values[3] = Number.NaN;
    values[7] = Number.NaN;
    const gappy = new Frame([...frame.columns.filter((column) => column.name !== 'y'), numericColumn('y', values)]);
    const result = trainModel(gappy, { target: 'y', drop: ['row_id'], model: 'linear' });
    expect(result.card.trainingData.rowsWithoutTarget).toBe(2);
    expect(result.card.warnings).toContain("2 rows without a value of 'y' were left out");
    expect((result.card.validation.metrics as { count: number }).count).toBe(118);
  });
});

describe('trainModel: classification', () => {
  const frame = classificationFrame();
  const trained = trainModel(frame, { target: 'failed', model: 'logistic', seed: 4 });
  const { card } = trained;

  it('infers the task from a 0/1 target and reproduces the out-of-fold evaluation', () => {
    expect(card.task).toBe('classification');
    expect(card.classes).toEqual([0, 1]);
    expect(card.featureNames).toEqual(['temperature', 'vibration', 'Type=H', 'Type=L', 'Type=M']);
    // The same protocol by hand: stratified 5-fold (seed 4), pipeline and model fitted inside each fold.
    const y = frame.numeric('failed');
    const features = frame.drop(['failed']);
    const oof = new Float64Array(frame.rowCount);
    for (const fold of stratifiedKFold(y, { folds: 5, seed: 4 })) {
      const pipeline = new Preprocessor().fit(features.take(fold.train));
      const model = new LogisticRegression().fit(
        pipeline.transform(features.take(fold.train)),
        Array.from(fold.train, (row) => y[row] as number),
      );
      const probabilities = model.predictProba(pipeline.transform(features.take(fold.test)));
      fold.test.forEach((row, i) => {
        oof[row] = probabilities.data[i * 2 + 1] as number;
      });
    }
    const threshold = maxF1Threshold(y, oof).threshold;
    expect(card.threshold).toBe(threshold);
    expect(card.validation.metrics).toEqual(summariseBinary(y, oof, threshold));
    expect(card.validation).toMatchObject({ method: 'kfold', folds: 5, stratified: true, seed: 4 });
  });

  it('predicts the positive class at the threshold and gives its probability', () => {
    const { prediction, probability } = trained.predictFrame(frame);
    expect(probability).toBeDefined();
    for (let i = 0; i < frame.rowCount; i++) {
      expect(prediction[i]).toBe((probability?.[i] as number) >= (card.threshold as number) ? 1 : 0);
    }
  });

  it('keeps logistic coefficients in input units next to the standardised ones', () => {
    expect(Object.keys(card.coefficients ?? {})).toEqual(card.featureNames);
    expect(card.coefficients?.temperature).toBeGreaterThan(0);
    expect(card.coefficients?.vibration).toBeLessThan(0);
    expect(card.diagnostics).toMatchObject({ converged: true });
  });

  it('treats a true/false target as classification and keeps labels other than 0/1', () => {
    const y = frame.numeric('failed');
    const booleanTarget = new Frame([
      ...frame.drop(['failed']).columns,
      { kind: 'numeric', name: 'failed', values: y, boolean: true },
    ]);
    expect(trainModel(booleanTarget, { target: 'failed', validation: { method: 'none' } }).card.task).toBe(
      'classification',
    );
    const shifted = new Frame([
      ...frame.drop(['failed']).columns,
      numericColumn(
        'failed',
        y.map((v) => v + 1),
      ),
    ]);
    expect(trainModel(shifted, { target: 'failed', validation: { method: 'none' } }).card.task).toBe('regression');
    const labelled = trainModel(shifted, { target: 'failed', task: 'classification', validation: { method: 'none' } });
    expect(labelled.card.classes).toEqual([1, 2]);
    expect(labelled.card.threshold).toBe(0.5);
    expect(new Set(labelled.predictFrame(shifted).prediction)).toEqual(new Set([1, 2]));
  });

  it('accepts the balanced class weight and C', () => {
    const weighted = trainModel(frame, {
      target: 'failed',
      model: 'logistic',
      params: { C: 0.5, classWeight: 'balanced' },
      validation: { method: 'none' },
    });
    expect(weighted.card.parameters).toMatchObject({ C: 0.5, classWeight: 'balanced' });
  });

  it('does not validate on too little data, and says so', () => {
    const tiny = frame.take([0, 1, 2, 3, 4, 5, 6]);
    const y = tiny.numeric('failed');
    const few = new Frame([...tiny.drop(['failed']).columns, numericColumn('failed', [0, 1, 0, 1, 0, 1, 0])]);
    expect(y.length).toBe(7);
    const result = trainModel(few, { target: 'failed', model: 'logistic' });
    expect(result.card.validation).toMatchObject({ method: 'none', metrics: null });
    expect(result.card.warnings[0]).toMatch(/too little data for 5-fold validation \(7 rows\)/);
  });
});

describe('trainModel: bad requests', () => {
  const frame = regressionFrame();
  const cases: [string, Parameters<typeof trainModel>[1], RegExp, typeof ValidationError][] = [
    ['a missing target column', { target: 'rul' }, /column 'rul' is not in the data/, UnprocessableError],
    [
      'a text target',
      { target: 'machine_id' },
      /target 'machine_id' must be numeric or true\/false/,
      UnprocessableError,
    ],
    ['a dropped target', { target: 'y', drop: ['y'] }, /drop lists the target 'y'/, ValidationError],
    ['an unknown drop column', { target: 'y', drop: ['nope'] }, /column 'nope' is not in the data/, UnprocessableError],
    [
      'an unknown model',
      { target: 'y', model: 'forest' },
      /model must be one of linear, logistic.*auto, got "forest"/,
      ValidationError,
    ],
    [
      'a model for another task',
      { target: 'y', model: 'logistic' },
      /two classes.*'y' has more than two values/,
      UnprocessableError,
    ],
    [
      'linear for classification',
      { target: 'flag', model: 'linear', task: 'classification' },
      /model 'linear' does not do classification \(use logistic/,
      ValidationError,
    ],
    [
      'an option of another model',
      { target: 'y', model: 'linear', params: { C: 1 } },
      /parameter 'C' is not an option of model 'linear' \(options: ridge/,
      ValidationError,
    ],
    [
      'a bad option value',
      { target: 'y', model: 'linear', params: { ridge: -1 } },
      /ridge must be a finite number ≥ 0, got -1/,
      ValidationError,
    ],
    [
      'a bad fold count',
      { target: 'y', validation: { method: 'kfold', folds: 1 } },
      /^validation\.folds: /,
      ValidationError,
    ],
    [
      'a request without features',
      { target: 'y', drop: ['row_id', 'load', 'flag'] },
      /no feature columns left: the data holds only the target 'y' and the left-out columns 'row_id', 'load', 'flag', 'machine_id'/,
      UnprocessableError,
    ],
    [
      'a scoring of the other task',
      { target: 'y', scoring: 'roc-auc' },
      /scoring 'roc-auc' does not fit regression/,
      ValidationError,
    ],
  ];
  for (const [name, spec, message, type] of cases) {
    it(`names ${name}`, () => {
      let caught: unknown;
      try {
        trainModel(frame, spec);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(type);
      expect((caught as Error).message).toMatch(message);
    });
  }
});
