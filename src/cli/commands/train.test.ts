import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { loadTrainedModel } from '../../models/artifact.js';
import type { TrainProgress } from '../../models/train.js';
import { generateRegression } from './generate.js';
import { formatTrainSummary, type TrainCommandOptions, trainFile, trainSpecOf } from './train.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'upkeep-train-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const base: TrainCommandOptions = {
  data: 'data/ai4i.csv',
  format: 'csv',
  target: 'Machine failure',
  drop: ['UDI'],
  model: 'logistic',
  seed: 0,
  out: 'm',
};

describe('trainSpecOf', () => {
  it('maps the options to a training request', () => {
    expect(trainSpecOf({ ...base, C: 0.5, classWeight: 'balanced', holdout: 0.3, seed: 9 })).toEqual({
      target: 'Machine failure',
      drop: ['UDI'],
      model: 'logistic',
      params: { C: 0.5, classWeight: 'balanced' },
      validation: { method: 'holdout', testFraction: 0.3 },
      seed: 9,
      source: 'ai4i.csv',
    });
    expect(
      trainSpecOf({ ...base, model: 'linear', ridge: 2, task: 'rul', folds: 3, classWeight: 'none' }),
    ).toMatchObject({
      task: 'rul',
      params: { ridge: 2, classWeight: null },
      validation: { method: 'kfold', folds: 3 },
    });
  });
});

describe('trainFile', () => {
  it('trains, saves a loadable directory, reports progress and summarises', async () => {
    const data = join(directory, 'd.csv');
    await generateRegression({ samples: 300, features: 2, noise: 1, bias: 5, seed: 3, out: data });
    const out = join(directory, 'model');
    const progress: TrainProgress[] = [];
    const summary = await trainFile(
      { ...base, data, target: 'y', drop: [], model: 'linear', out },
      { clock: new ManualClock(0), onProgress: (step) => progress.push(step) },
    );
    expect(summary.path).toBe(join(out, 'model.json'));
    expect(summary.card.created).toBe('1970-01-01T00:00:00.000Z');
    expect(summary.card.trainingData.source).toBe('d.csv');
    expect(progress.at(-1)).toMatchObject({ completed: 6, total: 6 });
    expect((await loadTrainedModel(out)).card).toEqual(summary.card);

    const lines = formatTrainSummary({ ...summary, seconds: 1.25 });
    expect(lines[0]).toBe(
      `trained linear (LinearRegression, regression) on 300 rows × 2 features in 1.3 s → ${summary.path}`,
    );
    expect(lines[1]).toBe('validation: 5-fold out-of-fold');
    expect(lines[2]).toMatch(/^ {2}MAE 0\.\d{4} {2}RMSE 1\.\d{4} {2}R² 0\.99\d\d$/);
    expect(lines[3]).toMatch(
      /^intercept \+[45]\.\d{4}; top coefficients \(y per unit of the input, ranked by effect per standard deviation\):$/,
    );
    // Ranked by the per-σ effect: the larger coefficient first.
    const [first, second] = Object.entries(summary.card.standardizedCoefficients ?? {}).sort(
      (a, b) => Math.abs(b[1]) - Math.abs(a[1]),
    );
    expect(lines[4]).toMatch(new RegExp(`^ {2}${first?.[0]} `));
    expect(lines[5]).toMatch(new RegExp(`^ {2}${second?.[0]} `));
    expect(lines).toHaveLength(6);
  });
});

describe('formatTrainSummary for trees', () => {
  it('lists the features by gain instead of coefficients', async () => {
    const data = join(directory, 'trees.csv');
    await generateRegression({ samples: 120, features: 2, noise: 1, bias: 5, seed: 4, out: data });
    const summary = await trainFile(
      { ...base, data, target: 'y', drop: [], model: 'gbdt', trees: 5, depth: 2, out: join(directory, 'trees') },
      { clock: new ManualClock(0) },
    );
    const lines = formatTrainSummary(summary);
    expect(lines[0]).toMatch(/^trained gbdt \(GbdtRegressor, regression\) on 120 rows × 2 features/);
    const at = lines.indexOf('top features by gain (mean loss reduction per split):');
    expect(at).toBeGreaterThan(0);
    const gain = summary.card.diagnostics.importanceGain as Record<string, number>;
    const names = Object.keys(gain).sort((a, b) => (gain[b] as number) - (gain[a] as number));
    expect(lines.slice(at + 1, at + 1 + names.length).map((line) => line.trim().split(/\s+/)[0])).toEqual(names);
    expect(lines.some((line) => line.startsWith('intercept'))).toBe(false);
  });
});
