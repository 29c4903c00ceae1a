import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingSequence } from '../../../test/helpers/fake-sequence.js';
import { ROOT } from '../../../test/helpers/paths.js';
import { type CmapssData, readCmapss } from '../../io/cmapss.js';
import type { SequenceBatch } from '../input.js';
import { loadRulPipeline, saveRulPipeline } from './artifact.js';
import { bestWeight, type EnsembleRulEstimator } from './ensemble.js';
import { holdoutUnits } from './holdout.js';
import { trainRulPipeline } from './train.js';
import { truncateUnits } from './truncate.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'cmapss', 'train_FD001_five_units.txt');
const SMALL_TREES = { nEstimators: 20, maxDepth: 3, nThreads: 1 };

/** Predicts 60 for every window; records the windows it was fitted and early-stopped on. */
class ConstantSequence extends RecordingSequence {
  async predict(X: SequenceBatch): Promise<Float64Array> {
    return new Float64Array(X.samples).fill(60);
  }
}

let data: CmapssData;
let directory: string;

beforeAll(async () => {
  data = await readCmapss(FIXTURE);
  directory = await mkdtemp(join(tmpdir(), 'upkeep-rul-ensemble-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('bestWeight', () => {
  it('picks the grid weight with the lowest RMSE, the smaller one on a tie', () => {
    expect(bestWeight([10, 20], [12, 18], [10, 20])).toEqual({ weight: 1, rmse: 0 });
    // Errors +1 and −1 cancel at 0.5.
    expect(bestWeight([0, 0], [1, 1], [-1, -1]).weight).toBe(0.5);
    expect(bestWeight([0, 0], [1, 1], [-1, -1]).rmse).toBeCloseTo(0, 12);
    // Trees at 4 and 2 off, the sequence model at 0 and 6 off: weight w gives errors 4 − 4w and 2 + 4w.
    const chosen = bestWeight([0, 0], [4, 2], [0, 6], [0, 0.25, 0.5]);
    expect(chosen.weight).toBe(0.25);
    expect(chosen.rmse).toBeCloseTo(Math.sqrt((9 + 9) / 2), 12);
    expect(bestWeight([1, 2], [1, 2], [1, 2]).weight).toBe(0);
  });
});

describe('RUL ensemble of window-statistics trees', () => {
  it('averages trees of several windows, saves and loads to identical predictions', async () => {
    const pipeline = await trainRulPipeline(data, {
      model: 'ensemble',
      window: 25,
      gbdt: SMALL_TREES,
      ensemble: { treeWindows: [20, 30] },
    });
    const estimator = pipeline.estimator as EnsembleRulEstimator;
    expect(estimator.kind).toBe('ensemble');
    expect(estimator.weight).toBe(0);
    expect(estimator.trees.map((member) => member.options.window.length)).toEqual([20, 30]);
    // Both members score from cycle 20 (the shorter window) on.
    expect(estimator.trees.map((member) => member.options.minHistory)).toEqual([20, 20]);
    expect(pipeline.card.kind).toBe('ensemble');
    expect(pipeline.card.parameters).toMatchObject({ treeWindows: [20, 30], weight: 0, minHistory: 20 });
    expect(pipeline.card.validation.windows?.rmse).toBeGreaterThan(0);
    expect(pipeline.card.refit).toBe(true);
    expect(pipeline.card.intervalSource).toMatch(/residuals of the ensemble/);

    const test = truncateUnits(data, { seed: 2 });
    const series = pipeline.series(test);
    const parts = await estimator.components(series, pipeline.config.sensors, true);
    const [a, b] = parts.members as [Float64Array, Float64Array];
    const rows = await pipeline.predictUnits(test);
    rows.forEach((row, index) => {
      expect(row.rul).toBeCloseTo(Math.max(0, ((a[index] as number) + (b[index] as number)) / 2), 10);
    });

    await saveRulPipeline(pipeline, join(directory, 'trees'));
    const loaded = await loadRulPipeline(join(directory, 'trees'));
    expect(loaded.kind).toBe('ensemble');
    expect(await loaded.predictUnits(test)).toEqual(rows);
    const every = await pipeline.trajectory(data, 3);
    expect(await loaded.trajectory(data, 3)).toEqual(every);
    // 179 cycles scored from cycle 20 on.
    expect(every.cycles.length).toBe(160);

    // The health endpoint passes the last `config.window.length` readings: the longest member's window is enough.
    expect(pipeline.config.window.length).toBe(30);
    const unit = data.units[2] as (typeof data.units)[number];
    const width = data.columns.length;
    const cycles = unit.cycles.length;
    const tail = { ...unit, cycles: unit.cycles.slice(cycles - 30), values: unit.values.slice((cycles - 30) * width) };
    const [full] = await pipeline.predictUnits({ columns: data.columns, units: [unit] });
    const [recent] = await pipeline.predictUnits({ columns: data.columns, units: [tail] });
    expect(recent?.rul).toBeCloseTo(full?.rul as number, 10);
  });

  it('weighs a sequence member on inner engines only, never on the held-out ones', async () => {
    const fake = new ConstantSequence();
    const pipeline = await trainRulPipeline(data, {
      model: 'ensemble',
      window: 30,
      gbdt: SMALL_TREES,
      ensemble: { treeWindows: [30], sequenceKind: 'cnn', sequenceWindow: 10 },
      sequenceFactory: () => fake,
      // The refit would fit again on all five engines.
      refit: false,
    });
    const estimator = pipeline.estimator as EnsembleRulEstimator;
    // 5 engines: 1 held out, of the other 4 one is the inner engine.
    const split = holdoutUnits(5, 0.2, 0);
    const rowsOf = (index: number) => (data.units[index] as { cycles: Float64Array }).cycles.length;
    const trainRows = split.train.map(rowsOf);
    const heldRows = rowsOf(split.validation[0] as number);
    // The sequence member's 10-cycle windows end from cycle 10 on.
    const windowsOf = (rows: number) => rows - 10 + 1;
    // The inner engine's windows: one of the four training engines', never the held-out engine's count.
    expect(trainRows.map(windowsOf)).toContain(fake.validationSamples);
    expect(fake.fitSamples + fake.validationSamples).toBe(trainRows.reduce((sum, rows) => sum + windowsOf(rows), 0));
    expect(fake.validationSamples).not.toBe(windowsOf(heldRows));
    expect(estimator.weight).toBeGreaterThanOrEqual(0);
    expect(estimator.weight).toBeLessThanOrEqual(1);
    // Weighed on the windows the trees score too (from cycle 30).
    expect(estimator.innerScores?.windows).toBe(fake.validationSamples - 20);
    expect(pipeline.card.parameters).toMatchObject({ sequenceKind: 'cnn', sequenceWindow: 10, smoothing: 0.3 });

    const test = truncateUnits(data, { seed: 2 });
    const parts = await estimator.components(pipeline.series(test), pipeline.config.sensors, true);
    const weight = estimator.weight as number;
    const rows = await pipeline.predictUnits(test);
    rows.forEach((row, index) => {
      expect(row.rul).toBeCloseTo(Math.max(0, weight * 60 + (1 - weight) * (parts.trees[index] as number)), 10);
    });
  });

  it('saves and loads a real CNN member to identical predictions', async () => {
    const pipeline = await trainRulPipeline(data, {
      model: 'ensemble',
      window: 20,
      epochs: 2,
      gbdt: SMALL_TREES,
      sequence: { filters: [4], kernelSize: 3, denseUnits: 4, batchSize: 64 },
      ensemble: { treeWindows: [20], sequenceKind: 'cnn', sequenceWindow: 10, smoothing: 0.2 },
    });
    const test = truncateUnits(data, { seed: 1 });
    const rows = await pipeline.predictUnits(test);
    await saveRulPipeline(pipeline, join(directory, 'cnn'));
    const loaded = await loadRulPipeline(join(directory, 'cnn'));
    const estimator = loaded.estimator as EnsembleRulEstimator;
    expect(estimator.sequence?.input).toEqual({ minHistory: 10, smoothing: 0.2 });
    expect(estimator.weight).toBe((pipeline.estimator as EnsembleRulEstimator).weight);
    expect(await loaded.predictUnits(test)).toEqual(rows);
    pipeline.estimator.dispose();
    loaded.estimator.dispose();
  }, 60_000);
});
