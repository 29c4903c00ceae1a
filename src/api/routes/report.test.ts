import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { Rng } from '../../core/rng.js';
import { maintenanceCostReport } from '../../evaluate/cost.js';
import { parseCsvFrame } from '../../io/csv-frame.js';
import { registryVersion } from '../../jobs/train-job.js';
import { outOfFoldScores } from '../../models/out-of-fold.js';
import { trainModel } from '../../models/train.js';
import { TrainedModel } from '../../models/trained-model.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { DuckDBModelRegistry } from '../../store/duckdb-registry.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';

/** 2026-01-01T00:00:00Z. */
const T0 = 1_767_225_600_000;

/** 150 rows: failure when temperature + noise > 1; hours grow with the row. */
function historyCsv(): string {
  const rng = new Rng(11);
  const lines = ['hours,temperature,failed'];
  for (let i = 0; i < 150; i++) {
    const temperature = rng.normal();
    lines.push(`${i},${temperature.toFixed(4)},${temperature + 0.6 * rng.normal() > 1 ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('POST /v1/models/{id}/cost', () => {
  let store: DuckDBStore;
  let app: OpenAPIHono;
  let modelId: string;
  let trained: TrainedModel;
  const csv = historyCsv();
  const costs = { failure_cost: 1000, repair_cost: 150, false_alarm_cost: 40 };

  beforeAll(async () => {
    store = await DuckDBStore.open(':memory:', { threads: 1 });
    const clock = new ManualClock(T0);
    const registry = await DuckDBModelRegistry.open(store);
    const frame = await parseCsvFrame(csv);
    trained = trainModel(frame, { target: 'failed', drop: ['hours'], model: 'logistic' }, { clock });
    modelId = (await registry.saveVersion(registryVersion('failure-risk', trained, T0))).id;
    app = createApp({ store, clock, limits: DEFAULT_LIMITS, version: 'test', registry });
  });

  afterAll(async () => {
    await store.close();
  });

  const post = async (id: string, body: unknown) => {
    const response = await app.request(`/v1/models/${encodeURIComponent(id)}/cost`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers the numbers of the cost analysis of the out-of-fold scores', async () => {
    const { status, body } = await post(modelId, { ...costs, age_column: 'hours', data: { csv } });
    expect(status).toBe(200);
    // The same analysis computed directly.
    const frame = await parseCsvFrame(csv);
    const oof = outOfFoldScores(TrainedModel.fromJSON(trained.toJSON()), frame);
    const expected = maintenanceCostReport(
      oof.truth,
      oof.scores,
      { failureCost: 1000, repairCost: 150, falseAlarmCost: 40 },
      { age: { column: 'hours', values: frame.numeric('hours') } },
    );
    expect(body).toMatchObject({
      model_id: modelId,
      target: 'failed',
      rows: 150,
      failures: expected.failures,
      threshold: expected.threshold,
      confusion: expected.confusion,
      totalCost: expected.totalCost,
      runToFailure: expected.runToFailure,
      savings: expected.savings,
      scores: { method: 'out-of-fold', folds: 5 },
    });
    expect(body.fixedInterval).toMatchObject({
      policy: 'age',
      column: 'hours',
      totalCost: expected.fixedInterval.totalCost,
    });
    const curve = body.curve as { threshold: number | null }[];
    expect(curve[0]?.threshold).toBeNull();
  });

  it('names a bad cost, an unknown model and a missing target', async () => {
    const negative = await post(modelId, { ...costs, repair_cost: -1, data: { csv } });
    expect(negative.status).toBe(400);
    expect(negative.body.error).toMatch(/repair_cost/);
    const unknown = await post('nope@1', { ...costs, data: { csv } });
    expect(unknown.status).toBe(404);
    const noTarget = await post(modelId, { ...costs, data: { csv: 'hours,temperature\n1,2\n3,4\n' } });
    expect(noTarget.status).toBe(422);
    expect(noTarget.body.error).toMatch(/failed/);
  });
});
