import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { describeValue, NotFoundError, PayloadTooLargeError } from '../../core/errors.js';
import { frameFromRows } from '../../io/frame.js';
import { submitTraining, TrainRequestSchema } from '../../jobs/train-job.js';
import { type ModelCard, ModelCardSchema } from '../../models/card.js';
import { TrainedModel } from '../../models/trained-model.js';
import { type ModelRegistry, modelVersionJson } from '../../store/registry.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { bodyLimit } from '../middleware/body-limit.js';
import { JobSchema, jobBody, requireJobs } from './jobs.js';
import { idParams } from './path-params.js';
import { ErrorResponseSchema } from './readings.js';

/** Loaded models kept in memory (versions never change, so a cached one is never stale). */
const LOADED_MODEL_CACHE = 16;

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

const ModelVersionSchema = z
  .object({
    id: z.string().openapi({ example: 'failure-risk@2' }),
    name: z.string().openapi({ example: 'failure-risk' }),
    version: z.number().int().openapi({ example: 2 }),
    kind: z.string().openapi({ example: 'logistic' }),
    task: z.string().openapi({ example: 'classification' }),
    metrics: z.record(z.string(), z.number()).openapi({ example: { rocAuc: 0.97, averagePrecision: 0.71 } }),
    created_at: z.string().openapi({ description: 'ISO-8601, UTC' }),
    active: z.boolean().openapi({ description: 'The version that serves its name' }),
  })
  .openapi('ModelVersion');

const ModelDetailSchema = ModelVersionSchema.extend({ card: ModelCardSchema }).openapi('ModelDetail');

const ModelParamsSchema = idParams('failure-risk@2');

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const PredictRequestSchema = z
  .object({
    rows: z
      .array(z.record(z.string(), cell))
      .openapi({ description: "Rows holding the model's input columns (any order; other columns ignored)" }),
  })
  .openapi('PredictRequest');

const PredictQuerySchema = z.object({
  explain: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: "true: each row's largest feature contributions to the margin and the bias" }),
  top: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .openapi({ description: 'Contributions per row with explain=true (default 3)' }),
});

const ContributionSchema = z.object({
  feature: z.string(),
  value: z.number().openapi({ description: 'Signed contribution to the margin (log-odds for classifiers)' }),
});

const PredictionSchema = z.object({
  prediction: z.number().openapi({ description: 'The predicted value, or for classifiers the predicted label' }),
  probability: z.number().optional().openapi({ description: 'Classifiers: probability of the positive class' }),
  contributions: z
    .array(ContributionSchema)
    .optional()
    .openapi({ description: 'explain=true: the largest contributions by absolute value, largest first' }),
  bias: z
    .number()
    .optional()
    .openapi({ description: 'explain=true: the margin before any feature; bias + all contributions = margin' }),
});

const PredictResponseSchema = z
  .object({ model_id: z.string(), predictions: z.array(PredictionSchema) })
  .openapi('PredictResponse');

const TrainAcceptedSchema = z
  .object({ job_id: z.string(), job: JobSchema })
  .openapi('TrainAccepted', { description: 'Poll GET /v1/jobs/{id} until the state is succeeded or failed' });

const trainRoute = createRoute({
  method: 'post',
  path: '/v1/models',
  summary: 'Train a model as a background job; the result is a new version of the named model',
  request: { body: { required: true, content: { 'application/json': { schema: TrainRequestSchema } } } },
  responses: {
    202: { description: 'The training job, queued', content: { 'application/json': { schema: TrainAcceptedSchema } } },
    400: { description: 'Malformed request (field named)', content: errorContent },
    404: { description: 'Training is not available on this server', content: errorContent },
    413: { description: 'Body or data over the configured limit', content: errorContent },
    422: { description: 'The data cannot train the model (column named)', content: errorContent },
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  summary: 'Versions of the trained models, by name then version',
  request: { query: z.object({ name: z.string().optional().openapi({ description: 'Only this model name' }) }) },
  responses: {
    200: {
      description: 'Model versions',
      content: { 'application/json': { schema: z.object({ models: z.array(ModelVersionSchema) }) } },
    },
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/models/{id}',
  summary: 'One model version with its model card',
  request: { params: ModelParamsSchema },
  responses: {
    200: { description: 'The version and its card', content: { 'application/json': { schema: ModelDetailSchema } } },
    404: { description: 'Unknown model version', content: errorContent },
  },
});

const predictRoute = createRoute({
  method: 'post',
  path: '/v1/models/{id}/predict',
  summary: 'Predictions of one model version for rows given as JSON',
  request: {
    params: ModelParamsSchema,
    query: PredictQuerySchema,
    body: { required: true, content: { 'application/json': { schema: PredictRequestSchema } } },
  },
  responses: {
    200: { description: 'One prediction per row', content: { 'application/json': { schema: PredictResponseSchema } } },
    400: { description: 'Malformed rows (row and field named)', content: errorContent },
    404: { description: 'Unknown model version', content: errorContent },
    413: { description: 'More rows than the configured limit', content: errorContent },
    422: {
      description: 'A missing or non-numeric input column (named), or explain=true for a model without explanations',
      content: errorContent,
    },
  },
});

const promoteRoute = createRoute({
  method: 'post',
  path: '/v1/models/{id}/promote',
  summary: 'Make a version the active one of its name (the others become inactive)',
  request: { params: ModelParamsSchema },
  responses: {
    200: { description: 'The promoted version', content: { 'application/json': { schema: ModelVersionSchema } } },
    404: { description: 'Unknown model version', content: errorContent },
  },
});

function unknownModel(id: string): NotFoundError {
  return new NotFoundError(`unknown model ${describeValue(id)}`, [{ path: 'id', message: 'no such model version' }]);
}

function requireRegistry(ctx: AppContext): ModelRegistry {
  if (!ctx.registry) {
    throw new NotFoundError('this server keeps no model registry', [{ path: 'registry', message: 'not configured' }]);
  }
  return ctx.registry;
}

/**
 * `POST /v1/models` (train, as a job), `GET /v1/models`, `GET /v1/models/{id}`, `POST /v1/models/{id}/predict`,
 * `POST /v1/models/{id}/promote`. Ids are `name@version`.
 */
export function modelsRoutes(ctx: AppContext): OpenAPIHono {
  const router = newRouter();
  const loaded = new Map<string, TrainedModel>();

  /** The trained model of a version, loaded once and kept (least recently used dropped first). */
  const loadModel = async (id: string): Promise<TrainedModel> => {
    const cached = loaded.get(id);
    if (cached) {
      loaded.delete(id);
      loaded.set(id, cached);
      return cached;
    }
    const version = await requireRegistry(ctx).getVersion(id);
    if (!version) throw unknownModel(id);
    const model = TrainedModel.fromJSON(version.model);
    loaded.set(id, model);
    if (loaded.size > LOADED_MODEL_CACHE) loaded.delete(loaded.keys().next().value as string);
    return model;
  };

  router.use(trainRoute.path, bodyLimit(ctx.limits.maxBodyBytes));
  router.use('/v1/models/:id/predict', bodyLimit(ctx.limits.maxBodyBytes));

  router.openapi(trainRoute, async (c) => {
    const registry = requireRegistry(ctx);
    const runner = requireJobs(ctx);
    const job = await submitTraining(
      { runner, registry, store: ctx.store, clock: ctx.clock, maxRows: ctx.limits.maxReadings },
      c.req.valid('json'),
    );
    c.header('Location', `/v1/jobs/${encodeURIComponent(job.id)}`);
    return c.json({ job_id: job.id, job: jobBody(job) }, 202);
  });

  router.openapi(listRoute, async (c) => {
    const { name } = c.req.valid('query');
    const versions = await requireRegistry(ctx).listVersions(name ? { name } : {});
    return c.json({ models: versions.map(modelVersionJson) }, 200);
  });

  router.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const version = await requireRegistry(ctx).getVersion(id);
    if (!version) throw unknownModel(id);
    return c.json({ ...modelVersionJson(version), card: version.card as unknown as ModelCard }, 200);
  });

  router.openapi(predictRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { rows } = c.req.valid('json');
    const query = c.req.valid('query');
    const model = await loadModel(id);
    if (rows.length > ctx.limits.maxReadings) {
      throw new PayloadTooLargeError(`${rows.length} rows is more than the limit ${ctx.limits.maxReadings}`, [
        { path: 'rows', message: `more than ${ctx.limits.maxReadings} rows` },
      ]);
    }
    const frame = frameFromRows(rows);
    const { prediction, probability } = model.predictFrame(frame);
    ctx.metrics?.observePredictions(id, model.card, frame, probability ?? prediction);
    const explained = query.explain === 'true' ? model.explain(frame, query.top ?? 3) : undefined;
    const predictions = Array.from(prediction, (value, row) => {
      const reasons = explained?.[row];
      return {
        prediction: value,
        ...(probability ? { probability: probability[row] as number } : {}),
        ...(reasons ? { contributions: reasons.contributions, bias: reasons.bias } : {}),
      };
    });
    return c.json({ model_id: id, predictions }, 200);
  });

  router.openapi(promoteRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(modelVersionJson(await requireRegistry(ctx).promote(id)), 200);
  });

  return router;
}
