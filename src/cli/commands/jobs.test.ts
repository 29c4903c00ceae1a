import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, runUpkeep } from '../../../test/helpers/cli.js';

let dir: string;
let server: ChildProcess | undefined;
let url: string;

/** y = 1 exactly when x > 0, with a row id. */
function csv(rows: number): string {
  return `id,x,y\n${Array.from({ length: rows }, (_, i) => `r${i},${i - rows / 2 + 0.5},${i - rows / 2 + 0.5 > 0 ? 1 : 0}`).join('\n')}\n`;
}

function startServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    server = spawn(
      process.execPath,
      ['--import', tsx, MAIN, 'serve', '--db', 'upkeep.duckdb', '--port', '0', '--no-auth'],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    server.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1] as string);
    });
    server.stderr?.on('data', (data: Buffer) => {
      output += data.toString();
    });
    server.on('exit', (code) => reject(new Error(`server exited (${code}): ${output}`)));
  });
}

async function stopServer(): Promise<void> {
  const running = server;
  server = undefined;
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upkeep-jobs-cli-'));
  url = await startServer();
  const response = await fetch(`${url}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'train',
      name: 'risk',
      target: 'y',
      drop: ['id'],
      model: 'logistic',
      data: { csv: csv(40) },
    }),
  });
  const { job_id: id } = (await response.json()) as { job_id: string };
  for (let attempt = 0; attempt < 3000; attempt++) {
    const job = (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as { state: string };
    if (job.state === 'succeeded') break;
    if (job.state === 'failed') throw new Error('training failed');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}, 60_000);

afterAll(async () => {
  await stopServer();
  await rm(dir, { recursive: true, force: true });
});

describe('upkeep jobs', () => {
  it('submits a file, waits, downloads the predictions, lists, shows and refuses to cancel a finished job', async () => {
    await writeFile(join(dir, 'input.csv'), csv(10));
    const submitted = await runUpkeep(
      [
        'jobs',
        'submit',
        '--url',
        url,
        '--model',
        'risk',
        '--input',
        'input.csv',
        '--wait',
        '--out',
        'predictions.csv',
        '--json',
      ],
      { cwd: dir },
    );
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const job = JSON.parse(submitted.stdout) as { id: string; state: string; result: Record<string, unknown> };
    expect(job).toMatchObject({ kind: 'predict', state: 'succeeded', result: { rows_read: 10, rows_written: 10 } });
    const predictions = await readFile(join(dir, 'predictions.csv'), 'utf8');
    const lines = predictions.trimEnd().split('\n');
    expect(lines[0]).toBe('id,prediction,probability');
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 2).join(','))).toEqual(
      Array.from({ length: 10 }, (_, i) => `r${i},${i >= 5 ? 1 : 0}`),
    );

    const output = await runUpkeep(['jobs', 'output', job.id, '--url', url], { cwd: dir });
    expect(output.stdout).toBe(predictions);

    const list = await runUpkeep(['jobs', 'list', '--url', url, '--json'], { cwd: dir });
    const listed = (JSON.parse(list.stdout) as { jobs: { id: string; kind: string }[] }).jobs;
    expect(listed.map((entry) => entry.kind)).toEqual(['predict', 'train']);
    expect(listed[0]?.id).toBe(job.id);

    const show = await runUpkeep(['jobs', 'show', job.id, '--url', url], { cwd: dir });
    expect(show.stdout).toMatch(new RegExp(`^${job.id}  predict +succeeded +100 %`));

    const cancel = await runUpkeep(['jobs', 'cancel', job.id, '--url', url], { cwd: dir });
    expect(cancel.code).toBe(2);
    expect(cancel.stderr).toMatch(/409 job .* has already succeeded/);

    await stopServer();
    const fromDb = await runUpkeep(['jobs', 'list', '--db', 'upkeep.duckdb', '--state', 'succeeded', '--json'], {
      cwd: dir,
    });
    expect((JSON.parse(fromDb.stdout) as { jobs: unknown[] }).jobs).toHaveLength(2);
  }, 90_000);
});
