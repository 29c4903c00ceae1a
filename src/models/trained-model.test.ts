import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { ValidationError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { categoryFromText, Frame, numericColumn } from '../io/frame.js';
import { trainModel } from './train.js';
import type { TrainedModel } from './trained-model.js';
import { GbdtClassifier } from './trees/gbdt-classifier.js';

const clock = new ManualClock(0);

/** 160 rows: torque, wear, a machine type L/M/H; failure when torque + 0.5·wear (+0.5 for type H) > 1. */
function failureFrame(): Frame {
  const rng = new Rng(21);
  const rows = 160;
  const torque = Float64Array.from({ length: rows }, () => 40 + 10 * rng.normal());
  const wear = Float64Array.from({ length: rows }, () => 100 + 50 * rng.normal());
  const types = Array.from({ length: rows }, (_, i) => ['L', 'M', 'H'][i % 3] as string);
  const failure = Float64Array.from(torque, (t, i) => {
    const score = (t - 40) / 10 + (0.5 * ((wear[i] as number) - 100)) / 50 + (types[i] === 'H' ? 0.5 : 0);
    return score + 0.3 * rng.normal() > 1 ? 1 : 0;
  });
  const y = Float64Array.from(torque, (t, i) => 3 * t - 0.1 * (wear[i] as number) + rng.normal());
  return new Frame([
    numericColumn('Torque [Nm]', torque),
    numericColumn('Tool wear [min]', wear),
    categoryFromText('Type', types),
    numericColumn('failure', failure),
    numericColumn('y', y),
  ]);
}

/** Margins the model itself computes: log-odds of the positive class, or the unclipped prediction. */
function modelMargins(trained: TrainedModel, frame: Frame): number[] {
  const X = trained.preprocessor.transform(frame);
  if (trained.model instanceof GbdtClassifier) return Array.from(trained.model.predictMargin(X).data);
  if (trained.task === 'classification') {
    const p = trained.predictFrame(frame).probability as Float64Array;
    return Array.from(p, (value) => Math.log(value / (1 - value)));
  }
  return Array.from(trained.model.predict(X));
}

function expectExactSums(trained: TrainedModel, frame: Frame): void {
  const explained = trained.explain(frame, Number.POSITIVE_INFINITY);
  const margins = modelMargins(trained, frame);
  expect(explained).toHaveLength(frame.rowCount);
  explained.forEach((row, i) => {
    const sum = row.contributions.reduce((total, entry) => total + entry.value, row.bias);
    expect(Math.abs(sum - (margins[i] as number))).toBeLessThan(1e-9);
    expect(Math.abs(row.margin - (margins[i] as number))).toBeLessThan(1e-9);
  });
}

describe('TrainedModel.explain', () => {
  const frame = failureFrame();
  const drop = { classification: ['y'], regression: ['failure'] };

  it('gbdt classifier: bias + contributions = log-odds margin of every row', () => {
    const trained = trainModel(
      frame,
      { target: 'failure', drop: drop.classification, model: 'gbdt', params: { nEstimators: 25, maxDepth: 3 } },
      { clock },
    );
    expectExactSums(trained, frame);
  });

  it('gbdt regressor: bias + contributions = prediction', () => {
    const trained = trainModel(
      frame,
      {
        target: 'y',
        drop: drop.regression,
        model: 'gbdt',
        params: { nEstimators: 25 },
        validation: { method: 'none' },
      },
      { clock },
    );
    expectExactSums(trained, frame);
  });

  it('linear and logistic: coefficient × standardised value, bias the intercept', () => {
    const linear = trainModel(frame, { target: 'y', drop: drop.regression, model: 'linear' }, { clock });
    expectExactSums(linear, frame);
    const logistic = trainModel(frame, { target: 'failure', drop: drop.classification, model: 'logistic' }, { clock });
    expectExactSums(logistic, frame);
    const [first] = logistic.explain(frame.take([0]), 1);
    expect(first?.bias).toBe(logistic.model.summary().intercept);
  });

  it('keeps the top contributions by absolute value, largest first', () => {
    const trained = trainModel(frame, { target: 'failure', drop: drop.classification, model: 'logistic' }, { clock });
    const rows = trained.explain(frame, 2);
    for (const row of rows) {
      expect(row.contributions.length).toBeLessThanOrEqual(2);
      const [a, b] = row.contributions;
      if (a && b) expect(Math.abs(a.value)).toBeGreaterThanOrEqual(Math.abs(b.value));
    }
    expect(trained.card.featureNames).toContain(rows[0]?.contributions[0]?.feature);
    expect(() => trained.explain(frame, 0)).toThrow(ValidationError);
  });

  it('one stump on a step: contributions ±5 around the bias 5 (hand-computed TreeSHAP)', () => {
    // y = 10 for x > 0, else 0, 20 rows each side: the stump predicts 10 / 0 and its cover-weighted mean is 5, so
    // TreeSHAP gives the one feature f(x) − 5 and the bias 5.
    const x = Float64Array.from({ length: 40 }, (_, i) => i - 19.5);
    const step = new Frame([
      numericColumn('x', x),
      numericColumn(
        'y',
        Float64Array.from(x, (v) => (v > 0 ? 10 : 0)),
      ),
    ]);
    const trained = trainModel(
      step,
      {
        target: 'y',
        model: 'gbdt',
        params: { nEstimators: 1, maxDepth: 1, learningRate: 1, lambda: 0, minChildWeight: 0 },
        validation: { method: 'none' },
      },
      { clock },
    );
    const rows = trained.explain(step.take([0, 39]));
    expect(rows[0]?.bias).toBeCloseTo(5, 9);
    expect(rows[0]?.contributions[0]?.feature).toBe('x');
    expect(rows[0]?.contributions[0]?.value).toBeCloseTo(-5, 9);
    expect(rows[1]?.contributions[0]?.value).toBeCloseTo(5, 9);
  });
});
