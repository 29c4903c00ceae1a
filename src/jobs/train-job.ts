/**
 * Training as a job: a request names the task (`failure-risk`), gives the data and the training spec; the data is
 * read and checked at once (so that bad input is refused with the request), then the job trains with `trainModel`
 * in a worker thread (the API's event loop stays free) and saves the result as a new version in the model registry. The job's result is
 * `{model_id, name, version}`.
 */
import { z } from '@hono/zod-openapi';
import type { Clock } from '../core/clock.js';
import { ValidationError } from '../core/errors.js';
import type { ModelCard } from '../models/card.js';
import { modelKind } from '../models/kinds.js';
import { TrainSpecSchema } from '../models/train.js';
import { TrainedModel, type TrainedModelJson } from '../models/trained-model.js';
import type { JobRecord } from '../store/jobs.js';
import {
  checkModelName,
  type ModelRegistry,
  type NewModelVersion,
  type StoredJson,
  type StoredJsonObject,
} from '../store/registry.js';
import type { Store } from '../store/store.js';
import type { JobRunner } from './runner.js';
import { describeTrainingData, loadTrainingData, TrainingDataSchema } from './training-data.js';
import { runInWorker } from './worker-task.js';

export const TRAIN_JOB_KIND = 'train';

export const TrainRequestSchema = TrainSpecSchema.extend({
  name: z.string().openapi({
    description: "The task the model serves; versions are numbered per name (letters, digits, '.', '_', '-')",
    example: 'failure-risk',
  }),
  data: TrainingDataSchema,
  activate: z.boolean().optional().openapi({
    description: 'Make the new version active at once (default: only when the name has no active version)',
  }),
}).openapi('TrainRequest');

export type TrainRequest = z.input<typeof TrainRequestSchema>;

export interface TrainingJobContext {
  runner: JobRunner;
  registry: ModelRegistry;
  store: Store;
  clock: Clock;
  /** Most training rows (or stored values) accepted. */
  maxRows: number;
}

/** Share of a training job's progress spent fitting; the rest is saving the version. */
const FIT_SHARE = 0.95;

/** The card's validation metrics that are plain numbers (the registry lists and compares them). */
export function cardMetrics(card: ModelCard): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(card.validation.metrics ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = value;
  }
  return metrics;
}

/** What the registry stores for a trained model. */
export function registryVersion(
  name: string,
  trained: TrainedModel,
  createdAt: number,
  activate?: boolean,
): NewModelVersion {
  return {
    name,
    kind: trained.card.kind,
    task: trained.card.task,
    metrics: cardMetrics(trained.card),
    card: trained.card as unknown as StoredJsonObject,
    // The saved form is plain JSON by construction (typed arrays encoded as base64).
    model: trained.toJSON() as unknown as StoredJsonObject,
    createdAt,
    ...(activate === undefined ? {} : { activate }),
  };
}

/**
 * Checks the request and reads its data, then queues the training job. Resolves to the queued job record; rejects
 * with a typed error naming the field when the name, the data, the target or the model kind is wrong.
 */
export async function submitTraining(context: TrainingJobContext, request: TrainRequest): Promise<JobRecord> {
  const parsed = TrainRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map(String).join('.') || 'body';
    throw new ValidationError(`${path}: ${issue?.message ?? 'invalid'}`, [
      { path, message: issue?.message ?? 'invalid' },
    ]);
  }
  const { name, data, activate, ...spec } = parsed.data;
  checkModelName(name);
  const frame = await loadTrainingData(data, { store: context.store, maxRows: context.maxRows });
  if ('assets' in data && spec.target !== 'ts' && !spec.drop.includes('ts')) spec.drop = [...spec.drop, 'ts'];
  frame.column(spec.target);
  for (const column of spec.drop) frame.column(column);
  if (spec.model !== 'auto') modelKind(spec.model);
  const input = JSON.parse(JSON.stringify({ name, ...spec, data: describeTrainingData(data) })) as StoredJsonObject;
  if (activate !== undefined) input.activate = activate;

  return context.runner.submit(TRAIN_JOB_KIND, input, async (job): Promise<StoredJson> => {
    // Fitting runs in a worker thread so that the API keeps answering during a long training.
    const fitted = await runInWorker<TrainedModelJson>(
      { task: 'train', columns: [...frame.columns], rowCount: frame.rowCount, spec, now: context.clock.now() },
      { signal: job.signal, onProgress: (fraction, message) => job.progress(FIT_SHARE * fraction, message) },
    );
    const trained = TrainedModel.fromJSON(fitted);
    job.progress(FIT_SHARE, 'saving the model');
    const saved = await context.registry.saveVersion(registryVersion(name, trained, context.clock.now(), activate));
    return { model_id: saved.id, name: saved.name, version: saved.version };
  });
}
