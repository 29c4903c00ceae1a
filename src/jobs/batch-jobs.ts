/**
 * Asynchronous batch inference, like a cloud asynchronous inference endpoint: a request names a model version and
 * gives an input — an uploaded CSV/NDJSON file streamed to disk, or stored telemetry of some assets in a time range —
 * and gets a job id at once; the job scores the input a chunk of rows at a time in a worker thread and leaves an
 * output file of predictions. Every job has a work directory `<directory>/<job id>/` holding `input` and,
 * once done, `output.<format>` (`output.<format>.partial` while it is written). A job interrupted by a restart is
 * taken back and scored again from its input file; a cancelled or failed job's directory is removed.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { ConflictError, describeValue, NotFoundError, ValidationError } from '../core/errors.js';
import { writeCsvFile } from '../io/csv-frame.js';
import type { TrainedModelJson } from '../models/trained-model.js';
import type { JobRecord, JobStore } from '../store/jobs.js';
import type { ModelRegistry, StoredJson, StoredJsonObject } from '../store/registry.js';
import type { Store } from '../store/store.js';
import { type BatchFormat, batchFormat } from './batch-input.js';
import type { ScoreFileResult } from './batch-score.js';
import { JobRunner, type JobRunnerOptions, type JobTask, SHUTDOWN_REASON } from './runner.js';
import { loadTrainingData, type TrainingData } from './training-data.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from './upload.js';
import { runInWorker } from './worker-task.js';

export const BATCH_JOB_KIND = 'predict';

export interface BatchJobsOptions {
  store: Store;
  registry: ModelRegistry;
  jobStore: JobStore;
  /** Where job work directories live (created when missing). */
  directory: string;
  clock?: Clock;
  /** Largest upload in bytes (default 1 GiB). */
  maxUploadBytes?: number;
  /** Most rows a store-query or JSON input may hold (they are read into memory before being written to disk). */
  maxQueryRows?: number;
  /** Rows scored per chunk. */
  chunkRows?: number;
  runner?: Omit<JobRunnerOptions, 'resume' | 'clock'>;
}

/** What a batch job records as its input (the parameters, never the data). */
export interface BatchJobInput {
  model_id: string;
  input: { kind: 'upload' | 'rows' | 'csv' | 'assets'; format: BatchFormat; bytes: number; [key: string]: StoredJson };
  output_format: BatchFormat;
}

/** A saved input file waiting for its job. */
export interface StagedInput {
  id: string;
  path: string;
}

export const MEDIA_TYPES: Record<BatchFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

const DEFAULT_QUERY_ROWS = 1_000_000;

/** The input file in a job's work directory (its format is recorded in the job). */
const INPUT_FILE = 'input';

/** Which version a model reference means: `name@version` as given, a bare name its active version. */
async function resolveModel(
  registry: ModelRegistry,
  reference: unknown,
): Promise<{ id: string; model: TrainedModelJson }> {
  if (typeof reference !== 'string' || reference.length === 0) {
    throw new ValidationError(
      `'model' must name a model version (name@version) or a name, got ${describeValue(reference)}`,
      [{ path: 'model', message: 'required' }],
    );
  }
  const version = reference.includes('@') ? await registry.getVersion(reference) : await registry.getActive(reference);
  if (!version) {
    throw new NotFoundError(`unknown model ${describeValue(reference)}`, [
      { path: 'model', message: 'no such model version' },
    ]);
  }
  return { id: version.id, model: version.model as unknown as TrainedModelJson };
}

export class BatchJobs {
  readonly maxUploadBytes: number;
  private jobRunner: JobRunner | undefined;

  private constructor(private readonly options: BatchJobsOptions) {
    this.maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  }

  /** The runner of every job of this server (training too). */
  get runner(): JobRunner {
    return this.jobRunner as JobRunner;
  }

  /**
   * Creates the work directory and the job runner; batch jobs a previous process left unfinished whose input file is
   * still there are queued again, every other unfinished job is marked failed (see `JobRunner.open`).
   */
  static async open(options: BatchJobsOptions): Promise<BatchJobs> {
    await mkdir(options.directory, { recursive: true });
    const jobs = new BatchJobs(options);
    jobs.jobRunner = await JobRunner.open(options.jobStore, {
      ...options.runner,
      ...(options.clock ? { clock: options.clock } : {}),
      resume: (record) => jobs.resumeTask(record),
    });
    return jobs;
  }

  /** A new job's work directory, created, and the path its input goes to; its name is the id the job will get. */
  async stage(): Promise<StagedInput> {
    const id = randomUUID();
    const directory = this.workDirectory(id);
    await mkdir(directory, { recursive: true });
    return { id, path: join(directory, INPUT_FILE) };
  }

  /** Removes a staged input that will not become a job (a refused upload). */
  async discard(staged: StagedInput): Promise<void> {
    await rm(this.workDirectory(staged.id), { recursive: true, force: true });
  }

  /**
   * Queues the scoring of a staged input with model `model` (a version id or a name). The input is checked to
   * exist; the model is resolved now, so a later promotion does not change what the job uses.
   */
  async submitStaged(
    staged: StagedInput,
    model: unknown,
    input: { kind: BatchJobInput['input']['kind']; format: BatchFormat; [key: string]: StoredJson },
    outputFormat: BatchFormat,
  ): Promise<JobRecord> {
    try {
      const resolved = await resolveModel(this.options.registry, model);
      const bytes = (await stat(staged.path)).size;
      const recorded: BatchJobInput = {
        model_id: resolved.id,
        input: { ...input, bytes },
        output_format: outputFormat,
      };
      return await this.runner.submit(
        BATCH_JOB_KIND,
        recorded as unknown as StoredJsonObject,
        this.scoreTask(staged.id, recorded, resolved.model),
        { id: staged.id },
      );
    } catch (error) {
      await this.discard(staged);
      throw error;
    }
  }

  /**
   * Queues the scoring of JSON rows, CSV text or stored telemetry (`{assets, from, to}`): the data is read now (so a
   * bad request is refused with the request) and written to the job's input file.
   */
  async submitData(model: unknown, data: TrainingData, outputFormat: BatchFormat): Promise<JobRecord> {
    const frame = await loadTrainingData(data, {
      store: this.options.store,
      maxRows: this.options.maxQueryRows ?? DEFAULT_QUERY_ROWS,
    });
    const staged = await this.stage();
    await writeCsvFile(staged.path, frame);
    const kind = 'rows' in data ? 'rows' : 'csv' in data ? 'csv' : 'assets';
    const described: { kind: typeof kind; format: BatchFormat; [key: string]: StoredJson } = {
      kind,
      format: 'csv',
      rows: frame.rowCount,
    };
    if ('assets' in data) {
      described.assets = data.assets;
      if (data.from !== undefined) described.from = data.from;
      if (data.to !== undefined) described.to = data.to;
    }
    return this.submitStaged(staged, model, described, outputFormat);
  }

  /** The output file of a succeeded batch job: path and format. `NotFoundError`/`ConflictError` otherwise. */
  async output(id: string): Promise<{ path: string; format: BatchFormat; bytes: number }> {
    const job = await this.runner.get(id);
    if (!job) throw new NotFoundError(`unknown job ${describeValue(id)}`, [{ path: 'id', message: 'no such job' }]);
    if (job.kind !== BATCH_JOB_KIND) {
      throw new NotFoundError(`job ${describeValue(id)} is a ${job.kind} job: it has no output file`, [
        { path: 'id', message: 'not a batch inference job' },
      ]);
    }
    if (job.state !== 'succeeded') {
      throw new ConflictError(`job ${describeValue(id)} is ${job.state}: its output is ready once it has succeeded`, [
        { path: 'state', message: job.state },
      ]);
    }
    const format = batchFormat((job.input as unknown as BatchJobInput).output_format, 'output_format');
    const path = join(this.workDirectory(id), `output.${format}`);
    try {
      return { path, format, bytes: (await stat(path)).size };
    } catch {
      throw new NotFoundError(`the output of job ${describeValue(id)} is no longer on this server`, [
        { path: 'id', message: 'output removed' },
      ]);
    }
  }

  private workDirectory(id: string): string {
    if (!/^[A-Za-z0-9-]{1,100}$/.test(id)) throw new ValidationError(`job id ${describeValue(id)} is not a job id`);
    return join(this.options.directory, id);
  }

  /** Scoring in a worker thread; the input is removed once the output is complete, everything on failure. */
  private scoreTask(id: string, input: BatchJobInput, model: TrainedModelJson): JobTask {
    const directory = this.workDirectory(id);
    const inputPath = join(directory, INPUT_FILE);
    return async (job): Promise<StoredJson> => {
      let result: ScoreFileResult;
      try {
        result = await runInWorker<ScoreFileResult>(
          {
            task: 'score',
            model,
            inputPath,
            inputFormat: input.input.format,
            outputPath: join(directory, `output.${input.output_format}`),
            outputFormat: input.output_format,
            ...(this.options.chunkRows === undefined ? {} : { chunkRows: this.options.chunkRows }),
          },
          { signal: job.signal, onProgress: (fraction, message) => job.progress(fraction, message) },
        );
      } catch (error) {
        // A shutdown keeps the input for the next start; a failure or a cancel leaves nothing behind.
        if (job.signal.reason !== SHUTDOWN_REASON) await rm(directory, { recursive: true, force: true });
        throw error;
      }
      await rm(inputPath, { force: true });
      return {
        rows_read: result.rowsRead,
        rows_written: result.rowsWritten,
        output_bytes: result.outputBytes,
        output_format: input.output_format,
        output: `/v1/jobs/${id}/output`,
      };
    };
  }

  /** After a restart: a batch job whose model and input file are still there runs again; others fail. */
  private async resumeTask(record: JobRecord): Promise<JobTask | undefined> {
    if (record.kind !== BATCH_JOB_KIND) return undefined;
    const input = record.input as unknown as BatchJobInput;
    try {
      batchFormat(input.input?.format, 'input.format');
      batchFormat(input.output_format, 'output_format');
      await stat(join(this.workDirectory(record.id), INPUT_FILE));
      const resolved = await resolveModel(this.options.registry, input.model_id);
      return this.scoreTask(record.id, input, resolved.model);
    } catch {
      return undefined;
    }
  }
}
