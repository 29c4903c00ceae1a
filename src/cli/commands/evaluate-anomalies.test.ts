import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, type RunResult, runUpkeep } from '../../../test/helpers/cli.js';
import { sharedDataset } from '../../../test/helpers/paths.js';
import { evaluateDetectorOnNab } from '../../evaluate/nab.js';
import { formatRun, runToJson } from './evaluate-anomalies.js';

const NAB_ROOT = sharedDataset('nab');
const NAB_LABELS = join(NAB_ROOT, 'labels', 'combined_windows.json');

function upkeep(args: string[]): Promise<RunResult> {
  return runUpkeep(args, { timeoutMs: 120_000 });
}

let workDir: string;
let labels: string;

/** Writes a `timestamp,value` file of `count` one-minute rows. */
async function writeSeries(path: string, count: number, valueAt: (i: number) => number): Promise<void> {
  const lines = ['timestamp,value'];
  for (let i = 0; i < count; i++) {
    const ts = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`${ts},${valueAt(i)}`);
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  // A tiny corpus: one file with a jump inside its labelled window (rows 150..179), one quiet file.
  workDir = await mkdtemp(join(tmpdir(), 'upkeep-nab-'));
  await mkdir(join(workDir, 'synthetic'));
  await writeSeries(join(workDir, 'synthetic', 'jump.csv'), 200, (i) => (i >= 160 && i < 165 ? 100 : 10 + (i % 3)));
  await writeSeries(join(workDir, 'synthetic', 'quiet.csv'), 200, (i) => 10 + (i % 3));
  labels = join(workDir, 'windows.json');
  await writeFile(
    labels,
    JSON.stringify({
      'synthetic/jump.csv': [['2026-01-01 02:30:00.000000', '2026-01-01 02:59:00.000000']],
      'synthetic/quiet.csv': [],
    }),
  );
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('evaluateDetectorOnNab', () => {
  it('scores a detector over the labelled files', async () => {
    let clock = 0;
    const run = await evaluateDetectorOnNab({
      dataDir: workDir,
      labels,
      detector: 'rolling-mzscore',
      now: () => (clock += 1),
    });
    expect(run).toMatchObject({ detector: 'rolling-mzscore', files: 2, rows: 400, windows: 1 });
    // The jump starts at row 160, 10 rows into the 30-row window 150..179: position −(179 − 160 + 1)/30 = −2/3,
    // reward S(−2/3)/S(−1) = 0.943742… with no false positive → 100·(0.943742 + 1)/2.
    // python3: S=lambda x: 2/(1+math.exp(5*x))-1; print(100*(S(-2/3)/S(-1)+1)/2) → 97.18711305989333
    expect(run.profiles.standard.normalised).toBeCloseTo(97.18711305989333, 6);
    expect(run.profiles.standard.counts.fp).toBe(0);
    // Fake clock: one tick per file scored → 2 ms over 400 points = 5 µs/point.
    expect(run.microsecondsPerPoint).toBe(5);
    expect(formatRun(run)[1]).toMatch(/^ {2}standard\s+97\.2/);
  });

  it('names a labelled file that is missing', async () => {
    const orphanLabels = join(workDir, 'orphan.json');
    await writeFile(orphanLabels, JSON.stringify({ 'synthetic/gone.csv': [] }));
    await expect(evaluateDetectorOnNab({ dataDir: workDir, labels: orphanLabels })).rejects.toThrow(
      /labelled file "synthetic\/gone\.csv" not found under/,
    );
  });

  it('writes an unbeatable null threshold as null in JSON', async () => {
    const run = await evaluateDetectorOnNab({ dataDir: workDir, labels, detector: 'periodic' });
    expect(run.profiles.standard.threshold).toBe(Number.POSITIVE_INFINITY);
    expect((runToJson(run) as { profiles: { standard: { threshold: unknown } } }).profiles.standard.threshold).toBe(
      null,
    );
  });
});

describe.skipIf(!existsSync(MAIN))('upkeep evaluate-anomalies', () => {
  it('prints one JSON object with the three profiles', async () => {
    const result = await upkeep(['evaluate-anomalies', '--data-dir', workDir, '--labels', labels, '--json']);
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(Object.keys(answer.profiles)).toEqual(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
    expect(answer.detector).toBe('default');
  });

  it('exits 2 on a missing labels file', async () => {
    const result = await upkeep(['evaluate-anomalies', '--data-dir', workDir, '--labels', join(workDir, 'x.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^upkeep: labels file not found: ".*x\.json"$/);
  });
});

const nabPresent = existsSync(NAB_LABELS);
if (!nabPresent) console.warn(`skipping the NAB subset run: ${NAB_LABELS} is absent`);

describe.skipIf(!nabPresent || !existsSync(MAIN))('upkeep evaluate-anomalies on the NAB subset', () => {
  it('reports every profile of the default detector', async () => {
    const result = await upkeep(['evaluate-anomalies', '--data-dir', NAB_ROOT, '--labels', NAB_LABELS, '--json']);
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer).toMatchObject({ files: 12, windows: 10 });
    // Measured: see docs/anomaly.md; the test guards against a regression far below it, not the exact figure.
    expect(answer.profiles.standard.normalised).toBeGreaterThan(50);
  });
});
