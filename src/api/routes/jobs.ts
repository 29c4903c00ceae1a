import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { describeValue, NotFoundError, ValidationError } from '../../core/errors.js';
import { type BatchFormat, batchFormat } from '../../jobs/batch-input.js';
import { type BatchJobs, MEDIA_TYPES } from '../../jobs/batch-jobs.js';
import { jobBody } from '../../jobs/job-body.js';
import type { JobRunner } from '../../jobs/runner.js';
import { submitTraining, TrainRequestSchema } from '../../jobs/train-job.js';
import { TrainingDataSchema } from '../../jobs/training-data.js';
import { checkDeclaredLength, readText, saveBody, saveMultipart } from '../../jobs/upload.js';
import { JOB_STATES, type JobState } from '../../store/jobs.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { idParams } from './path-params.js';
import { ErrorResponseSchema } from './readings.js';

export const DEFAULT_JOB_PAGE = 100;
export const MAX_JOB_PAGE = 1000;

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

const json = z.unknown().openapi({ description: 'JSON' });
const nullableTime = z.string().nullable().openapi({ description: 'ISO-8601, UTC; null until it happens' });

export const JobSchema = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ example: 'train' }),
    state: z.enum(JOB_STATES as [JobState, ...JobState[]]),
    progress: z.number().min(0).max(1),
    message: z.string().nullable().openapi({ description: 'What the job is doing now' }),
    error: z.string().nullable().openapi({ description: 'Why the job failed or was cancelled' }),
    result: json.openapi({ description: 'What a succeeded job produced, e.g. {"model_id": "failure-risk@3"}' }),
    input: json.openapi({ description: 'The parameters the job was submitted with (without bulk data)' }),
    created_at: z.string(),
    started_at: nullableTime,
    finished_at: nullableTime,
  })
  .openapi('Job');

const JobParamsSchema = idParams();

const getRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}',
  summary: 'One job: state, progress, error and result',
  request: { params: JobParamsSchema },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobSchema } } },
    404: { description: 'Unknown job', content: errorContent },
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/jobs',
  summary: 'Jobs, newest first',
  request: {
    query: z.object({
      state: z.enum(JOB_STATES as [JobState, ...JobState[]]).optional(),
      kind: z.string().optional().openapi({ example: 'train' }),
      limit: z.coerce.number().int().min(0).max(MAX_JOB_PAGE).default(DEFAULT_JOB_PAGE).openapi({ type: 'integer' }),
    }),
  },
  responses: {
    200: {
      description: 'Jobs',
      content: { 'application/json': { schema: z.object({ jobs: z.array(JobSchema) }).openapi('JobList') } },
    },
    400: { description: 'Bad query parameter', content: errorContent },
  },
});

export { jobBody };

/** The context's job runner; `NotFoundError` on a server that runs no jobs. */
export function requireJobs(ctx: AppContext): JobRunner {
  if (!ctx.jobs) throw new NotFoundError('this server runs no jobs', [{ path: 'jobs', message: 'not configured' }]);
  return ctx.jobs;
}

/** The context's batch jobs; `NotFoundError` on a server that runs none. */
function requireBatch(ctx: AppContext): BatchJobs {
  if (!ctx.batch) {
    throw new NotFoundError('this server runs no batch jobs', [{ path: 'jobs', message: 'not configured' }]);
  }
  return ctx.batch;
}

const BatchJsonRequestSchema = z
  .object({
    type: z.literal('predict').optional(),
    model: z.string().min(1).openapi({ description: 'A version id (name@version) or a name (its active version)' }),
    input: TrainingDataSchema.openapi({ description: 'Rows, CSV text or stored telemetry ({assets, from, to})' }),
    output_format: z.enum(['csv', 'ndjson']).optional().openapi({ description: 'Default csv' }),
  })
  .strict()
  .openapi('BatchJobRequest');

const TrainJobRequestSchema = TrainRequestSchema.extend({ type: z.literal('train') }).openapi('TrainJobRequest');

const JobAcceptedSchema = z.object({ job_id: z.string(), job: JobSchema }).openapi('JobAccepted', {
  description: "Poll GET /v1/jobs/{id}; a batch job's output is at GET /v1/jobs/{id}/output",
});

/** Slack for multipart boundaries and fields when refusing a declared Content-Length before reading. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/** The format a content type names, if any. */
function formatOfMediaType(type: string | undefined): BatchFormat | undefined {
  const media = (type ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (media === 'text/csv') return 'csv';
  if (['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines'].includes(media)) {
    return 'ndjson';
  }
  return undefined;
}

function formatOfFilename(name: string | undefined): BatchFormat | undefined {
  const extension = extname(name ?? '').toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  return undefined;
}

function inputFormat(given: string | undefined, guessed: BatchFormat | undefined): BatchFormat {
  if (given !== undefined) return batchFormat(given, 'input_format');
  if (guessed) return guessed;
  throw new ValidationError("say the input's format: input_format=csv or ndjson (or a .csv/.ndjson file, text/csv)", [
    { path: 'input_format', message: 'required' },
  ]);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`body: not JSON (${(error as Error).message})`, [{ path: 'body', message: 'not JSON' }]);
  }
}

function firstIssue(error: z.ZodError): ValidationError {
  const issue = error.issues[0];
  const path = (issue?.path ?? []).map(String).join('.') || 'body';
  return new ValidationError(`${path}: ${issue?.message ?? 'invalid'}`, [
    { path, message: issue?.message ?? 'invalid' },
  ]);
}

/** `POST /v1/jobs`: a multipart upload, a raw CSV/NDJSON body, or JSON (rows, CSV text, a store query, training). */
async function submitJob(ctx: AppContext, c: Context) {
  const contentType = c.req.header('content-type') ?? '';
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (media === 'application/json') {
    const body = parseJson(await readText(c.req.raw.body, ctx.limits.maxBodyBytes)) as { type?: unknown } | null;
    if (body !== null && typeof body === 'object' && body.type === 'train') {
      const parsed = TrainJobRequestSchema.safeParse(body);
      if (!parsed.success) throw firstIssue(parsed.error);
      const { type: _type, ...request } = parsed.data;
      if (!ctx.registry) {
        throw new NotFoundError('this server keeps no model registry', [
          { path: 'registry', message: 'not configured' },
        ]);
      }
      return submitTraining(
        {
          runner: requireJobs(ctx),
          registry: ctx.registry,
          store: ctx.store,
          clock: ctx.clock,
          maxRows: ctx.limits.maxReadings,
        },
        request,
      );
    }
    const batch = requireBatch(ctx);
    const parsed = BatchJsonRequestSchema.safeParse(body);
    if (!parsed.success) throw firstIssue(parsed.error);
    return batch.submitData(parsed.data.model, parsed.data.input, parsed.data.output_format ?? 'csv');
  }
  const batch = requireBatch(ctx);
  const query = c.req.query();
  const staged = await batch.stage();
  if (media === 'multipart/form-data') {
    checkDeclaredLength(c.req.header('content-length'), batch.maxUploadBytes + MULTIPART_OVERHEAD_BYTES);
    let upload: Awaited<ReturnType<typeof saveMultipart>>;
    try {
      upload = await saveMultipart(c.req.raw.body, contentType, staged.path, batch.maxUploadBytes);
    } catch (error) {
      await batch.discard(staged);
      throw error;
    }
    const fields = { ...query, ...upload.fields };
    let format: BatchFormat;
    let output: BatchFormat;
    try {
      format = inputFormat(
        fields.input_format,
        formatOfFilename(upload.filename) ?? formatOfMediaType(upload.mimeType),
      );
      output = fields.output_format === undefined ? format : batchFormat(fields.output_format, 'output_format');
    } catch (error) {
      await batch.discard(staged);
      throw error;
    }
    const described = { kind: 'upload' as const, format, ...(upload.filename ? { filename: upload.filename } : {}) };
    return batch.submitStaged(staged, fields.model, described, output);
  }
  try {
    checkDeclaredLength(c.req.header('content-length'), batch.maxUploadBytes);
    const format = inputFormat(query.input_format, formatOfMediaType(contentType));
    const output = query.output_format === undefined ? format : batchFormat(query.output_format, 'output_format');
    await saveBody(c.req.raw.body, staged.path, batch.maxUploadBytes);
    return await batch.submitStaged(staged, query.model, { kind: 'upload', format }, output);
  } catch (error) {
    await batch.discard(staged);
    throw error;
  }
}

const cancelRoute = createRoute({
  method: 'delete',
  path: '/v1/jobs/{id}',
  summary: "Cancel a job: a queued one at once, a running one stops (a batch job's partial output is removed)",
  request: { params: JobParamsSchema },
  responses: {
    200: { description: 'The job, cancelled', content: { 'application/json': { schema: JobSchema } } },
    404: { description: 'Unknown job', content: errorContent },
    409: { description: 'The job has already finished', content: errorContent },
  },
});

/** `GET /v1/jobs/{id}`, `GET /v1/jobs`, `POST /v1/jobs`, `DELETE /v1/jobs/{id}`, `GET /v1/jobs/{id}/output`. */
export function jobsRoutes(ctx: AppContext): OpenAPIHono {
  const router = newRouter();

  router.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/jobs',
    summary:
      'Submit a job: batch inference of an uploaded file (multipart part `file` with fields `model`, `input_format`, ' +
      '`output_format`; or a raw text/csv or application/x-ndjson body with those as query parameters; streamed to ' +
      'disk, 1 GiB by default), of JSON rows or stored telemetry, or training (`{"type": "train", …}`)',
    request: {
      query: z.object({
        model: z.string().optional().openapi({ description: 'Raw and multipart uploads: name@version or a name' }),
        input_format: z.enum(['csv', 'ndjson']).optional(),
        output_format: z.enum(['csv', 'ndjson']).optional(),
      }),
      body: {
        required: true,
        content: {
          'application/json': { schema: z.union([BatchJsonRequestSchema, TrainJobRequestSchema]) },
          'text/csv': { schema: z.string() },
          'application/x-ndjson': { schema: z.string() },
          'multipart/form-data': {
            schema: z.object({
              file: z.string().openapi({ format: 'binary' }),
              model: z.string(),
              input_format: z.enum(['csv', 'ndjson']).optional(),
              output_format: z.enum(['csv', 'ndjson']).optional(),
            }),
          },
        },
      },
    },
    responses: {
      202: { description: 'The job, queued', content: { 'application/json': { schema: JobAcceptedSchema } } },
      400: { description: 'A bad field (named)', content: errorContent },
      404: { description: 'Unknown model', content: errorContent },
      413: { description: 'The upload exceeds the limit', content: errorContent },
      422: { description: 'Data that cannot be used (named)', content: errorContent },
    },
  });

  router.post('/v1/jobs', async (c) => {
    const job = await submitJob(ctx, c);
    c.header('Location', `/v1/jobs/${encodeURIComponent(job.id)}`);
    return c.json({ job_id: job.id, job: jobBody(job) }, 202);
  });

  router.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/jobs/{id}/output',
    summary: "A succeeded batch job's predictions, streamed (CSV or NDJSON as the job was asked for)",
    request: { params: JobParamsSchema },
    responses: {
      200: {
        description: 'The output file',
        content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
      },
      404: { description: 'Unknown job, not a batch job, or its output was removed', content: errorContent },
      409: { description: 'The job has not succeeded (yet)', content: errorContent },
    },
  });

  router.get('/v1/jobs/:id/output', async (c) => {
    const output = await requireBatch(ctx).output(c.req.param('id'));
    const stream = Readable.toWeb(createReadStream(output.path)) as ReadableStream<Uint8Array>;
    return c.body(stream, 200, {
      'content-type': MEDIA_TYPES[output.format],
      'content-length': String(output.bytes),
      'content-disposition': `attachment; filename="${c.req.param('id')}.${output.format}"`,
    });
  });

  router.openapi(cancelRoute, async (c) => {
    const { id } = c.req.valid('param');
    const runner = requireJobs(ctx);
    await runner.cancel(id);
    const job = await runner.finished(id);
    if (!job) throw new NotFoundError(`unknown job ${describeValue(id)}`, [{ path: 'id', message: 'no such job' }]);
    return c.json(jobBody(job), 200);
  });

  router.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const job = await requireJobs(ctx).get(id);
    if (!job) throw new NotFoundError(`unknown job ${describeValue(id)}`, [{ path: 'id', message: 'no such job' }]);
    return c.json(jobBody(job), 200);
  });

  router.openapi(listRoute, async (c) => {
    const { state, kind, limit } = c.req.valid('query');
    const jobs = await requireJobs(ctx).list({ state, kind: kind || undefined, limit });
    return c.json({ jobs: jobs.map(jobBody) }, 200);
  });

  return router;
}
