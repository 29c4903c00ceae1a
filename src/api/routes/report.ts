import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { describeValue, NotFoundError } from '../../core/errors.js';
import type { CostPoint } from '../../evaluate/cost.js';
import { loadTrainingData, TrainingDataSchema } from '../../jobs/training-data.js';
import { runInWorker } from '../../jobs/worker-task.js';
import type { ModelCostReport } from '../../models/maintenance-cost.js';
import type { TrainedModelJson } from '../../models/trained-model.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { bodyLimit } from '../middleware/body-limit.js';
import { idParams } from './path-params.js';
import { ErrorResponseSchema } from './readings.js';

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

const cost = (description: string) => z.number().min(0).openapi({ description });

const CostRequestSchema = z
  .object({
    failure_cost: z.number().gt(0).openapi({ description: 'Cost of an unplanned failure', example: 10000 }),
    repair_cost: cost('Cost of a planned repair (an alarm before a failure)').openapi({ example: 2000 }),
    false_alarm_cost: cost('Cost of an alarm without a failure').openapi({ example: 500 }),
    age_column: z.string().min(1).optional().openapi({
      description: 'Age or usage column for the fixed-interval baseline (service when it reaches the interval)',
      example: 'Tool wear [min]',
    }),
    folds: z.number().int().min(2).max(50).optional().openapi({ description: "Default: the model's validation folds" }),
    data: TrainingDataSchema.openapi({ description: "Labelled history holding the model's inputs and its target" }),
  })
  .openapi('CostRequest');

const ConfusionSchema = z.object({
  truePositives: z.number().int(),
  falsePositives: z.number().int(),
  falseNegatives: z.number().int(),
  trueNegatives: z.number().int(),
});

/** `null` thresholds mean "never alarm" (JSON has no infinity). */
const threshold = z.number().nullable();

const CostResponseSchema = z
  .object({
    model_id: z.string(),
    target: z.string(),
    rows: z.number().int(),
    failures: z.number().int(),
    costs: z.object({ failureCost: z.number(), repairCost: z.number(), falseAlarmCost: z.number() }),
    threshold: threshold.openapi({ description: 'Alarm when score ≥ threshold; null: never alarming is cheapest' }),
    confusion: ConfusionSchema,
    totalCost: z.number(),
    costPerRow: z.number(),
    runToFailure: z.object({ totalCost: z.number(), costPerRow: z.number() }),
    fixedInterval: z.object({
      policy: z.enum(['age', 'blind']),
      column: z.string().optional(),
      interval: threshold.optional(),
      servicedShare: z.number(),
      totalCost: z.number(),
      confusion: ConfusionSchema,
    }),
    savings: z.object({
      vsRunToFailure: z.number(),
      vsFixedInterval: z.number(),
      vsRunToFailureShare: z.number(),
      vsFixedIntervalShare: z.number(),
    }),
    scores: z.object({ method: z.literal('out-of-fold'), folds: z.number().int(), groupColumn: z.string().optional() }),
    curve: z.array(ConfusionSchema.extend({ threshold, totalCost: z.number() })),
  })
  .openapi('CostReport', { description: 'The maintenance-cost view; docs/cost-report.md defines every number' });

const costRoute = createRoute({
  method: 'post',
  path: '/v1/models/{id}/cost',
  summary:
    "Maintenance cost: the alarm threshold of least expected cost on a labelled history, from the model's out-of-fold scores",
  request: {
    params: idParams('failure-risk@2'),
    body: { required: true, content: { 'application/json': { schema: CostRequestSchema } } },
  },
  responses: {
    200: { description: 'The cost report', content: { 'application/json': { schema: CostResponseSchema } } },
    400: { description: 'A bad cost, column or data field (named)', content: errorContent },
    404: { description: 'Unknown model version', content: errorContent },
    413: { description: 'More rows than the configured limit', content: errorContent },
    422: {
      description: 'Not a classifier, or data without the target or enough rows of each class',
      content: errorContent,
    },
  },
});

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

function pointBody(point: CostPoint) {
  return { ...point, threshold: finiteOrNull(point.threshold) };
}

/** `POST /v1/models/{id}/cost`: the numbers of `upkeep report cost` for a registered model version. */
export function reportRoutes(ctx: AppContext): OpenAPIHono {
  const router = newRouter();
  router.use('/v1/models/:id/cost', bodyLimit(ctx.limits.maxBodyBytes));

  router.openapi(costRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    if (!ctx.registry) {
      throw new NotFoundError('this server keeps no model registry', [{ path: 'registry', message: 'not configured' }]);
    }
    const version = await ctx.registry.getVersion(id);
    if (!version) {
      throw new NotFoundError(`unknown model ${describeValue(id)}`, [{ path: 'id', message: 'no such model version' }]);
    }
    const frame = await loadTrainingData(body.data, { store: ctx.store, maxRows: ctx.limits.maxReadings });
    // k model fits: in a worker thread, so that the API keeps answering meanwhile.
    const report = await runInWorker<ModelCostReport>({
      task: 'cost',
      model: version.model as unknown as TrainedModelJson,
      columns: [...frame.columns],
      rowCount: frame.rowCount,
      costs: { failureCost: body.failure_cost, repairCost: body.repair_cost, falseAlarmCost: body.false_alarm_cost },
      options: {
        ...(body.age_column === undefined ? {} : { ageColumn: body.age_column }),
        ...(body.folds === undefined ? {} : { folds: body.folds }),
      },
    });
    const { fixedInterval } = report;
    return c.json(
      {
        model_id: id,
        ...report,
        threshold: finiteOrNull(report.threshold),
        fixedInterval: {
          ...fixedInterval,
          ...(fixedInterval.interval === undefined ? {} : { interval: finiteOrNull(fixedInterval.interval) }),
        },
        curve: report.curve.map(pointBody),
      },
      200,
    );
  });

  return router;
}
