import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUpkeep } from '../../../test/helpers/cli.js';
import { Rng } from '../../core/rng.js';

let dir: string;

/** 200 rows: failure when temperature + noise is high; wear grows with the row. */
async function writeHistory(path: string): Promise<void> {
  const rng = new Rng(3);
  const lines = ['wear,temperature,failed'];
  for (let i = 0; i < 200; i++) {
    const temperature = rng.normal();
    lines.push(`${i},${temperature.toFixed(4)},${temperature + 0.5 * rng.normal() > 1 ? 1 : 0}`);
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upkeep-report-'));
  await writeHistory(join(dir, 'history.csv'));
  const trained = await runUpkeep(
    ['train', '--data', 'history.csv', '--target', 'failed', '--drop', 'wear', '--model', 'logistic', '--out', 'model'],
    { cwd: dir },
  );
  expect(trained.stderr).toBe('');
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('upkeep report cost', () => {
  it('prints the cheapest threshold, the baselines and the savings as JSON, and writes the HTML page', async () => {
    const result = await runUpkeep(
      [
        'report',
        'cost',
        '--model',
        'model',
        '--data',
        'history.csv',
        '--failure-cost',
        '1000',
        '--repair-cost',
        '200',
        '--false-alarm-cost',
        '50',
        '--age-column',
        'wear',
        '--out',
        'report.html',
        '--json',
      ],
      { cwd: dir },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    const { confusion } = summary;
    expect(
      confusion.truePositives + confusion.falsePositives + confusion.falseNegatives + confusion.trueNegatives,
    ).toBe(200);
    expect(summary.totalCost).toBe(
      confusion.truePositives * 200 + confusion.falsePositives * 50 + confusion.falseNegatives * 1000,
    );
    expect(summary.runToFailure.totalCost).toBe(summary.failures * 1000);
    expect(summary.savings.vsRunToFailure).toBe(summary.runToFailure.totalCost - summary.totalCost);
    expect(summary.fixedInterval).toMatchObject({ policy: 'age', column: 'wear' });
    expect(summary.scores).toEqual({ method: 'out-of-fold', folds: 5 });
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('Total cost against the alarm threshold');
    expect(html).toContain(`${confusion.truePositives} planned repairs`);
    expect(html).not.toMatch(/<script|<link|src="http/);
  }, 30_000);

  it('refuses a negative cost with one readable line and exit code 2', async () => {
    const result = await runUpkeep(
      [
        'report',
        'cost',
        '--model',
        'model',
        '--data',
        'history.csv',
        '--failure-cost',
        '1000',
        '--repair-cost',
        '-5',
        '--false-alarm-cost',
        '50',
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--repair-cost must be a number ≥ 0, got "-5"/);
  }, 30_000);
});
