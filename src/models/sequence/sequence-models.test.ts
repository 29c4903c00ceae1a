import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { SequenceBatch } from '../input.js';
import { sequenceBackend, tf } from './backend.js';
import { createSequenceEstimator, loadSequenceEstimator } from './factory.js';

/**
 * Synthetic run-to-failure fleet: each unit's health falls linearly to 0 at failure; sensor 0 reads health plus
 * N(0, 0.05) noise, sensor 1 is pure N(0, 1) noise. Windows of `steps` cycles, target = cycles left at the window's
 * end (RUL = 80 × health, so a model that averages sensor 0 over the window can reach an RMSE of about 1–2).
 */
function degradationFleet(units: number, steps: number, seed: number): { X: SequenceBatch; y: Float64Array } {
  const rng = new Rng(seed);
  const windows: number[][] = [];
  const targets: number[] = [];
  for (let unit = 0; unit < units; unit++) {
    const life = 40 + rng.int(41);
    const readings: number[][] = [];
    for (let cycle = 0; cycle < life; cycle++)
      readings.push([(life - 1 - cycle) / 80 + 0.05 * rng.normal(), rng.normal()]);
    for (let end = steps - 1; end < life; end++) {
      windows.push(readings.slice(end - steps + 1, end + 1).flat());
      targets.push(life - 1 - end);
    }
  }
  const data = Float64Array.from(windows.flat());
  return { X: { samples: windows.length, steps, features: 2, data }, y: Float64Array.from(targets) };
}

function rmse(predicted: Float64Array, actual: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (predicted[i] - actual[i]) ** 2;
  return Math.sqrt(sum / actual.length);
}

function meanBaselineRmse(train: Float64Array, test: Float64Array): number {
  const mean = train.reduce((total, value) => total + value, 0) / train.length;
  return rmse(new Float64Array(test.length).fill(mean), test);
}

const train = degradationFleet(24, 10, 1);
const test = degradationFleet(8, 10, 2);

beforeAll(async () => {
  await sequenceBackend();
});

// Each test takes 0.1–2 s of CPU; the timeout leaves room for a loaded CI machine.
describe('sequence estimators', { timeout: 120_000 }, () => {
  it('an LSTM learns a noisy linear degradation to within a few cycles', async () => {
    const model = createSequenceEstimator('lstm', {
      units: [16],
      denseUnits: 8,
      epochs: 30,
      batchSize: 64,
      dropout: 0,
    });
    await model.fit(train.X, train.y, { validation: test });
    const error = rmse(await model.predict(test.X), test.y);
    // Predicting the training mean scores ~15 cycles here; the window mean of sensor 0 alone allows ~1.3, and this
    // model reached 1.64 when the test was written.
    expect(meanBaselineRmse(train.y, test.y)).toBeGreaterThan(12);
    expect(error).toBeLessThan(3);
    model.dispose();
  });

  it.each(['gru', 'cnn'] as const)('a %s fits a tiny problem better than predicting the mean', async (kind) => {
    const options = kind === 'cnn' ? { filters: [8], kernelSize: 3, denseUnits: 8 } : { units: [8], denseUnits: 8 };
    const model = createSequenceEstimator(kind, {
      ...options,
      epochs: 8,
      batchSize: 128,
      learningRate: 0.01,
      dropout: 0,
    });
    await model.fit(train.X, train.y);
    const error = rmse(await model.predict(test.X), test.y);
    expect(error).toBeLessThan(0.5 * meanBaselineRmse(train.y, test.y));
    model.dispose();
  });

  it('reports every epoch, keeps the best validation weights and stops early', async () => {
    const progress: number[] = [];
    const model = createSequenceEstimator('gru', { units: [4], epochs: 50, patience: 2, learningRate: 0.05 });
    await model.fit(train.X, train.y, {
      validation: test,
      onEpoch: (epoch) => progress.push(epoch.validationRmse ?? Number.NaN),
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThanOrEqual(50);
    const best = Math.min(...progress);
    expect(rmse(await model.predict(test.X), test.y)).toBeCloseTo(best, 3);
    model.dispose();
  });

  it('gives the same predictions for the same seed, and different ones for another seed', async () => {
    const fitOnce = async (seed: number) => {
      const model = createSequenceEstimator('lstm', { units: [6], epochs: 2, seed });
      await model.fit(train.X, train.y);
      const predictions = await model.predict(test.X);
      model.dispose();
      return predictions;
    };
    const [first, second, other] = [await fitOnce(3), await fitOnce(3), await fitOnce(4)];
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it.each(['lstm', 'gru', 'cnn'] as const)('a %s restored from JSON predicts identically', async (kind) => {
    const options = kind === 'cnn' ? { filters: [4], kernelSize: 3 } : { units: [6, 4] };
    const model = createSequenceEstimator(kind, { ...options, epochs: 1 });
    await model.fit(train.X, train.y);
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    const restored = await loadSequenceEstimator(json);
    expect(restored.kind).toBe(kind);
    expect(await restored.predict(test.X)).toEqual(await model.predict(test.X));
    expect(await restored.predictInterval(test.X, 0.8)).toEqual(await model.predictInterval(test.X, 0.8));
    model.dispose();
    restored.dispose();
  });

  it('gives Monte Carlo dropout intervals around the mean', async () => {
    const model = createSequenceEstimator('lstm', { units: [8], epochs: 2, dropout: 0.3, intervalSamples: 20 });
    await model.fit(train.X, train.y);
    const interval = await model.predictInterval(test.X, 0.9);
    expect(interval.level).toBe(0.9);
    let width = 0;
    for (let i = 0; i < test.X.samples; i++) {
      expect(interval.lower[i]).toBeLessThanOrEqual(interval.mean[i]);
      expect(interval.mean[i]).toBeLessThanOrEqual(interval.upper[i]);
      width += interval.upper[i] - interval.lower[i];
    }
    expect(width / test.X.samples).toBeGreaterThan(0);
    model.dispose();
  });

  it('leaves no tensors behind after fit, predict, intervals and dispose', async () => {
    for (const kind of ['lstm', 'gru', 'cnn'] as const) {
      const before = tf.memory().numTensors;
      const model = createSequenceEstimator(kind, { epochs: 1, units: [4, 4], filters: [4], kernelSize: 3 });
      await model.fit(train.X, train.y, { validation: test });
      await model.predict(test.X);
      await model.predictInterval(test.X);
      model.toJSON();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('rejects bad input with a ValidationError naming the field', async () => {
    const model = createSequenceEstimator('lstm', { units: [4], epochs: 1 });
    await expect(model.predict(test.X)).rejects.toThrow(/not fitted/);
    const withNaN = { ...train.X, data: train.X.data.slice() };
    withNaN.data[3] = Number.NaN;
    await expect(model.fit(withNaN, train.y)).rejects.toThrow(/X\[0, step 1, 1\] must be a finite number, got NaN/);
    const badTargets = train.y.slice();
    badTargets[2] = Number.POSITIVE_INFINITY;
    await expect(model.fit(train.X, badTargets)).rejects.toThrow(/y\[2\] must be a finite number/);
    await expect(model.fit(train.X, train.y.subarray(1))).rejects.toThrow(ValidationError);
    await model.fit(train.X, train.y);
    const threeFeatures = { samples: 1, steps: 10, features: 3, data: new Float64Array(30) };
    await expect(model.predict(threeFeatures)).rejects.toThrow(/X\.features must be 2 as in training, got 3/);
    await expect(model.predictInterval(test.X, 1.5)).rejects.toThrow(/level must be in \(0, 1\)/);
    await expect(createSequenceEstimator('lstm', { units: [0] }).fit(train.X, train.y)).rejects.toThrow(/units\[0\]/);
    await expect(createSequenceEstimator('lstm', { dropout: 1 }).fit(train.X, train.y)).rejects.toThrow(/dropout/);
    expect(() => createSequenceEstimator('transformer')).toThrow(/kind must be one of lstm, gru, cnn/);
    model.dispose();
  });
});
