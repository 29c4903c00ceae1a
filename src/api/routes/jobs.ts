import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { describeValue, NotFoundError } from '../../core/errors.js';
import { formatTimestamp } from '../../core/time.js';
import type { JobRunner } from '../../jobs/runner.js';
import { JOB_STATES, type JobRecord, type JobState } from '../../store/jobs.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
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

const JobParamsSchema = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

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

const isoOrNull = (epochMs: number | null) => (epochMs === null ? null : formatTimestamp(epochMs));

/** A job as the API shows it. */
export function jobBody(job: JobRecord) {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    progress: job.progress,
    message: job.message,
    error: job.error,
    result: job.result,
    input: job.input,
    created_at: formatTimestamp(job.createdAt),
    started_at: isoOrNull(job.startedAt),
    finished_at: isoOrNull(job.finishedAt),
  };
}

/** The context's job runner; `NotFoundError` on a server that runs no jobs. */
export function requireJobs(ctx: AppContext): JobRunner {
  if (!ctx.jobs) throw new NotFoundError('this server runs no jobs', [{ path: 'jobs', message: 'not configured' }]);
  return ctx.jobs;
}

/** `GET /v1/jobs/{id}`, `GET /v1/jobs`. */
export function jobsRoutes(ctx: AppContext): OpenAPIHono {
  const router = newRouter();

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
