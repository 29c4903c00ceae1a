import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { categoryFromText, Frame, numericColumn } from '../io/frame.js';
import { loadTrainedModel, MODEL_FILE, saveTrainedModel } from './artifact.js';
import { type TrainSpec, trainModel } from './train.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'upkeep-artifact-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function data(): Frame {
  const rng = new Rng(21);
  const rows = 200;
  const temperature = Float64Array.from({ length: rows }, () => 70 + 5 * rng.normal());
  const vibration = Float64Array.from({ length: rows }, () => rng.normal());
  vibration[5] = Number.NaN;
  return new Frame([
    numericColumn('temperature', temperature),
    numericColumn('vibration', vibration),
    categoryFromText(
      'Type',
      Array.from({ length: rows }, (_, i) => ['L', 'M', 'H', undefined][i % 4]),
    ),
    numericColumn(
      'failed',
      Float64Array.from(temperature, (t, i) =>
        t - 70 + 3 * ((vibration[i] as number) || 0) + rng.normal() > 4 ? 1 : 0,
      ),
    ),
    numericColumn(
      'wear',
      Float64Array.from(temperature, (t) => 0.3 * t + rng.normal()),
    ),
  ]);
}

/** Same bits: every value identical under Object.is (NaN and −0 included). */
function expectBitIdentical(actual: Float64Array | undefined, expected: Float64Array | undefined): void {
  expect(actual).toBeDefined();
  expect(actual?.length).toBe(expected?.length);
  expect(Buffer.from((actual as Float64Array).buffer).equals(Buffer.from((expected as Float64Array).buffer))).toBe(
    true,
  );
}

describe('saving and loading a trained model', () => {
  const frame = data();
  const clock = new ManualClock(Date.UTC(2026, 4, 1));
  const specs: (TrainSpec & { model: string })[] = [
    {
      target: 'failed',
      drop: ['wear'],
      model: 'logistic',
      params: { classWeight: 'balanced' },
      missingIndicator: true,
    },
    { target: 'wear', drop: ['failed'], model: 'linear', params: { ridge: 0.5 } },
  ];

  for (const spec of specs) {
    it(`${spec.model}: predicts bit-identically after save → load, with the same card`, async () => {
      const trained = trainModel(frame, spec, { clock });
      const out = join(directory, spec.model, 'nested');
      const path = await saveTrainedModel(trained, out);
      expect(path).toBe(join(out, MODEL_FILE));
      expect(await readdir(out)).toEqual([MODEL_FILE]);
      const loaded = await loadTrainedModel(out);
      expect(loaded.card).toEqual(trained.card);
      expect(loaded.toJSON()).toEqual(JSON.parse(JSON.stringify(trained.toJSON())));
      const before = trained.predictFrame(frame);
      const after = loaded.predictFrame(frame);
      expectBitIdentical(after.prediction, before.prediction);
      if (spec.model === 'logistic') expectBitIdentical(after.probability, before.probability);
      else expect(after.probability).toBeUndefined();
      // Saving again replaces the file.
      await saveTrainedModel(loaded, out);
      expect(await readdir(out)).toEqual([MODEL_FILE]);
    });
  }

  it('says what is wrong with a missing or damaged model directory', async () => {
    const missing = join(directory, 'nope');
    await expect(loadTrainedModel(missing)).rejects.toThrow(NotFoundError);
    await expect(loadTrainedModel(missing)).rejects.toThrow(/model directory '.*nope' does not exist/);

    const empty = join(directory, 'empty');
    await mkdir(empty);
    await expect(loadTrainedModel(empty)).rejects.toThrow(/has no model\.json/);

    const file = join(directory, 'file.txt');
    await writeFile(file, 'x');
    await expect(loadTrainedModel(file)).rejects.toThrow(/is not a directory/);

    const corrupt = join(directory, 'corrupt');
    await mkdir(corrupt);
    await writeFile(join(corrupt, MODEL_FILE), '{"format": "upkeep-model", "card": ');
    await expect(loadTrainedModel(corrupt)).rejects.toThrow(ValidationError);
    await expect(loadTrainedModel(corrupt)).rejects.toThrow(/model\.json is not valid JSON/);
  });

  it('names the bad field of a tampered model.json', async () => {
    const trained = trainModel(frame, specs[0] as TrainSpec, { clock });
    const saved = JSON.parse(JSON.stringify(trained.toJSON()));
    const cases: [(json: typeof saved) => void, RegExp][] = [
      [(json) => (json.format = 'other'), /format must be 'upkeep-model', got "other"/],
      [(json) => (json.formatVersion = 9), /formatVersion must be 1, got 9/],
      [(json) => (json.card.task = 'forecast'), /is not a usable model: card\.task: /],
      [(json) => (json.card.className = 'LinearRegression'), /card\.className 'LinearRegression' does not match/],
      [(json) => json.card.featureNames.pop(), /card\.featureNames must equal the preprocessing output features/],
      [(json) => (json.card.classes = [0, 2]), /card\.classes \[0,2\] must equal the model's classes \[0,1\]/],
      [(json) => (json.model.state = { coefficients: 3 }), /is not a usable model: state\./],
      [(json) => (json.preprocessing.steps[0].scale = -1), /preprocessing state is invalid/],
    ];
    for (const [tamper, message] of cases) {
      const copy = structuredClone(saved);
      tamper(copy);
      const out = join(directory, 'tampered');
      await mkdir(out, { recursive: true });
      await writeFile(join(out, MODEL_FILE), JSON.stringify(copy));
      await expect(loadTrainedModel(out)).rejects.toThrow(message);
    }
    expect(JSON.parse(await readFile(join(directory, 'tampered', MODEL_FILE), 'utf8')).card.kind).toBe('logistic');
  });
});
