import { createWriteStream } from 'node:fs';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { BATCH_FORMATS, type BatchFormat } from '../../jobs/batch-input.js';
import { jobBody } from '../../jobs/job-body.js';
import { FolderWatcher } from '../../jobs/watch-folder.js';
import { loadTrainedModel } from '../../models/artifact.js';
import { JOB_STATES, type JobRecord, type JobState } from '../../store/jobs.js';
import { openRegistry } from '../../store/open-registry.js';
import { action, integerOption, openCliStore, printJson, printLine } from '../run.js';
import { callJson, callServer, DEFAULT_URL, type ServerAddress, serverAddress, uploadFile } from './jobs-client.js';
import { choiceOption } from './model-data.js';

interface ServerOptions {
  url?: string;
  key?: string;
  json?: boolean;
}

interface ListOptions extends ServerOptions {
  db?: string;
  state?: JobState;
  kind?: string;
  limit: number;
}

interface SubmitOptions extends ServerOptions {
  model: string;
  input: string;
  inputFormat?: BatchFormat;
  outputFormat?: BatchFormat;
  wait?: boolean;
  out?: string;
}

interface WatchOptions {
  in: string;
  out: string;
  model: string;
  pollMs: number;
  settleMs: number;
  chunkRows?: number;
}

/** A job as the API answers it. */
type JobJson = ReturnType<typeof jobBody>;

const MEDIA: Record<BatchFormat, string> = { csv: 'text/csv', ndjson: 'application/x-ndjson' };

function formatOfPath(path: string): BatchFormat | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  return undefined;
}

/** One line per job: id, kind, state, progress, and the message or error. */
export function formatJob(job: JobJson): string {
  const percent = `${Math.round(job.progress * 100)} %`.padStart(5);
  const note = job.error ?? job.message ?? (job.result === null ? '' : JSON.stringify(job.result));
  return `${job.id}  ${job.kind.padEnd(7)} ${job.state.padEnd(9)} ${percent}  ${job.created_at}  ${note}`;
}

async function listJobs(options: ListOptions): Promise<JobJson[]> {
  if (options.db !== undefined) {
    const store = await openCliStore(options.db);
    try {
      const { jobs } = await openRegistry(store);
      const records: JobRecord[] = await jobs.listJobs({
        ...(options.state ? { state: options.state } : {}),
        ...(options.kind ? { kind: options.kind } : {}),
        limit: options.limit,
      });
      return records.map(jobBody);
    } finally {
      await store.close();
    }
  }
  const query = new URLSearchParams({ limit: String(options.limit) });
  if (options.state) query.set('state', options.state);
  if (options.kind) query.set('kind', options.kind);
  return (await callJson<{ jobs: JobJson[] }>(serverAddress(options), 'GET', `/v1/jobs?${query}`)).jobs;
}

async function showJob(id: string, options: ServerOptions & { db?: string }): Promise<JobJson> {
  if (options.db !== undefined) {
    const store = await openCliStore(options.db);
    try {
      const job = await (await openRegistry(store)).jobs.getJob(id);
      if (!job) throw new ValidationError(`unknown job '${id}'`, [{ path: 'id', message: 'no such job' }]);
      return jobBody(job);
    } finally {
      await store.close();
    }
  }
  return callJson<JobJson>(serverAddress(options), 'GET', `/v1/jobs/${encodeURIComponent(id)}`);
}

/** Writes a succeeded job's output to `out` (a file) or stdout. */
async function downloadOutput(server: ServerAddress, id: string, out: string | undefined): Promise<void> {
  const response = await callServer(server, 'GET', `/v1/jobs/${encodeURIComponent(id)}/output`);
  const body = Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]);
  if (out === undefined) await pipeline(body, process.stdout, { end: false });
  else await pipeline(body, createWriteStream(out));
}

async function waitForJob(server: ServerAddress, id: string): Promise<JobJson> {
  for (;;) {
    const job = await callJson<JobJson>(server, 'GET', `/v1/jobs/${encodeURIComponent(id)}`);
    if (['succeeded', 'failed', 'cancelled'].includes(job.state)) return job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function submit(options: SubmitOptions): Promise<JobJson> {
  const server = serverAddress(options);
  const format = options.inputFormat ?? formatOfPath(options.input);
  if (!format) {
    throw new ValidationError(`say the input's format with --input-format (${BATCH_FORMATS.join(', ')})`, [
      { path: 'input-format', message: 'required' },
    ]);
  }
  const query = new URLSearchParams({ model: options.model, input_format: format });
  if (options.outputFormat) query.set('output_format', options.outputFormat);
  const { job } = (await uploadFile(server, options.input, query, MEDIA[format])) as { job: JobJson };
  if (!options.wait) return job;
  const done = await waitForJob(server, job.id);
  if (done.state === 'succeeded' && options.out !== undefined) await downloadOutput(server, job.id, options.out);
  return done;
}

function print(job: JobJson, json: boolean | undefined): void {
  if (json) printJson(job);
  else printLine(formatJob(job));
}

function serverOptions(command: Command): Command {
  return command
    .option('--url <url>', `server URL (default UPKEEP_URL or ${DEFAULT_URL})`)
    .option('--key <key>', 'API key (default UPKEEP_API_KEY)');
}

/** `upkeep jobs list|show|submit|output|cancel|watch`. */
export function registerJobs(program: Command): Command {
  const jobs = program.command('jobs').description('batch inference and training jobs of a server; a watched folder');

  serverOptions(jobs.command('list'))
    .description('jobs, newest first')
    .option('--db <path>', 'read the jobs from this database instead of a server')
    .option(
      '--state <state>',
      `only jobs in this state (${JOB_STATES.join(', ')})`,
      choiceOption('--state', JOB_STATES),
    )
    .option('--kind <kind>', 'only jobs of this kind (predict, train)')
    .option('--limit <n>', 'most jobs listed', integerOption('--limit', 0, 1000), 100)
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: ListOptions) => {
        const list = await listJobs(options);
        if (options.json) printJson({ jobs: list });
        else for (const job of list) printLine(formatJob(job));
      }),
    );

  serverOptions(jobs.command('show <id>'))
    .description('one job: state, progress, row counts, error')
    .option('--db <path>', 'read the job from this database instead of a server')
    .option('--json', 'print one JSON object')
    .action(
      action(async (id: string, options: ServerOptions & { db?: string }) =>
        print(await showJob(id, options), options.json),
      ),
    );

  serverOptions(jobs.command('submit'))
    .description('score a CSV/NDJSON file with a model version as a batch job (the file is streamed to the server)')
    .requiredOption('--model <id>', 'model version (name@version) or name (its active version)')
    .requiredOption('--input <file>', 'CSV or NDJSON file to score')
    .option(
      '--input-format <format>',
      'csv or ndjson (default: from the file extension)',
      choiceOption('--input-format', BATCH_FORMATS),
    )
    .option(
      '--output-format <format>',
      'csv or ndjson (default: the input format)',
      choiceOption('--output-format', BATCH_FORMATS),
    )
    .option('--wait', 'wait until the job has finished')
    .option('--out <file>', 'with --wait: write the predictions here')
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: SubmitOptions) => {
        const job = await submit(options);
        print(job, options.json);
        if (job.state === 'failed' || job.state === 'cancelled') process.exitCode = 1;
      }),
    );

  serverOptions(jobs.command('output <id>'))
    .description("a succeeded batch job's predictions")
    .option('--out <file>', 'write them here (default: stdout)')
    .action(
      action(async (id: string, options: ServerOptions & { out?: string }) =>
        downloadOutput(serverAddress(options), id, options.out),
      ),
    );

  serverOptions(jobs.command('cancel <id>'))
    .description('cancel a queued or running job')
    .option('--json', 'print one JSON object')
    .action(
      action(async (id: string, options: ServerOptions) =>
        print(
          await callJson<JobJson>(serverAddress(options), 'DELETE', `/v1/jobs/${encodeURIComponent(id)}`),
          options.json,
        ),
      ),
    );

  jobs
    .command('watch')
    .description('score every CSV/NDJSON file dropped into --in into --out, once, with a done or failed marker')
    .requiredOption('--in <dir>', 'input folder (write files under a .tmp name and rename them in)')
    .requiredOption('--out <dir>', 'output folder: <name> with the predictions and <name>.done or <name>.failed')
    .requiredOption('--model <dir>', 'model directory written by upkeep train')
    .option('--poll-ms <ms>', 'between scans of the input folder', integerOption('--poll-ms', 10), 500)
    .option(
      '--settle-ms <ms>',
      'a file must stay unchanged this long before it is taken',
      integerOption('--settle-ms', 0),
      1000,
    )
    .option('--chunk-rows <rows>', 'rows scored at a time', integerOption('--chunk-rows', 1))
    .action(
      action(async (options: WatchOptions) => {
        const model = await loadTrainedModel(options.model);
        const watcher = await FolderWatcher.start({
          inputDirectory: options.in,
          outputDirectory: options.out,
          model,
          pollMs: options.pollMs,
          settleMs: options.settleMs,
          ...(options.chunkRows === undefined ? {} : { chunkRows: options.chunkRows }),
          log: printLine,
        });
        printLine(`watching ${options.in} → ${options.out} (Ctrl-C stops)`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void watcher.stop().then(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      }),
    );
  return jobs;
}
