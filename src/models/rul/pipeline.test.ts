import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/helpers/paths.js';
import { ManualClock } from '../../core/clock.js';
import { type CmapssData, readCmapss } from '../../io/cmapss.js';
import type { SequenceBatch } from '../input.js';
import type {
  EpochProgress,
  PredictionInterval,
  SequenceEstimator,
  SequenceFitOptions,
} from '../sequence/estimator.js';
import type { JsonObject } from '../serialisation.js';
import { loadRulPipeline, saveRulPipeline } from './artifact.js';
import { scoreUnits } from './evaluate.js';
import { holdoutUnits } from './holdout.js';
import { RulPipeline } from './pipeline.js';
import { trainRulPipeline } from './train.js';
import { truncateUnits } from './truncate.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'cmapss', 'train_FD001_five_units.txt');
/** A small, fast forest: the tests check the plumbing, not the accuracy. */
const SMALL_TREES = { nEstimators: 20, maxDepth: 3, nThreads: 1 };

/**
 * A stand-in sequence model: predicts 100 − 10 × (last step's first feature), interval ± 5; records what it saw.
 */
class FakeSequenceEstimator implements SequenceEstimator {
  readonly kind = 'lstm';
  isFitted = false;
  seen: { samples: number; steps: number; features: number; float32: boolean; validationSamples?: number } | undefined;
  disposed = false;

  async fit(X: SequenceBatch, y: Float64Array, options: SequenceFitOptions = {}): Promise<void> {
    expect(y.length).toBe(X.samples);
    this.seen = {
      samples: X.samples,
      steps: X.steps,
      features: X.features,
      float32: X.data instanceof Float32Array,
      ...(options.validation ? { validationSamples: options.validation.X.samples } : {}),
    };
    for (let epoch = 1; epoch <= 3; epoch++) {
      const progress: EpochProgress = {
        epoch,
        epochs: 3,
        loss: 100 / epoch,
        validationRmse: 20 / epoch,
        seconds: 0.01,
      };
      options.onEpoch?.(progress);
    }
    this.isFitted = true;
  }

  async predict(X: SequenceBatch): Promise<Float64Array> {
    const out = new Float64Array(X.samples);
    const last = (X.steps - 1) * X.features;
    for (let i = 0; i < X.samples; i++) out[i] = 100 - 10 * (X.data[i * X.steps * X.features + last] as number);
    return out;
  }

  async predictInterval(X: SequenceBatch, level = 0.9): Promise<PredictionInterval> {
    const mean = await this.predict(X);
    return {
      mean,
      lower: Float64Array.from(mean, (value) => value - 5),
      upper: Float64Array.from(mean, (value) => value + 5),
      level,
    };
  }

  toJSON(): JsonObject {
    return { kind: this.kind };
  }

  dispose(): void {
    this.disposed = true;
  }
}

let data: CmapssData;
let directory: string;

beforeAll(async () => {
  data = await readCmapss(FIXTURE);
  directory = await mkdtemp(join(tmpdir(), 'upkeep-rul-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('holdoutUnits', () => {
  it('holds out ceil(20 %) of the engines, seeded, never all of them', () => {
    const split = holdoutUnits(100, 0.2, 0);
    expect(split.validation.length).toBe(20);
    expect(split.train.length).toBe(80);
    expect(new Set([...split.train, ...split.validation]).size).toBe(100);
    expect(holdoutUnits(100, 0.2, 0)).toEqual(split);
    expect(holdoutUnits(100, 0.2, 1)).not.toEqual(split);
    expect(holdoutUnits(1, 0.2, 0)).toEqual({ train: [0], validation: [] });
    expect(holdoutUnits(5, 0.2, 0).validation.length).toBe(1);
  });
});

describe('RUL pipeline with window-statistics trees', () => {
  it('trains, validates on held-out engines, saves and loads to identical predictions', async () => {
    const rounds: string[] = [];
    const pipeline = await trainRulPipeline(data, {
      model: 'gbdt',
      gbdt: SMALL_TREES,
      clock: new ManualClock(Date.UTC(2026, 0, 1)),
      onEpoch: (progress) => rounds.push(`${progress.phase}:${progress.epoch}`),
    });
    const { card } = pipeline;
    expect(card.created).toBe('2026-01-01T00:00:00.000Z');
    expect(card.trainingData).toEqual({ units: 5, rows: 898 });
    // FD001 sea-level data: one operating condition; the settings are not features.
    expect(card.conditions).toBe(1);
    expect(card.sensors).not.toContain('setting1');
    expect(card.droppedColumns).toEqual(expect.arrayContaining(['s1', 's5', 's10', 's16', 's18', 's19']));
    expect(card.validation.method).toBe('engine-holdout');
    expect(card.validation.validationUnits).toBe(1);
    expect(card.validation.windows?.count).toBeGreaterThan(100);
    expect(card.validation.windows?.rmse).toBeGreaterThan(0);
    expect(card.validation.windows?.rmse).toBeLessThan(60);
    expect(card.validation.truncated?.units).toBe(1);
    expect(card.refit).toBe(true);
    expect(rounds).toContain('fit:20');
    expect(rounds.at(-1)).toBe('refit:20');

    const test = truncateUnits(data, { seed: 2 });
    const rows = await pipeline.predictUnits(test);
    expect(rows.map((row) => row.unit)).toEqual([1, 3, 4, 6, 8]);
    for (const row of rows) {
      expect(row.lower).toBeLessThanOrEqual(row.rul);
      expect(row.upper).toBeGreaterThanOrEqual(row.rul);
      expect(row.lower).toBeGreaterThanOrEqual(0);
      expect(row.rul).toBeLessThanOrEqual(130);
    }
    expect(rows.map((row) => row.trueRul)).toEqual(test.units.map((unit) => unit.rulAtEnd));

    await saveRulPipeline(pipeline, join(directory, 'gbdt'));
    const loaded = await loadRulPipeline(join(directory, 'gbdt'));
    expect(await loaded.predictUnits(test)).toEqual(rows);
    expect(loaded.card).toEqual(card);

    const trajectory = await loaded.trajectory(data, 3);
    // 179 cycles, window 30: windows end at cycles 30..179.
    expect(trajectory.cycles.length).toBe(150);
    expect(trajectory.cycles[0]).toBe(30);
    expect(trajectory.trueRul[0]).toBe(149);
    expect(trajectory.trueRul.at(-1)).toBe(0);
  });

  it('names a missing column, an unknown unit and a tabular model directory', async () => {
    const pipeline = await trainRulPipeline(data, { model: 'gbdt', gbdt: SMALL_TREES, refit: false });
    const renamed = { columns: data.columns.map((name) => (name === 's2' ? 'sensor2' : name)), units: data.units };
    await expect(pipeline.predictUnits(renamed)).rejects.toThrow(/the data has no column 's2'/);
    await expect(pipeline.trajectory(data, 99)).rejects.toThrow(/unit 99 is not in the data/);
    await expect(loadRulPipeline(join(directory, 'nothing'))).rejects.toThrow(/does not exist/);
    await expect(RulPipeline.fromJSON({ format: 'upkeep-model' })).rejects.toThrow(/format must be 'upkeep-rul-model'/);
  });
});

describe('RUL pipeline with a sequence model', () => {
  it('hands float32 windows and the held-out engines to the model and uses its intervals, clipped at 0', async () => {
    const fake = new FakeSequenceEstimator();
    const epochs: number[] = [];
    const pipeline = await trainRulPipeline(data, {
      model: 'lstm',
      window: 20,
      epochs: 3,
      sequenceFactory: async (kind, options) => {
        expect(kind).toBe('lstm');
        expect(options).toEqual({ epochs: 3, seed: 0 });
        return fake;
      },
      onEpoch: (progress) => epochs.push(progress.epoch),
    });
    const features = pipeline.config.sensors.length;
    // One held-out engine; four train engines with n rows give n − 19 windows each.
    const heldOut = pipeline.card.validation.validationUnits;
    expect(heldOut).toBe(1);
    expect(fake.seen).toMatchObject({ steps: 20, features, float32: true });
    expect(fake.seen?.samples).toBeGreaterThan(500);
    expect(fake.seen?.validationSamples).toBeGreaterThan(100);
    expect(epochs).toEqual([1, 2, 3]);
    expect(pipeline.card.refit).toBe(false);
    expect(pipeline.card.epochs).toBe(3);

    const rows = await pipeline.predictUnits(data);
    for (const row of rows) {
      expect(row.upper - row.rul).toBeLessThanOrEqual(5);
      expect(row.lower).toBeGreaterThanOrEqual(0);
    }
    const scores = scoreUnits(rows, 125);
    expect(scores.n_units).toBe(5);
    pipeline.estimator.dispose();
    expect(fake.disposed).toBe(true);
  });
});

describe('scoreUnits', () => {
  it('scores capped and uncapped RMSE and PHM08 by hand', () => {
    const rows = [
      { unit: 1, cycle: 10, rul: 110, lower: 100, upper: 120, trueRul: 150 },
      { unit: 2, cycle: 10, rul: 20, lower: 15, upper: 25, trueRul: 10 },
    ];
    const scores = scoreUnits(rows, 125);
    // capped truth [125, 10]: errors [-15, 10] → sqrt((225 + 100) / 2)
    expect(scores.rmse).toBeCloseTo(Math.sqrt(162.5), 12);
    // uncapped: errors [-40, 10] → sqrt((1600 + 100) / 2)
    expect(scores.rmse_uncapped).toBeCloseTo(Math.sqrt(850), 12);
    // PHM08: exp(40/13) − 1 + exp(10/10) − 1
    expect(scores.phm08_score).toBeCloseTo(Math.exp(40 / 13) - 1 + Math.E - 1, 10);
    expect(scores.coverage).toBe(0);
    expect(scores.mae).toBe(12.5);
  });
});

describe('a failing training', () => {
  it('frees the sequence model it created', async () => {
    const fake = new FakeSequenceEstimator();
    fake.fit = async () => {
      throw new Error('out of memory');
    };
    await expect(trainRulPipeline(data, { model: 'gru', sequenceFactory: () => fake })).rejects.toThrow(
      /out of memory/,
    );
    expect(fake.disposed).toBe(true);
  });
});
