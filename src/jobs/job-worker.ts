/**
 * The body of a job worker thread: scores a file, trains a model or computes a cost report (CPU-bound work that
 * would otherwise hold the API's event loop), reports progress and posts the outcome. Started by `runInWorker`; never imported elsewhere.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ManualClock } from '../core/clock.js';
import { Frame } from '../io/frame.js';
import { modelCostReport } from '../models/maintenance-cost.js';
import { trainModel } from '../models/train.js';
import { TrainedModel } from '../models/trained-model.js';
import { scoreFile } from './batch-score.js';
import { serialiseError, type WorkerMessage, type WorkerRequest } from './worker-protocol.js';

function post(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

async function run(request: WorkerRequest): Promise<unknown> {
  if (request.task === 'score') {
    const model = TrainedModel.fromJSON(request.model);
    return scoreFile(model, {
      inputPath: request.inputPath,
      inputFormat: request.inputFormat,
      outputPath: request.outputPath,
      outputFormat: request.outputFormat,
      ...(request.chunkRows === undefined ? {} : { chunkRows: request.chunkRows }),
      onProgress: (progress) =>
        post({
          type: 'progress',
          fraction: progress.fraction,
          message: `${progress.rowsWritten} rows scored`,
        }),
    });
  }
  const frame = new Frame(request.columns, request.rowCount);
  if (request.task === 'cost') {
    return modelCostReport(TrainedModel.fromJSON(request.model), frame, request.costs, request.options);
  }
  const trained = trainModel(frame, request.spec, {
    clock: new ManualClock(request.now),
    onProgress: (progress) =>
      post({ type: 'progress', fraction: progress.completed / Math.max(1, progress.total), message: progress.message }),
  });
  return trained.toJSON();
}

run(workerData as WorkerRequest).then(
  (result) => post({ type: 'done', result }),
  (error: unknown) => post({ type: 'error', error: serialiseError(error) }),
);
