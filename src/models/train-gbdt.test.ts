import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { ValidationError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { Frame, numericColumn } from '../io/frame.js';
import { modelKind } from './kinds.js';
import { trainModel } from './train.js';
import { TrainedModel } from './trained-model.js';

/** 200 rows: torque and wear ~ N(0, 1), a noise column; failure when torque + 0.5·wear > 1 (no label noise). */
function failureFrame(rows = 200): Frame {
  const rng = new Rng(11);
  const torque = Float64Array.from({ length: rows }, () => rng.normal());
  const wear = Float64Array.from({ length: rows }, () => rng.normal());
  const noise = Float64Array.from({ length: rows }, () => rng.normal());
  const failure = Float64Array.from(torque, (t, i) => (t + 0.5 * (wear[i] as number) > 1 ? 1 : 0));
  return new Frame([
    numericColumn('torque', torque),
    numericColumn('wear', wear),
    numericColumn('noise', noise),
    numericColumn('failure', failure),
  ]);
}

/** y = 10 where x > 0, else 0: one stump at learning rate 1 without regularisation fits it exactly. */
function stepFrame(): Frame {
  const x = Float64Array.from({ length: 40 }, (_, i) => i - 19.5);
  return new Frame([
    numericColumn('x', x),
    numericColumn(
      'y',
      Float64Array.from(x, (v) => (v > 0 ? 10 : 0)),
    ),
  ]);
}

const clock = new ManualClock(0);

describe('model kind gbdt', () => {
  it('names the classifier for classification and the regressor for regression and RUL', () => {
    const kind = modelKind('gbdt');
    expect(kind.classNameFor('classification')).toBe('GbdtClassifier');
    expect(kind.classNameFor('regression')).toBe('GbdtRegressor');
    expect(kind.classNameFor('rul')).toBe('GbdtRegressor');
  });

  it('trains a classifier that separates the classes out of fold and predicts identically after a JSON round trip', () => {
    const frame = failureFrame();
    const trained = trainModel(frame, { target: 'failure', model: 'gbdt', params: { nEstimators: 30 } }, { clock });
    expect(trained.card.kind).toBe('gbdt');
    expect(trained.card.className).toBe('GbdtClassifier');
    expect(trained.card.task).toBe('classification');
    expect(trained.card.parameters).toMatchObject({ nEstimators: 30, maxDepth: 6 });
    expect(trained.card.coefficients).toBeUndefined();
    const metrics = trained.card.validation.metrics as { rocAuc: number };
    expect(metrics.rocAuc).toBeGreaterThan(0.9);
    const loaded = TrainedModel.fromJSON(JSON.parse(JSON.stringify(trained.toJSON())));
    const before = trained.predictFrame(frame);
    const after = loaded.predictFrame(frame);
    expect(Array.from(after.probability as Float64Array)).toEqual(Array.from(before.probability as Float64Array));
    expect(Array.from(after.prediction)).toEqual(Array.from(before.prediction));
  });

  it('fits a step exactly with one stump (regression) and clips nothing for RUL on positive targets', () => {
    const params = { nEstimators: 1, maxDepth: 1, learningRate: 1, lambda: 0, minChildWeight: 0 };
    for (const task of ['regression', 'rul'] as const) {
      const trained = trainModel(
        stepFrame(),
        { target: 'y', model: 'gbdt', task, params, validation: { method: 'none' } },
        { clock },
      );
      expect(trained.card.className).toBe('GbdtRegressor');
      expect(trained.card.parameters).toMatchObject(task === 'rul' ? { task: 'rul' } : { task: 'regression' });
      const predicted = trained.predictFrame(stepFrame()).prediction;
      for (let i = 0; i < 40; i++) expect(predicted[i]).toBeCloseTo(i >= 20 ? 10 : 0, 9);
    }
  });

  it('rejects a classification-only option for regression, naming it', () => {
    expect(() =>
      trainModel(stepFrame(), { target: 'y', model: 'gbdt', params: { scalePosWeight: 3 } }, { clock }),
    ).toThrow(ValidationError);
    expect(() =>
      trainModel(stepFrame(), { target: 'y', model: 'gbdt', params: { scalePosWeight: 3 } }, { clock }),
    ).toThrow(/scalePosWeight/);
  });

  it('is among the candidates of auto, over its depth grid', () => {
    const trained = trainModel(
      failureFrame(120),
      { target: 'failure', model: 'auto', params: { nEstimators: 10 }, validation: { method: 'kfold', folds: 3 } },
      { clock },
    );
    const gbdtTrials = trained.card.search?.trials.filter((trial) => trial.kind === 'gbdt') ?? [];
    expect(gbdtTrials.map((trial) => trial.params.maxDepth)).toEqual([3, 6]);
    for (const trial of gbdtTrials) expect(trial.score).toBeGreaterThan(0.5);
    expect(trained.card.search?.trials.some((trial) => trial.kind === 'logistic')).toBe(true);
  });
});
