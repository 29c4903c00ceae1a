import { appendFile, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvFrame } from '../io/csv-frame.js';
import { trainModel } from '../models/train.js';
import type { TrainedModel } from '../models/trained-model.js';
import { FolderWatcher, type WatchOutcome, watchedFormat } from './watch-folder.js';

/** y = 1 exactly when x > 0. */
const TRAINING = `x,y\n${Array.from({ length: 40 }, (_, i) => `${i - 19.5},${i - 19.5 > 0 ? 1 : 0}`).join('\n')}\n`;

describe('FolderWatcher', () => {
  let dir: string;
  let model: TrainedModel;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upkeep-watch-'));
    model = trainModel(await parseCsvFrame(TRAINING), { target: 'y', model: 'logistic' });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes CSV/NDJSON names only, never hidden or temporary ones', () => {
    expect(['a.csv', 'b.ndjson', 'c.jsonl', 'd.CSV'].map(watchedFormat)).toEqual(['csv', 'ndjson', 'ndjson', 'csv']);
    expect(['.a.csv', 'a.csv.tmp', 'a.csv.partial', 'a.txt'].map(watchedFormat)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('scores each dropped file once, waits for a growing file to settle, marks failures', async () => {
    const input = join(dir, 'in');
    const output = join(dir, 'out');
    await mkdir(input, { recursive: true });
    const outcomes: WatchOutcome[] = [];
    // Two watchers on one folder: each file still ends up scored exactly once.
    const options = { inputDirectory: input, outputDirectory: output, model, pollMs: 3_600_000, settleMs: 0 };
    const first = await FolderWatcher.start({ ...options, onFile: (outcome) => outcomes.push(outcome) });
    const second = await FolderWatcher.start({ ...options, onFile: (outcome) => outcomes.push(outcome) });
    try {
      // Dropped the safe way: written under a temporary name, renamed in.
      await writeFile(join(input, 'batch.csv.tmp'), 'x\n-3\n2\n5\n');
      await rename(join(input, 'batch.csv.tmp'), join(input, 'batch.csv'));
      // Still being written: half now, the rest after the first scan.
      await writeFile(join(input, 'growing.ndjson'), '{"x": -1}\n');
      // Not a usable input: the model's column is missing.
      await writeFile(join(input, 'bad.csv'), 'temperature\n1\n');

      await Promise.all([first.scan(), second.scan()]); // first sight of every file: nothing taken yet
      expect(outcomes).toEqual([]);
      await appendFile(join(input, 'growing.ndjson'), '{"x": 4}\n');
      await Promise.all([first.scan(), second.scan()]); // batch.csv and bad.csv settled; growing.ndjson changed
      await Promise.all([first.scan(), second.scan()]); // growing.ndjson settled
      await Promise.all([first.scan(), second.scan()]); // nothing left
    } finally {
      await first.stop();
      await second.stop();
    }
    expect(outcomes.map((outcome) => `${outcome.file}:${outcome.state}:${outcome.rows ?? ''}`).sort()).toEqual([
      'bad.csv:failed:',
      'batch.csv:done:3',
      'growing.ndjson:done:2',
    ]);
    expect(await readFile(join(output, 'batch.csv'), 'utf8')).toMatch(
      /^prediction,probability\n0,[\d.e-]+\n1,[\d.e-]+\n1,/,
    );
    const growing = (await readFile(join(output, 'growing.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(growing.map((line) => (JSON.parse(line) as { prediction: number }).prediction)).toEqual([0, 1]);
    expect(JSON.parse(await readFile(join(output, 'batch.csv.done'), 'utf8'))).toMatchObject({
      file: 'batch.csv',
      rows: 3,
    });
    expect(JSON.parse(await readFile(join(output, 'bad.csv.failed'), 'utf8')).error).toMatch(/input rows 1–1: .*'x'/);
    expect((await readdir(output)).sort()).toEqual([
      'bad.csv.failed',
      'batch.csv',
      'batch.csv.done',
      'growing.ndjson',
      'growing.ndjson.done',
    ]);
    expect(await readdir(input)).toEqual(expect.arrayContaining(['.done', '.failed', '.processing']));
    expect((await readdir(input)).filter((name) => !name.startsWith('.'))).toEqual([]);
    expect((await readdir(join(input, '.done'))).sort()).toEqual(['batch.csv', 'growing.ndjson']);
    expect(await readdir(join(input, '.failed'))).toEqual(['bad.csv']);
  }, 60_000);

  it('scores at start what a stopped watcher left in .processing', async () => {
    const input = join(dir, 'in2');
    const output = join(dir, 'out2');
    await mkdir(join(input, '.processing'), { recursive: true });
    await writeFile(join(input, '.processing', 'left.csv'), 'x\n7\n');
    const watcher = await FolderWatcher.start({
      inputDirectory: input,
      outputDirectory: output,
      model,
      pollMs: 3_600_000,
    });
    await watcher.stop();
    expect((await readFile(join(output, 'left.csv'), 'utf8')).split('\n')[1]).toMatch(/^1,/);
    expect(await readdir(join(input, '.processing'))).toEqual([]);
  }, 30_000);
});
