/**
 * Runs a job's CPU-bound part (scoring a file, training a model) in a worker thread, so the API's event loop keeps
 * answering — `/health` included — while it runs. Cancelling terminates the thread at once, even in the middle of a
 * fit; the caller cleans up what the work left on disk.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { deserialiseError, type WorkerMessage, type WorkerRequest } from './worker-protocol.js';

export interface WorkerTaskOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, message?: string) => void;
}

/**
 * A small young generation: a job's garbage is collected early instead of piling up, which keeps the resident set of a
 * long batch job near its working set (a chunk of rows) rather than growing with the input.
 */
const HEAP_LIMITS = { maxYoungGenerationSizeMb: 8 };

/**
 * The worker: the compiled `job-worker.js` beside this file, or — when running from the TypeScript sources (tests,
 * `tsx`) — a module that registers tsx in the new thread and then imports `job-worker.ts`.
 */
function startWorker(request: WorkerRequest): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./job-worker.js', import.meta.url), {
      workerData: request,
      resourceLimits: HEAP_LIMITS,
    });
  const tsxLoader = createRequire(import.meta.url).resolve('tsx');
  const tsxApi = pathToFileURL(join(dirname(tsxLoader), 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./job-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: request, resourceLimits: HEAP_LIMITS });
}

/** Runs `request` in a new worker thread; resolves with its result, rejects with its (typed) error or the abort reason. */
export function runInWorker<Result>(request: WorkerRequest, options: WorkerTaskOptions = {}): Promise<Result> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Result>((resolve, reject) => {
    const worker = startWorker(request);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const onAbort = () => {
      settle(() => reject(signal?.reason));
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.fraction, message.message);
      else if (message.type === 'done') settle(() => resolve(message.result as Result));
      else settle(() => reject(deserialiseError(message.error)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the job worker stopped (exit code ${code})`))));
  });
}
