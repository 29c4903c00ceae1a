import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { parseCsvFrame } from '../../io/csv-frame.js';
import { JobRunner } from '../../jobs/runner.js';
import { trainModel } from '../../models/train.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { DuckDBJobStore } from '../../store/duckdb-jobs.js';
import { DuckDBModelRegistry } from '../../store/duckdb-registry.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

/**
 * 40 points on an 8 × 5 grid, x1 ∈ {-3.5 … 3.5}, x2 ∈ {-2 … 2}; failure = 1 exactly when x1 + 0.5·x2 > 0, so the
 * classes are linearly separable and a fitted logistic regression puts (3, 1) on the failure side and (-3, -1) not.
 */
function separableCsv(): string {
  const lines = ['machine_id,x1,x2,failure'];
  for (let i = 0; i < 40; i++) {
    const x1 = (i % 8) - 3.5;
    const x2 = Math.floor(i / 8) - 2;
    lines.push(`m-${i},${x1},${x2},${x1 + 0.5 * x2 > 0 ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

interface JsonBody {
  [key: string]: unknown;
}

describe('model routes', () => {
  let store: DuckDBStore;
  let runner: JobRunner;
  let app: OpenAPIHono;
  let clock: ManualClock;

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:', { threads: 1 });
    clock = new ManualClock(T0);
    const registry = await DuckDBModelRegistry.open(store);
    runner = await JobRunner.open(await DuckDBJobStore.open(store), { clock });
    app = createApp({ store, clock, limits: DEFAULT_LIMITS, version: 'test', registry, jobs: runner });
  });

  afterEach(async () => {
    await runner.close();
    await store.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const response = await app.request(path, init);
    return { status: response.status, headers: response.headers, body: (await response.json()) as JsonBody };
  };

  /** Polls GET /v1/jobs/{id} as a client would, until the job has finished. */
  const waitForJob = async (id: string): Promise<JsonBody> => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const { status, body } = await call('GET', `/v1/jobs/${id}`);
      expect(status).toBe(200);
      if (['succeeded', 'failed', 'cancelled'].includes(body.state as string)) return body;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`job ${id} did not finish`);
  };

  const train = async (request: JsonBody): Promise<JsonBody> => {
    const { status, body, headers } = await call('POST', '/v1/models', request);
    expect(status, JSON.stringify(body)).toBe(202);
    expect(headers.get('location')).toBe(`/v1/jobs/${body.job_id}`);
    return waitForJob(body.job_id as string);
  };

  const failureRisk = {
    name: 'failure-risk',
    data: { csv: separableCsv() },
    target: 'failure',
    drop: ['machine_id'],
    model: 'logistic',
    task: 'classification' as const,
  };

  it('trains from CSV as a job, lists the version and serves its card', async () => {
    const job = await train(failureRisk);
    expect(job).toMatchObject({
      kind: 'train',
      state: 'succeeded',
      progress: 1,
      error: null,
      result: { model_id: 'failure-risk@1', name: 'failure-risk', version: 1 },
      input: { name: 'failure-risk', target: 'failure', model: 'logistic', data: { kind: 'csv' } },
      created_at: '2026-01-01T00:00:00.000Z',
    });

    const list = await call('GET', '/v1/models');
    expect(list.status).toBe(200);
    const models = list.body.models as JsonBody[];
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({
      id: 'failure-risk@1',
      name: 'failure-risk',
      version: 1,
      kind: 'logistic',
      task: 'classification',
      active: true,
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect(Object.keys(models[0]?.metrics as object)).toEqual(expect.arrayContaining(['rocAuc', 'logLoss', 'f1']));

    const detail = await call('GET', '/v1/models/failure-risk@1');
    expect(detail.status).toBe(200);
    expect(detail.body.card).toMatchObject({
      kind: 'logistic',
      className: 'LogisticRegression',
      target: 'failure',
      featureNames: ['x1', 'x2'],
      classes: [0, 1],
      trainingData: { rows: 40, columns: 4 },
    });
  });

  it('predicts exactly what the same training gives in-process (labels and probabilities)', async () => {
    await train(failureRisk);
    const rows = [
      { x2: 1, x1: 3, machine_id: 'new-1' },
      { x1: -3, x2: -1 },
      { x1: '0.25', x2: 0 },
    ];
    const { status, body } = await call('POST', '/v1/models/failure-risk@1/predict', { rows });
    expect(status, JSON.stringify(body)).toBe(200);
    const predictions = body.predictions as { prediction: number; probability: number }[];
    expect(predictions.map((p) => p.prediction)).toEqual([1, 0, 1]);
    // The same spec trained directly, with the same clock: the registry round trip changes no bit.
    const direct = trainModel(await parseCsvFrame(separableCsv()), failureRisk, { clock: new ManualClock(T0) });
    const expected = direct.predictFrame(await parseCsvFrame('x1,x2\n3,1\n-3,-1\n0.25,0\n'));
    expect(predictions.map((p) => p.probability)).toEqual(Array.from(expected.probability as Float64Array));
    expect(body.model_id).toBe('failure-risk@1');
  });

  it('explains predictions on request: bias + contributions = the log-odds of the probability', async () => {
    const gbdtRisk = { ...failureRisk, name: 'failure-gbdt', model: 'gbdt', params: { nEstimators: 10, maxDepth: 2 } };
    await train(failureRisk);
    await train(gbdtRisk);
    const rows = [
      { x1: 3, x2: 1 },
      { x1: -3, x2: -1 },
    ];
    for (const id of ['failure-risk@1', 'failure-gbdt@1']) {
      const { status, body } = await call('POST', `/v1/models/${id}/predict?explain=true&top=5`, { rows });
      expect(status, JSON.stringify(body)).toBe(200);
      const predictions = body.predictions as {
        probability: number;
        bias: number;
        contributions: { feature: string; value: number }[];
      }[];
      for (const p of predictions) {
        // Two features, top 5: every non-zero contribution is listed, so they sum to the margin.
        const margin = p.contributions.reduce((sum, entry) => sum + entry.value, p.bias);
        expect(Math.abs(margin - Math.log(p.probability / (1 - p.probability)))).toBeLessThan(1e-9);
        for (const entry of p.contributions) expect(['x1', 'x2']).toContain(entry.feature);
      }
    }
    const plain = await call('POST', '/v1/models/failure-gbdt@1/predict', { rows });
    expect(Object.keys((plain.body.predictions as object[])[0] as object)).toEqual(['prediction', 'probability']);
    const bad = await call('POST', '/v1/models/failure-gbdt@1/predict?explain=true&top=0', { rows });
    expect(bad.status).toBe(400);
  });

  it('refuses rows missing a feature column (422 naming it) and non-numeric values (naming row and field)', async () => {
    await train(failureRisk);
    const missing = await call('POST', '/v1/models/failure-risk@1/predict', { rows: [{ x1: 1 }] });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatch(/missing column 'x2'/);
    expect(missing.body.details).toEqual([{ path: 'x2', message: 'missing column' }]);

    const text = await call('POST', '/v1/models/failure-risk@1/predict', {
      rows: [
        { x1: 1, x2: 2 },
        { x1: 'hot', x2: 1 },
      ],
    });
    expect(text.status).toBe(422);
    expect(text.body.error).toMatch(/column 'x1' must be numeric, got "hot" \(row 1\)/);

    const nested = await call('POST', '/v1/models/failure-risk@1/predict', { rows: [{ x1: { value: 1 }, x2: 1 }] });
    expect(nested.status).toBe(400);
    expect(nested.body.error).toMatch(/rows\.0\.x1/);
  });

  it('answers 404 for an unknown or malformed model id', async () => {
    await train(failureRisk);
    for (const [method, path, body] of [
      ['GET', '/v1/models/failure-risk@2', undefined],
      ['POST', '/v1/models/failure-risk@2/predict', { rows: [{ x1: 1, x2: 1 }] }],
      ['POST', '/v1/models/other@1/promote', undefined],
      ['GET', '/v1/models/nonsense', undefined],
    ] as const) {
      const response = await call(method, path, body);
      expect(response.status, path).toBe(404);
      expect(response.body.error).toMatch(/^unknown model "/);
    }
  });

  it('promotes version 2 over version 1: exactly one active version of the name', async () => {
    await train(failureRisk);
    clock.advance(60_000);
    const rows = separableCsv()
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [id, x1, x2, failure] = line.split(',');
        return { machine_id: id as string, x1: Number(x1), x2: Number(x2), failure: Number(failure) };
      });
    const second = await train({ ...failureRisk, data: { rows }, params: { C: 0.1 } });
    expect(second.result).toEqual({ model_id: 'failure-risk@2', name: 'failure-risk', version: 2 });
    const before = await call('GET', '/v1/models?name=failure-risk');
    expect((before.body.models as JsonBody[]).map((m) => [m.id, m.active])).toEqual([
      ['failure-risk@1', true],
      ['failure-risk@2', false],
    ]);

    const promoted = await call('POST', '/v1/models/failure-risk@2/promote');
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: 'failure-risk@2', version: 2, active: true });
    expect(promoted.body.created_at).toBe('2026-01-01T00:01:00.000Z');
    const after = await call('GET', '/v1/models?name=failure-risk');
    const versions = after.body.models as JsonBody[];
    expect(versions.map((m) => [m.id, m.active])).toEqual([
      ['failure-risk@1', false],
      ['failure-risk@2', true],
    ]);
    expect(versions.filter((m) => m.active)).toHaveLength(1);
    expect((await call('GET', '/v1/models?name=other')).body.models).toEqual([]);
  });

  it('trains from stored telemetry of some assets, leaving the asset id and time out of the features', async () => {
    const readings = [];
    for (let i = 0; i < 40; i++) {
      const x1 = (i % 8) - 3.5;
      const x2 = Math.floor(i / 8) - 2;
      const asset = i % 2 === 0 ? 'pump-01' : 'pump-02';
      readings.push({ asset, ts: T0 + i * 1000, metrics: { x1, x2, failure: x1 + 0.5 * x2 > 0 ? 1 : 0 } });
    }
    await store.appendReadings(readings);
    const job = await train({
      name: 'pump-failure',
      data: { assets: ['pump-01', 'pump-02'], from: '2026-01-01T00:00:00Z' },
      target: 'failure',
      model: 'logistic',
      validation: { method: 'none' },
    });
    expect(job.state, job.error as string).toBe('succeeded');
    const detail = await call('GET', '/v1/models/pump-failure@1');
    expect(detail.body.card).toMatchObject({
      featureNames: ['x1', 'x2'],
      preprocessing: { drop: ['ts'], autoDropped: ['asset'] },
      trainingData: { rows: 40 },
    });
  });

  it('refuses a bad request before queueing a job', async () => {
    const cases: [JsonBody, number, RegExp][] = [
      [{ ...failureRisk, target: 'broken' }, 422, /column 'broken' is not in the data/],
      [{ ...failureRisk, drop: ['nothing'] }, 422, /column 'nothing' is not in the data/],
      [{ ...failureRisk, name: 'bad name!' }, 400, /'name' must be .*got "bad name!"/],
      [{ ...failureRisk, model: 'forest' }, 400, /model must be one of .*got "forest"/],
      [{ ...failureRisk, data: { table: [] } }, 400, /^data: /],
      [{ ...failureRisk, data: { csv: 'a,b\n1,"2\n' } }, 400, /data\.csv/],
      [{ name: 'x', data: { rows: [{ a: 1 }] } }, 400, /^target: /],
    ];
    for (const [request, status, message] of cases) {
      const response = await call('POST', '/v1/models', request);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.error).toMatch(message);
    }
    expect((await call('GET', '/v1/jobs')).body.jobs).toEqual([]);
  });

  it('records a training that fails as a failed job with the reason, and saves no version', async () => {
    const job = await train({
      ...failureRisk,
      data: {
        rows: [
          { x1: 1, x2: 2, failure: 1 },
          { x1: 2, x2: 1, failure: 1 },
        ],
      },
      drop: [],
    });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/classification needs a target with two classes.*'failure' has only 1/);
    expect((await call('GET', '/v1/models')).body.models).toEqual([]);
  });

  it('declares every model route in the OpenAPI document', async () => {
    const { body } = await call('GET', '/openapi.json');
    const paths = body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/v1/models'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/v1/models/{id}'] ?? {})).toEqual(['get']);
    expect(Object.keys(paths['/v1/models/{id}/predict'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/v1/models/{id}/promote'] ?? {})).toEqual(['post']);
  });

  it('answers 404 on a server without a model registry', async () => {
    const bare = createApp({ store, clock, limits: DEFAULT_LIMITS, version: 'test' });
    const response = await bare.request('/v1/models');
    expect(response.status).toBe(404);
    expect(((await response.json()) as JsonBody).error).toBe('this server keeps no model registry');
  });
});
