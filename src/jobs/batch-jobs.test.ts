import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { DEFAULT_LIMITS } from '../api/context.js';
import { ManualClock } from '../core/clock.js';
import { Rng } from '../core/rng.js';
import { parseCsvFrame } from '../io/csv-frame.js';
import { trainModel } from '../models/train.js';
import type { TrainedModel } from '../models/trained-model.js';
import { DuckDBStore } from '../store/duckdb.js';
import { DuckDBJobStore } from '../store/duckdb-jobs.js';
import { DuckDBModelRegistry } from '../store/duckdb-registry.js';
import { BatchJobs } from './batch-jobs.js';
import { registryVersion } from './train-job.js';

/** 2026-01-01T00:00:00Z. */
const T0 = 1_767_225_600_000;

type Json = Record<string, unknown>;

/** `rows` machines with temperature and load; failure when both run high. */
function machinesCsv(rows: number, seed = 1): string {
  const rng = new Rng(seed);
  const lines = ['machine_id,temperature,load,failed'];
  for (let i = 0; i < rows; i++) {
    const temperature = 60 + 10 * rng.normal();
    const load = rng.next();
    lines.push(
      `m-${i},${temperature.toFixed(3)},${load.toFixed(4)},${temperature / 70 + load + 0.3 * rng.normal() > 1.8 ? 1 : 0}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('batch inference jobs', () => {
  let store: DuckDBStore;
  let batch: BatchJobs;
  let app: OpenAPIHono;
  let directory: string;
  let model: TrainedModel;
  let modelId: string;
  const training = machinesCsv(300);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'upkeep-batch-'));
    store = await DuckDBStore.open(':memory:', { threads: 1 });
    const clock = new ManualClock(T0);
    const registry = await DuckDBModelRegistry.open(store);
    model = trainModel(await parseCsvFrame(training), { target: 'failed', model: 'logistic' }, { clock });
    modelId = (await registry.saveVersion(registryVersion('failure-risk', model, T0))).id;
    batch = await BatchJobs.open({
      store,
      registry,
      jobStore: await DuckDBJobStore.open(store),
      directory,
      clock,
      maxUploadBytes: 2_000_000,
      chunkRows: 64,
    });
    app = createApp({ store, clock, limits: DEFAULT_LIMITS, version: 'test', registry, jobs: batch.runner, batch });
  });

  afterAll(async () => {
    await batch.runner.close();
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  const request = async (
    method: string,
    path: string,
    body?: string | FormData,
    headers: Record<string, string> = {},
  ) => {
    const response = await app.request(path, { method, ...(body === undefined ? {} : { body }), headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Json };
  };

  const waitFor = async (id: string, states = ['succeeded', 'failed', 'cancelled']): Promise<Json> => {
    for (let attempt = 0; attempt < 2000; attempt++) {
      const job = (await request('GET', `/v1/jobs/${id}`)).json();
      if (states.includes(job.state as string)) return job;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`job ${id} did not reach ${states.join('/')}`);
  };

  it('scores a raw CSV upload in chunks into a CSV of id, prediction and probability', async () => {
    const input = machinesCsv(500, 7);
    const submitted = await request('POST', `/v1/jobs?model=${modelId}`, input, { 'content-type': 'text/csv' });
    expect(submitted.status).toBe(202);
    const { job_id: id } = submitted.json() as { job_id: string };
    expect(submitted.headers.get('location')).toBe(`/v1/jobs/${id}`);
    const job = await waitFor(id);
    expect(job).toMatchObject({
      kind: 'predict',
      state: 'succeeded',
      progress: 1,
      input: { model_id: modelId, input: { kind: 'upload', format: 'csv', bytes: input.length }, output_format: 'csv' },
      result: { rows_read: 500, rows_written: 500, output_format: 'csv', output: `/v1/jobs/${id}/output` },
    });
    const output = await request('GET', `/v1/jobs/${id}/output`);
    expect(output.status).toBe(200);
    expect(output.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = output.text.trimEnd().split('\n');
    expect(lines[0]).toBe('machine_id,prediction,probability');
    expect(lines).toHaveLength(501);
    // The same rows predicted in one piece, in-process.
    const expected = model.predictFrame(await parseCsvFrame(input));
    lines.slice(1).forEach((line, i) => {
      const [machine, prediction, probability] = line.split(',');
      expect(machine).toBe(`m-${i}`);
      expect(Number(prediction)).toBe(expected.prediction[i]);
      expect(Number(probability)).toBe(expected.probability?.[i]);
    });
    // The input is gone once the output is complete; the output stays.
    expect(await readdir(join(directory, id))).toEqual(['output.csv']);
  });

  it('scores a multipart NDJSON upload into NDJSON', async () => {
    const rows = [
      { machine_id: 'a', temperature: 90, load: 0.95 },
      { machine_id: 'b', temperature: 40, load: 0.05 },
    ];
    const form = new FormData();
    form.append('model', 'failure-risk');
    form.append('file', new Blob([rows.map((row) => JSON.stringify(row)).join('\n')]), 'readings.ndjson');
    const submitted = await request('POST', '/v1/jobs', form);
    expect(submitted.status).toBe(202);
    const id = (submitted.json() as { job_id: string }).job_id;
    const job = await waitFor(id);
    expect(job).toMatchObject({
      state: 'succeeded',
      input: { input: { kind: 'upload', format: 'ndjson', filename: 'readings.ndjson' } },
    });
    const output = await request('GET', `/v1/jobs/${id}/output`);
    expect(output.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = output.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    expect(lines.map((line) => [line.machine_id, line.prediction])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
  });

  it('scores JSON rows given in the request', async () => {
    const submitted = await request(
      'POST',
      '/v1/jobs',
      JSON.stringify({ model: modelId, input: { rows: [{ temperature: 95, load: 0.99 }] }, output_format: 'ndjson' }),
      { 'content-type': 'application/json' },
    );
    expect(submitted.status).toBe(202);
    const job = await waitFor((submitted.json() as { job_id: string }).job_id);
    expect(job).toMatchObject({ state: 'succeeded', result: { rows_written: 1 } });
  });

  it('refuses an upload over the cap with 413, keeping no job and no file', async () => {
    const before = await readdir(directory);
    const big = `machine_id,temperature,load\n${'m-1,60.000,0.5000\n'.repeat(150_000)}`;
    const raw = await request('POST', `/v1/jobs?model=${modelId}`, big, { 'content-type': 'text/csv' });
    expect(raw.status).toBe(413);
    expect(raw.json().error).toMatch(/exceeds the limit of 2000000 bytes/);
    const form = new FormData();
    form.append('model', modelId);
    form.append('file', new Blob([big]), 'big.csv');
    const multipart = await request('POST', '/v1/jobs', form);
    expect(multipart.status).toBe(413);
    expect(await readdir(directory)).toEqual(before);
  });

  it('names a bad request: unknown model (404), missing format (400), a missing input column (job failed)', async () => {
    const before = await readdir(directory);
    const unknown = await request('POST', '/v1/jobs?model=nope@3', 'a,b\n1,2\n', { 'content-type': 'text/csv' });
    expect(unknown.status).toBe(404);
    expect(unknown.json().error).toMatch(/unknown model "nope@3"/);
    const noFormat = await request('POST', `/v1/jobs?model=${modelId}`, 'a,b\n1,2\n', { 'content-type': 'text/plain' });
    expect(noFormat.status).toBe(400);
    expect(noFormat.json().error).toMatch(/input_format/);
    const form = new FormData();
    form.append('model', modelId);
    form.append('file', new Blob(['a,b\n1,2\n']), 'readings.txt');
    const unnamedFormat = await request('POST', '/v1/jobs', form);
    expect(unnamedFormat.status).toBe(400);
    expect(await readdir(directory)).toEqual(before);
    const submitted = await request('POST', `/v1/jobs?model=${modelId}`, 'machine_id,temperature\nm-1,50\n', {
      'content-type': 'text/csv',
    });
    const job = await waitFor((submitted.json() as { job_id: string }).job_id);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/input rows 1–1: .*load/);
  });

  it('answers malformed requests with 400, never 5xx, and keeps no file', async () => {
    const before = await readdir(directory);
    const cases: [string, string][] = [
      ['multipart/form-data', 'no boundary'],
      [
        'multipart/form-data; boundary=xyz',
        '--xyz\r\nContent-Disposition: form-data; name="model"\r\n\r\nrisk\r\n--xyz--\r\n',
      ],
      ['multipart/form-data; boundary=xyz', '\u0000\u0001garbage'],
      ['application/json', '{"model": '],
      ['application/json', '{"type": "train", "name": 7}'],
      ['application/json', '{"model": "failure-risk", "input": {"rows": "no"}}'],
      ['application/json', '[1, 2]'],
    ];
    for (const [type, body] of cases) {
      const response = await request('POST', '/v1/jobs', body, { 'content-type': type });
      expect(response.status, `${type}: ${body}`).toBe(400);
      expect(response.json().error).toEqual(expect.any(String));
    }
    expect(await readdir(directory)).toEqual(before);
  });

  it('cancels a running job: state cancelled, work directory removed, output refused', async () => {
    const submitted = await request('POST', `/v1/jobs?model=${modelId}`, machinesCsv(40_000, 3), {
      'content-type': 'text/csv',
    });
    const id = (submitted.json() as { job_id: string }).job_id;
    await waitFor(id, ['running']);
    const early = await request('GET', `/v1/jobs/${id}/output`);
    expect(early.status).toBe(409);
    const cancelled = await request('DELETE', `/v1/jobs/${id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json()).toMatchObject({ id, state: 'cancelled', error: 'cancelled' });
    expect(await readdir(directory)).not.toContain(id);
    expect((await request('GET', `/v1/jobs/${id}/output`)).status).toBe(409);
    expect((await request('DELETE', `/v1/jobs/${id}`)).status).toBe(409);
  });
});
