/**
 * `upkeep train --model gbdt` and `upkeep predict` end to end on a small synthetic failure table: the saved model
 * predicts exactly what the same training request gives in process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatExplanation } from '../src/cli/commands/predict.js';
import { ManualClock } from '../src/core/clock.js';
import { Rng } from '../src/core/rng.js';
import { readCsvFrame, writeCsvFile } from '../src/io/csv-frame.js';
import { Frame, numericColumn } from '../src/io/frame.js';
import { loadTrainedModel } from '../src/models/artifact.js';
import { trainModel } from '../src/models/train.js';
import { type RunResult, runUpkeep } from './helpers/cli.js';

function upkeep(args: string[], cwd: string): Promise<RunResult> {
  return runUpkeep(args, { cwd, timeoutMs: 120_000 });
}

/** 150 rows: failure when torque + 0.5·wear > 1. */
function failureFrame(): Frame {
  const rng = new Rng(4);
  const rows = 150;
  const torque = Float64Array.from({ length: rows }, () => 40 + 10 * rng.normal());
  const wear = Float64Array.from({ length: rows }, () => 100 + 60 * rng.normal());
  const failure = Float64Array.from(torque, (t, i) =>
    (t - 40) / 10 + (0.5 * ((wear[i] as number) - 100)) / 60 > 1 ? 1 : 0,
  );
  return new Frame([
    numericColumn(
      'UDI',
      Float64Array.from({ length: rows }, (_, i) => i + 1),
    ),
    numericColumn('Torque [Nm]', torque),
    numericColumn('Tool wear [min]', wear),
    numericColumn('Machine failure', failure),
  ]);
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'upkeep-gbdt-cli-'));
  await writeCsvFile(join(work, 'd.csv'), failureFrame());
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('upkeep train --model gbdt', () => {
  it('trains, saves and predicts what the same request gives in process', async () => {
    const trained = await upkeep(
      [
        'train',
        '--data',
        'd.csv',
        '--target',
        'Machine failure',
        '--drop',
        'UDI',
        '--model',
        'gbdt',
        '--trees',
        '20',
        '--depth',
        '3',
        '--learning-rate',
        '0.2',
        '--lambda',
        '2',
        '--out',
        'm',
        '--json',
      ],
      work,
    );
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const summary = JSON.parse(trained.stdout) as { card: { className: string; parameters: Record<string, unknown> } };
    expect(summary.card.className).toBe('GbdtClassifier');
    expect(summary.card.parameters).toMatchObject({ nEstimators: 20, maxDepth: 3, learningRate: 0.2, lambda: 2 });

    const frame = await readCsvFrame(join(work, 'd.csv'));
    const inProcess = trainModel(
      frame,
      {
        target: 'Machine failure',
        drop: ['UDI'],
        model: 'gbdt',
        params: { nEstimators: 20, maxDepth: 3, learningRate: 0.2, lambda: 2 },
      },
      { clock: new ManualClock(0) },
    );
    const loaded = await loadTrainedModel(join(work, 'm'));
    expect(Array.from(loaded.predictFrame(frame).probability as Float64Array)).toEqual(
      Array.from(inProcess.predictFrame(frame).probability as Float64Array),
    );

    const predicted = await upkeep(['predict', '--model', 'm', '--data', 'd.csv', '--out', 'p.csv'], work);
    expect(predicted.code).toBe(0);
    const table = await readCsvFrame(join(work, 'p.csv'));
    expect(table.columns.map((column) => column.name)).toEqual(['UDI', 'prediction', 'probability']);
    expect(Array.from(table.numeric('probability'))).toEqual(
      Array.from(inProcess.predictFrame(frame).probability as Float64Array),
    );

    const explained = await upkeep(
      ['predict', '--model', 'm', '--data', 'd.csv', '--explain', '--top', '2', '--out', 'e.csv'],
      work,
    );
    expect(explained.code).toBe(0);
    const withReasons = await readCsvFrame(join(work, 'e.csv'));
    const column = withReasons.column('explanation');
    if (column.kind !== 'category') throw new Error('explanation must be text');
    const texts = Array.from(column.codes, (code) => (code < 0 ? '' : column.levels[code]));
    expect(texts).toEqual(loaded.explain(frame, 2).map(formatExplanation));
    expect(texts[0]).toMatch(/^(Torque \[Nm\]|Tool wear \[min\]) [+-]\d+\.\d\d/);
  }, 120_000);
});
