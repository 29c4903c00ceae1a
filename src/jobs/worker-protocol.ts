/**
 * What the API thread and a job worker thread say to each other: the work (`WorkerRequest`, passed as workerData),
 * progress and the outcome (`WorkerMessage`). Errors cross the thread boundary as name, message and details and are
 * rebuilt as the same typed error, so the API maps them to the same HTTP status.
 */
import {
  ConflictError,
  type ErrorDetail,
  NotFoundError,
  PayloadTooLargeError,
  UnprocessableError,
  UpkeepError,
  ValidationError,
} from '../core/errors.js';
import type { MaintenanceCosts } from '../evaluate/cost.js';
import type { Column } from '../io/frame.js';
import type { ModelCostOptions } from '../models/maintenance-cost.js';
import type { TrainSpec } from '../models/train.js';
import type { TrainedModelJson } from '../models/trained-model.js';
import type { BatchFormat } from './batch-input.js';

export interface ScoreRequest {
  task: 'score';
  model: TrainedModelJson;
  inputPath: string;
  inputFormat: BatchFormat;
  outputPath: string;
  outputFormat: BatchFormat;
  chunkRows?: number;
}

export interface TrainWorkerRequest {
  task: 'train';
  columns: Column[];
  rowCount: number;
  spec: TrainSpec;
  /** Epoch ms stamped on the model card. */
  now: number;
}

/** The maintenance-cost view of a model on labelled rows (k out-of-fold fits). */
export interface CostWorkerRequest {
  task: 'cost';
  model: TrainedModelJson;
  columns: Column[];
  rowCount: number;
  costs: MaintenanceCosts;
  options: Pick<ModelCostOptions, 'ageColumn' | 'folds' | 'curvePoints'>;
}

export type WorkerRequest = ScoreRequest | TrainWorkerRequest | CostWorkerRequest;

export interface SerialisedError {
  name: string;
  message: string;
  details: ErrorDetail[];
}

export type WorkerMessage =
  | { type: 'progress'; fraction: number; message?: string }
  | { type: 'done'; result: unknown }
  | { type: 'error'; error: SerialisedError };

export function serialiseError(error: unknown): SerialisedError {
  if (error instanceof UpkeepError) return { name: error.name, message: error.message, details: error.details };
  if (error instanceof Error) return { name: 'Error', message: error.message, details: [] };
  return { name: 'Error', message: String(error), details: [] };
}

const TYPED: Record<string, new (message: string, details?: ErrorDetail[]) => UpkeepError> = {
  ValidationError,
  UnprocessableError,
  PayloadTooLargeError,
  NotFoundError,
  ConflictError,
};

export function deserialiseError(error: SerialisedError): Error {
  const Typed = TYPED[error.name];
  return Typed ? new Typed(error.message, error.details) : new Error(error.message);
}
