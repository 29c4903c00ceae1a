/**
 * Remaining useful life end to end through the CLI on five FD001 engines: cut a test file and its RUL file from the
 * training units, train the window-statistics trees, evaluate, predict one row per unit and draw both RUL charts.
 */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateRulFile,
  type RulTrainCommandOptions,
  rulChart,
  trainRulFile,
  writeCmapssTest,
} from '../src/cli/commands/rul.js';
import { readCmapss } from '../src/io/cmapss.js';
import { type RunResult, runUpkeep } from './helpers/cli.js';
import { ROOT } from './helpers/paths.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'cmapss', 'train_FD001_five_units.txt');

let work: string;

function upkeep(args: string[]): Promise<RunResult> {
  return runUpkeep(args, { cwd: work, timeoutMs: 120_000 });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'upkeep-rul-cli-'));
  await copyFile(FIXTURE, join(work, 'train.txt'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('upkeep --format cmapss', () => {
  it('generate cmapss-test → train → evaluate → predict → plot rul', async () => {
    const cut = await writeCmapssTest({
      data: join(work, 'train.txt'),
      out: join(work, 'test.txt'),
      rulOut: join(work, 'RUL.txt'),
      seed: 1,
    });
    expect(cut).toMatchObject({ units: 5, seed: 1 });
    const test = await readCmapss(join(work, 'test.txt'), join(work, 'RUL.txt'));
    const train = await readCmapss(join(work, 'train.txt'));
    // Every test unit is the start of its training unit and its RUL is the cycles cut off.
    test.units.forEach((unit, index) => {
      const whole = train.units[index];
      expect(unit.unit).toBe(whole.unit);
      expect(unit.rulAtEnd).toBe(whole.cycles.length - unit.cycles.length);
      expect(Array.from(unit.values)).toEqual(Array.from(whole.values.subarray(0, unit.values.length)));
    });

    const trained = await upkeep([
      'train',
      '--format',
      'cmapss',
      '--data',
      'train.txt',
      '--task',
      'rul',
      '--model',
      'gbdt',
      '--window',
      '20',
      '--cap',
      '120',
      '--trees',
      '20',
      '--depth',
      '3',
      '--out',
      'model',
      '--json',
    ]);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const summary = JSON.parse(trained.stdout);
    expect(summary.card).toMatchObject({ kind: 'gbdt', task: 'rul', cap: 120, window: { length: 20, stride: 1 } });
    expect(summary.card.parameters).toMatchObject({ nEstimators: 20, maxDepth: 3 });
    expect(summary.card.validation.validationUnits).toBe(1);
    expect(summary.card.trainingSeconds).toBeGreaterThan(0);

    const evaluated = await upkeep([
      'evaluate',
      '--format',
      'cmapss',
      '--model',
      'model',
      '--data',
      'test.txt',
      '--rul',
      'RUL.txt',
      '--json',
    ]);
    expect(evaluated.stderr).toBe('');
    const scores = JSON.parse(evaluated.stdout);
    expect(scores.n_units).toBe(5);

    const predicted = await upkeep([
      'predict',
      '--format',
      'cmapss',
      '--model',
      'model',
      '--data',
      'test.txt',
      '--rul',
      'RUL.txt',
    ]);
    const [header, ...lines] = predicted.stdout.trim().split('\n');
    expect(header).toBe('unit,cycle,rul,lower,upper,true_rul');
    const rows = lines.map((line) => line.split(',').map(Number));
    expect(rows.map((row) => row[0])).toEqual([1, 3, 4, 6, 8]);
    expect(rows.map((row) => row[1])).toEqual(test.units.map((unit) => unit.cycles.at(-1)));
    // evaluate's RMSE is the RMSE of predict's column against the true RUL capped at 120 (to the CSV's rounding).
    let squares = 0;
    let uncapped = 0;
    for (const [, , rul, lower, upper, truth] of rows as number[][]) {
      expect(lower).toBeLessThanOrEqual(rul);
      expect(upper).toBeGreaterThanOrEqual(rul);
      squares += (rul - Math.min(truth, 120)) ** 2;
      uncapped += (rul - truth) ** 2;
    }
    expect(scores.rmse).toBeCloseTo(Math.sqrt(squares / 5), 2);
    expect(scores.rmse_uncapped).toBeCloseTo(Math.sqrt(uncapped / 5), 2);
    expect(scores.phm08_score).toBeGreaterThan(0);

    const units = await upkeep([
      'plot',
      'rul',
      '--model',
      'model',
      '--data',
      'test.txt',
      '--rul',
      'RUL.txt',
      '--out',
      'units.png',
    ]);
    expect(units.stdout).toBe('wrote units.png\n');
    expect((await readFile(join(work, 'units.png'))).subarray(1, 4).toString()).toBe('PNG');
    const svg = await rulChart({
      model: join(work, 'model'),
      data: join(work, 'train.txt'),
      unit: 3,
      out: 'unused.svg',
    });
    expect(svg).toMatch(/Unit 3: remaining useful life over its life/);
    expect(svg).toMatch(/90% interval/);
  }, 120_000);

  it('answers bad input with one line and exit code 2', async () => {
    const noRul = await upkeep(['evaluate', '--format', 'cmapss', '--model', 'model', '--data', 'train.txt']);
    expect(noRul.code).toBe(2);
    expect(noRul.stderr).toBe(
      'upkeep: evaluate --format cmapss needs --rul RUL_FILE (the true RUL of each test unit)\n',
    );
    const train = (options: Partial<RulTrainCommandOptions>) =>
      trainRulFile({ data: join(work, 'train.txt'), model: 'gbdt', seed: 0, out: join(work, 'x'), ...options });
    await expect(train({ model: 'linear' })).rejects.toThrow(
      /^--model must be one of gbdt, lstm, gru, cnn, ensemble with --format cmapss, got 'linear'$/,
    );
    await expect(train({ data: join(work, 'nope.txt') })).rejects.toThrow(/^data file '.*nope.txt' does not exist$/);
    await expect(train({ task: 'regression' })).rejects.toThrow(/use --task rul, got 'regression'/);
    await expect(
      evaluateRulFile({ model: join(work, 'model'), data: join(work, 'test.txt'), rul: join(work, 'missing.txt') }),
    ).rejects.toThrow(/^RUL file '.*missing.txt' does not exist$/);
  }, 60_000);
});
