import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, type RunResult, runUpkeep } from '../../../test/helpers/cli.js';
import { detectFile, unitScore } from './detect.js';

function upkeep(args: string[]): Promise<RunResult> {
  return runUpkeep(args);
}

let workDir: string;
let dataFile: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'upkeep-detect-'));
  dataFile = join(workDir, 'series.csv');
  // 300 five-minute points cycling 10, 11, 12, with a spike of 40 at row 250.
  const lines = ['timestamp,value'];
  for (let i = 0; i < 300; i++) {
    const ts = new Date(Date.UTC(2026, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`${ts},${i === 250 ? 40 : 10 + (i % 3)}`);
  }
  await writeFile(dataFile, `${lines.join('\n')}\n`);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('detectFile', () => {
  it('writes timestamp,value,anomaly_score with scores in [0, 1] and the spike on top', async () => {
    const { csv, summary } = await detectFile({ data: dataFile, detector: 'rolling-mzscore' });
    const rows = csv.trim().split('\n');
    expect(rows[0]).toBe('timestamp,value,anomaly_score');
    expect(rows).toHaveLength(301);
    expect(rows[251].startsWith('2026-01-01 20:50:00,40,')).toBe(true);
    const scores = rows.slice(1).map((row) => Number(row.split(',')[2]));
    expect(scores.every((score) => score >= 0 && score <= 1)).toBe(true);
    expect(scores.indexOf(Math.max(...scores))).toBe(250);
    expect(summary.rows).toBe(300);
    expect(summary.scores).toHaveLength(300);
  });

  it('maps raw scores s to s/(1 + s) except for the default, which is already a likelihood', () => {
    expect(unitScore('ewma', 3)).toBe(0.75);
    expect(unitScore('default', 0.4)).toBe(0.4);
  });
});

describe.skipIf(!existsSync(MAIN))('upkeep detect', () => {
  it('writes the scored CSV to --out and prints a summary line', async () => {
    const out = join(workDir, 'scored.csv');
    const result = await upkeep(['detect', '--data', dataFile, '--detector', 'ewma', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^scored 300 rows with ewma → .*scored\.csv/);
    const written = await readFile(out, 'utf8');
    expect(written.split('\n')[0]).toBe('timestamp,value,anomaly_score');
  });

  it('answers --json with one object', async () => {
    const result = await upkeep(['detect', '--data', dataFile, '--json']);
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer).toMatchObject({ detector: 'default', rows: 300, out: null });
    expect(answer.scores).toHaveLength(300);
  });

  it('exits 2 with one readable line on bad input', async () => {
    const missing = await upkeep(['detect', '--data', join(workDir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^upkeep: data file not found: ".*nope\.csv"$/);
    const unknown = await upkeep(['detect', '--data', dataFile, '--detector', 'oracle']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/detector must be one of default, .* got "oracle"/);
    const badCsv = join(workDir, 'bad.csv');
    await writeFile(badCsv, 'timestamp,value\n2026-01-01 00:00:00,hot\n');
    const bad = await upkeep(['detect', '--data', badCsv]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 2: 'value' must be a finite number, got "hot"/);
  });
});
