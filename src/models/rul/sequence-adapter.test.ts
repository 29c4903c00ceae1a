import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingSequence } from '../../../test/helpers/fake-sequence.js';
import { ROOT } from '../../../test/helpers/paths.js';
import { readCmapss } from '../../io/cmapss.js';
import type { SequenceBatch } from '../input.js';
import { holdoutUnits } from './holdout.js';
import { readSequenceInput, SequenceRulEstimator } from './sequence-adapter.js';
import { trainRulPipeline } from './train.js';

/** Predicts each window's last step and remembers the first step of the first window. */
class LastStep extends RecordingSequence {
  override isFitted = true;
  firstStep = Number.NaN;

  async predict(X: SequenceBatch): Promise<Float64Array> {
    this.firstStep = X.data[0] as number;
    return Float64Array.from({ length: X.samples }, (_, i) => X.data[(i + 1) * X.steps - 1] as number);
  }
}

describe('SequenceRulEstimator input', () => {
  const series = [{ unit: 7, values: Float64Array.from({ length: 8 }, (_, i) => 2 * i) }];

  it('front-pads so windows end from minHistory on, at the smoothed values', async () => {
    const model = new LastStep();
    const estimator = new SequenceRulEstimator(model, { length: 5, stride: 1 }, 0.9, { minHistory: 3, smoothing: 0.5 });
    const out = await estimator.predictMean(series, ['s'], false);
    // Rows 2…7 end a window; the first window starts on two copies of row 0.
    expect(Array.from(out.endRows)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(model.firstStep).toBe(0);
    // Smoothed 0, 2, 4, 6: 0, 1, 2.5, 4.25.
    expect(out.mean[0]).toBeCloseTo(2.5, 12);
    expect(out.mean[1]).toBeCloseTo(4.25, 12);
    expect(estimator.toJSON().input).toEqual({ minHistory: 3, smoothing: 0.5 });
  });

  it('cuts plain windows without options and reads only valid saved options', async () => {
    const estimator = new SequenceRulEstimator(new LastStep(), { length: 5, stride: 1 });
    const out = await estimator.predictMean(series, ['s'], false);
    expect(Array.from(out.endRows)).toEqual([4, 5, 6, 7]);
    expect(out.mean[0]).toBe(8);
    expect(readSequenceInput({ minHistory: 3, smoothing: 0.2 })).toEqual({ minHistory: 3, smoothing: 0.2 });
    expect(readSequenceInput({ minHistory: 0, smoothing: 2 })).toEqual({});
    expect(readSequenceInput(undefined)).toEqual({});
  });
});

describe('a sequence model through trainRulPipeline', () => {
  it('trains on windows from minHistory on and saves its input options', async () => {
    const data = await readCmapss(join(ROOT, 'test', 'fixtures', 'cmapss', 'train_FD001_five_units.txt'));
    const model = new LastStep();
    const pipeline = await trainRulPipeline(data, {
      model: 'cnn',
      window: 20,
      sequenceInput: { minHistory: 10, smoothing: 0.3 },
      sequenceFactory: () => model,
    });
    // One of the five engines is held out; of the other four, one stops the training early and three fit it.
    const split = holdoutUnits(5, 0.2, 0);
    const inner = holdoutUnits(split.train.length, 0.2, 0);
    const windows = (positions: number[]) =>
      positions
        .map((position) => (data.units[split.train[position] as number] as { cycles: Float64Array }).cycles.length)
        .reduce((sum, rows) => sum + rows - 9, 0);
    // Windows end from row 9 of each engine on; the held-out engine is in neither part.
    expect(model.fitSamples).toBe(windows(inner.train));
    expect(model.validationSamples).toBe(windows(inner.validation));
    expect(inner.train.length + inner.validation.length).toBe(4);
    expect(pipeline.toJSON().estimator.input).toEqual({ minHistory: 10, smoothing: 0.3 });
    expect(pipeline.card.parameters).toMatchObject({ input: { minHistory: 10, smoothing: 0.3 } });
  });
});
