import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../../test/helpers/paths.js';
import { ManualClock } from '../../core/clock.js';
import { readCmapss } from '../../io/cmapss.js';
import { makeRegression, regressionFrame } from '../../io/synthetic.js';
import { saveTrainedModel } from '../../models/artifact.js';
import { saveRulPipeline } from '../../models/rul/artifact.js';
import { RulPipeline } from '../../models/rul/pipeline.js';
import { trainRulPipeline } from '../../models/rul/train.js';
import { trainModel } from '../../models/train.js';
import { TrainedModel } from '../../models/trained-model.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { openRegistry } from '../../store/open-registry.js';
import { runModelsList, runModelsPromote, runModelsRegister } from './models.js';

/** 2026-01-01T00:00:00Z. */
const T0 = Date.UTC(2026, 0, 1);

function capture() {
  const lines = { stdout: '' };
  return { lines, output: { stdout: (text: string) => (lines.stdout += text), stderr: () => {} } };
}

describe('upkeep models', () => {
  let directory: string;
  let db: string;
  const clock = new ManualClock(T0);

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'upkeep-models-cli-'));
    db = join(directory, 'upkeep.duckdb');
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const activeOf = async (name: string) => {
    const store = await DuckDBStore.open(db, { threads: 1 });
    try {
      return await (await openRegistry(store)).registry.getActive(name);
    } finally {
      await store.close();
    }
  };

  it('registers a RUL model directory with its held-out scores; the stored model predicts as the directory does', async () => {
    const data = await readCmapss(join(ROOT, 'test', 'fixtures', 'cmapss', 'train_FD001_five_units.txt'));
    const pipeline = await trainRulPipeline(data, {
      model: 'gbdt',
      gbdt: { nEstimators: 10, maxDepth: 3, nThreads: 1 },
    });
    const dir = join(directory, 'rul-model');
    await saveRulPipeline(pipeline, dir);

    const { lines, output } = capture();
    await runModelsRegister({ model: dir, name: 'rul', db, json: true }, output, clock);
    const printed = JSON.parse(lines.stdout) as { id: string; task: string; active: boolean; metrics: object };
    expect(printed).toMatchObject({ id: 'rul@1', task: 'rul', active: true });
    expect(printed.metrics).toEqual(
      expect.objectContaining({
        rmse: pipeline.card.validation.windows?.rmse,
        mae: pipeline.card.validation.windows?.mae,
      }),
    );

    const active = await activeOf('rul');
    expect(active?.id).toBe('rul@1');
    const restored = await RulPipeline.fromJSON(active?.model);
    expect(await restored.predictUnits(data)).toEqual(await pipeline.predictUnits(data));
  });

  it('registers a tabular model, keeps the first version active until one is promoted, and lists both', async () => {
    const frame = regressionFrame(makeRegression({ samples: 200, features: 2, noise: 1, seed: 3 }));
    const trained = trainModel(frame, { target: 'y', model: 'linear' }, { clock });
    const dir = join(directory, 'linear');
    await saveTrainedModel(trained, dir);

    await runModelsRegister({ model: dir, name: 'load', db }, capture().output, clock);
    const second = capture();
    await runModelsRegister({ model: dir, name: 'load', db }, second.output, clock);
    expect(second.lines.stdout).toBe('registered load@2 (linear, regression)\n');
    expect((await activeOf('load'))?.id).toBe('load@1');

    const promoted = capture();
    await runModelsPromote('load@2', { db }, promoted.output);
    expect(promoted.lines.stdout).toBe('load@2 is now the active load model\n');
    const active = await activeOf('load');
    expect(TrainedModel.fromJSON(active?.model).predictFrame(frame).prediction).toEqual(
      trained.predictFrame(frame).prediction,
    );

    const listed = capture();
    await runModelsList({ db, json: true }, listed.output);
    const models = (JSON.parse(listed.lines.stdout) as { models: { id: string; active: boolean }[] }).models;
    expect(models.map((model) => [model.id, model.active])).toEqual([
      ['load@1', false],
      ['load@2', true],
    ]);
  });

  it('refuses a directory without a model, naming it', async () => {
    await expect(
      runModelsRegister({ model: join(directory, 'none'), name: 'x', db }, capture().output),
    ).rejects.toThrow(/model directory '.*none' does not exist/);
  });
});
