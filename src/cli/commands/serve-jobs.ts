/**
 * What `upkeep serve` adds for jobs: batch inference with its work directory and upload cap, and an optional watched
 * input folder scored into an output folder.
 */
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { BatchJobs } from '../../jobs/batch-jobs.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../../jobs/upload.js';
import { FolderWatcher } from '../../jobs/watch-folder.js';
import { loadTrainedModel } from '../../models/artifact.js';
import type { JobStore } from '../../store/jobs.js';
import type { ModelRegistry } from '../../store/registry.js';
import type { Store } from '../../store/store.js';
import { integerOption } from '../run.js';

export interface ServeJobsOptions {
  db: string;
  /** `--jobs-dir`: job work directories (inputs, outputs). */
  jobsDir?: string;
  /** `--max-upload BYTES`. */
  maxUpload?: number;
  /** `--job-chunk-rows N`. */
  jobChunkRows?: number;
  /** `--job-concurrency N`: jobs running at the same time (default 1). */
  jobConcurrency?: number;
  /** `--watch-in DIR --watch-out DIR --watch-model DIR`. */
  watchIn?: string;
  watchOut?: string;
  watchModel?: string;
}

/** Beside a DuckDB file (`data/upkeep.duckdb` → `data/jobs`); `./data/jobs` for PostgreSQL; a temporary one for :memory:. */
export function defaultJobsDirectory(db: string): string {
  if (db === ':memory:') return join(tmpdir(), `upkeep-jobs-${process.pid}`);
  if (/^postgres(ql)?:\/\//.test(db)) return join('data', 'jobs');
  return join(dirname(db), 'jobs');
}

/** The job options of `upkeep serve`. */
export function addServeJobOptions(command: Command): Command {
  return command
    .option('--jobs-dir <dir>', 'where batch jobs keep their input and output files (default: beside the database)')
    .option(
      '--max-upload <bytes>',
      `largest batch-job upload (default ${DEFAULT_MAX_UPLOAD_BYTES}, 1 GiB)`,
      integerOption('--max-upload', 1),
    )
    .option(
      '--job-chunk-rows <rows>',
      'rows a batch job scores at a time (default 10000)',
      integerOption('--job-chunk-rows', 1),
    )
    .option(
      '--job-concurrency <jobs>',
      'jobs run at the same time, each in its own worker thread (default 1: a job keeps a core busy)',
      integerOption('--job-concurrency', 1, 64),
    )
    .option('--watch-in <dir>', 'score every CSV/NDJSON file dropped here (with --watch-out and --watch-model)')
    .option('--watch-out <dir>', 'where the watched folder’s predictions and done/failed markers go')
    .option('--watch-model <dir>', 'model directory (upkeep train --out) the watched folder is scored with');
}

export interface ServeJobs {
  batch: BatchJobs;
  watcher?: FolderWatcher;
  /** Stops the watcher and the runner (running jobs are cancelled; batch jobs resume at the next start). */
  close(): Promise<void>;
}

/** Opens batch jobs (resuming interrupted ones) and starts the watched folder when asked. */
export async function openServeJobs(
  options: ServeJobsOptions,
  store: Store,
  registry: ModelRegistry,
  jobStore: JobStore,
): Promise<ServeJobs> {
  const watching = [options.watchIn, options.watchOut, options.watchModel].filter((value) => value !== undefined);
  if (watching.length > 0 && watching.length < 3) {
    throw new ValidationError('--watch-in, --watch-out and --watch-model go together: give all three', [
      { path: 'watch', message: 'incomplete' },
    ]);
  }
  const model = options.watchModel === undefined ? undefined : await loadTrainedModel(options.watchModel);
  const batch = await BatchJobs.open({
    store,
    registry,
    jobStore,
    directory: options.jobsDir ?? defaultJobsDirectory(options.db),
    ...(options.maxUpload === undefined ? {} : { maxUploadBytes: options.maxUpload }),
    ...(options.jobChunkRows === undefined ? {} : { chunkRows: options.jobChunkRows }),
    ...(options.jobConcurrency === undefined ? {} : { runner: { concurrency: options.jobConcurrency } }),
  });
  let watcher: FolderWatcher | undefined;
  if (model && options.watchIn !== undefined && options.watchOut !== undefined) {
    watcher = await FolderWatcher.start({
      inputDirectory: options.watchIn,
      outputDirectory: options.watchOut,
      model,
      ...(options.jobChunkRows === undefined ? {} : { chunkRows: options.jobChunkRows }),
      log: (line) => process.stderr.write(`upkeep: ${line}\n`),
    });
  }
  return {
    batch,
    ...(watcher ? { watcher } : {}),
    close: async () => {
      await watcher?.stop();
      await batch.runner.close({ keepUnfinished: true });
    },
  };
}
