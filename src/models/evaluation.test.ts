import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { summariseBinary, summariseRegression } from '../evaluate/metrics.js';
import { Frame, numericColumn } from '../io/frame.js';
import { evaluateTrainedModel, scoreRows } from './evaluation.js';
import { trainModel } from './train.js';

const rng = new Rng(33);
const rows = 150;
const pressure = Float64Array.from({ length: rows }, () => rng.normal());
const failed = Float64Array.from(pressure, (p) => (p + 0.7 * rng.normal() > 0.8 ? 1 : 0));
const level = Float64Array.from(pressure, (p) => 10 - 2 * p + 0.3 * rng.normal());
const frame = new Frame([
  numericColumn('pressure', pressure),
  numericColumn('failed', failed),
  numericColumn('level', level),
]);
const classifier = trainModel(frame, { target: 'failed', drop: ['level'], model: 'logistic' });
const regressor = trainModel(frame, { target: 'level', drop: ['failed'], model: 'linear' });

describe('evaluateTrainedModel', () => {
  it('classifier: metrics at the model threshold and the confusion matrix counted from its predictions', () => {
    const evaluation = evaluateTrainedModel(classifier, frame);
    if (evaluation.task !== 'classification') throw new Error('expected a classification evaluation');
    const { prediction, probability } = classifier.predictFrame(frame);
    const counts = [
      [0, 0],
      [0, 0],
    ];
    for (let i = 0; i < rows; i++) (counts[failed[i] as number] as number[])[prediction[i] as number]++;
    expect(evaluation.metrics.confusionMatrix).toEqual({ labels: [0, 1], counts });
    expect(evaluation.metrics).toMatchObject(
      summariseBinary(failed, probability as Float64Array, classifier.threshold),
    );
    expect(evaluation).toMatchObject({ target: 'failed', classes: [0, 1], skipped: 0 });
  });

  it('regressor: MAE, RMSE and R² of its predictions', () => {
    const evaluation = evaluateTrainedModel(regressor, frame);
    expect(evaluation.metrics).toEqual(summariseRegression(level, regressor.predictFrame(frame).prediction));
    expect(evaluation.task).toBe('regression');
  });

  it('skips rows without a target and names a value that is not a class', () => {
    const gappy = Float64Array.from(failed);
    gappy[0] = Number.NaN;
    const withGap = new Frame([numericColumn('pressure', pressure), numericColumn('failed', gappy)]);
    const scored = scoreRows(classifier, withGap);
    expect(scored.skipped).toBe(1);
    expect(scored.rows[0]).toBe(1);
    expect(Array.from(scored.truth)).toEqual(Array.from(failed.subarray(1)));
    const odd = Float64Array.from(failed);
    odd[4] = 2;
    const withOdd = new Frame([numericColumn('pressure', pressure), numericColumn('failed', odd)]);
    expect(() => evaluateTrainedModel(classifier, withOdd)).toThrow(UnprocessableError);
    expect(() => evaluateTrainedModel(classifier, withOdd)).toThrow(
      /row 5: 'failed' is 2, not one of the model's classes 0 and 1/,
    );
  });

  it('names a missing input or target column', () => {
    expect(() => evaluateTrainedModel(classifier, frame.select(['failed']))).toThrow(
      /input is missing column 'pressure'/,
    );
    expect(() => evaluateTrainedModel(classifier, frame.select(['pressure']))).toThrow(
      /column 'failed' is not in the data/,
    );
    expect(() => evaluateTrainedModel(classifier, frame, 'level')).toThrow(
      /'level' is 9\.\d+, not one of the model's classes/,
    );
  });

  it('predicts nothing for no rows', () => {
    const empty = frame.take([]);
    expect(classifier.predictFrame(empty)).toEqual({
      prediction: new Float64Array(0),
      probability: new Float64Array(0),
    });
    expect(regressor.predictFrame(empty)).toEqual({ prediction: new Float64Array(0) });
  });
});
