/**
 * Jobs across a real server crash: the server runs as a child process (`upkeep serve`), is killed with SIGKILL in
 * the middle of a job and started again on the same database. A batch inference job is taken back and scored again
 * from its input file; a training job is marked failed with the reason. Nothing is silently lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN } from '../../test/helpers/cli.js';
import { Rng } from '../core/rng.js';
import { RESTART_REASON } from './runner.js';

type Json = Record<string, unknown>;

let dir: string;
let child: ChildProcess | undefined;

/** Starts `upkeep serve` on a free port and resolves with its URL once it listens. */
function startServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    // Node itself (tsx as an import hook, not the tsx wrapper process): SIGKILL then hits the server, not a parent.
    const server = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
        MAIN,
        'serve',
        '--db',
        join(dir, 'upkeep.duckdb'),
        '--port',
        '0',
        '--no-auth',
        '--job-chunk-rows',
        '50',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = server;
    let output = '';
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1] as string);
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', (data: Buffer) => {
      output += data.toString();
    });
    server.on('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${output}`)));
  });
}

async function kill(): Promise<void> {
  const server = child as ChildProcess;
  child = undefined;
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGKILL');
  await exited;
}

async function call(url: string, method: string, path: string, body?: string, type = 'application/json') {
  const response = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': type } }),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Json };
}

async function waitFor(url: string, id: string, done: (job: Json) => boolean): Promise<Json> {
  for (let attempt = 0; attempt < 6000; attempt++) {
    const job = (await call(url, 'GET', `/v1/jobs/${id}`)).json();
    if (done(job)) return job;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`job ${id} did not reach the expected state`);
}

const finished = (job: Json) => ['succeeded', 'failed', 'cancelled'].includes(job.state as string);

function machinesCsv(rows: number, seed: number): string {
  const rng = new Rng(seed);
  const lines = ['machine_id,temperature,load,failed'];
  for (let i = 0; i < rows; i++) {
    const temperature = 60 + 10 * rng.normal();
    const load = rng.next();
    lines.push(
      `m-${i},${temperature.toFixed(2)},${load.toFixed(3)},${temperature / 70 + load + 0.3 * rng.normal() > 1.8 ? 1 : 0}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upkeep-restart-'));
});

afterAll(async () => {
  if (child) await kill();
  await rm(dir, { recursive: true, force: true });
});

describe('jobs after a server crash', () => {
  it('resumes a batch job killed mid-run from its input file and fails an interrupted training with the reason', async () => {
    let url = await startServer();
    const train = (csv: string, params: Json = {}) =>
      call(
        url,
        'POST',
        '/v1/jobs',
        JSON.stringify({ type: 'train', name: 'risk', target: 'failed', model: 'gbdt', params, data: { csv } }),
      );
    const model = await train(machinesCsv(300, 1), { nEstimators: 10 });
    expect(model.status).toBe(202);
    expect(await waitFor(url, model.json().job_id as string, finished)).toMatchObject({
      state: 'succeeded',
      result: { model_id: 'risk@1' },
    });

    const rows = 20_000;
    await writeFile(join(dir, 'input.csv'), machinesCsv(rows, 2));
    const batch = await call(url, 'POST', '/v1/jobs?model=risk@1', machinesCsv(rows, 2), 'text/csv');
    expect(batch.status).toBe(202);
    const batchId = batch.json().job_id as string;
    const queuedTraining = await train(machinesCsv(300, 3), { nEstimators: 10 });
    const queuedId = queuedTraining.json().job_id as string;
    const midway = await waitFor(url, batchId, (job) => (job.progress as number) > 0 || finished(job));
    expect(midway.state).toBe('running');
    await kill();

    url = await startServer();
    const resumed = await waitFor(url, batchId, finished);
    expect(resumed).toMatchObject({ state: 'succeeded', result: { rows_read: rows, rows_written: rows } });
    const output = await call(url, 'GET', `/v1/jobs/${batchId}/output`);
    const lines = output.text.trimEnd().split('\n');
    expect(lines).toHaveLength(rows + 1);
    expect(lines[1]?.startsWith('m-0,')).toBe(true);
    expect(lines[rows]?.startsWith(`m-${rows - 1},`)).toBe(true);
    expect(await readdir(join(dir, 'jobs', batchId))).toEqual(['output.csv']);
    expect((await call(url, 'GET', `/v1/jobs/${queuedId}`)).json()).toMatchObject({
      state: 'failed',
      error: RESTART_REASON,
    });

    // A training killed while it fits.
    const long = await train(machinesCsv(2000, 4), { nEstimators: 3000, maxDepth: 6 });
    const longId = long.json().job_id as string;
    const fitting = await waitFor(url, longId, (job) => (job.progress as number) > 0 || finished(job));
    expect(fitting.state).toBe('running');
    await kill();
    url = await startServer();
    expect((await call(url, 'GET', `/v1/jobs/${longId}`)).json()).toMatchObject({
      state: 'failed',
      error: RESTART_REASON,
    });
  }, 120_000);
});
