/**
 * Batch inference over a file: the input is read a chunk of rows at a time, each chunk predicted by the trained
 * model and appended to the output (CSV or NDJSON: the model's id columns present in the input, `prediction` and,
 * for classifiers, `probability`). The output is written to `<output>.partial` and renamed to `<output>` only when
 * every row is done, so a reader never sees half a result under the final name. Memory is bounded by the chunk size.
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { UpkeepError } from '../core/errors.js';
import { frameToCsv } from '../io/csv-frame.js';
import { Frame, numericColumn } from '../io/frame.js';
import type { TrainedModel } from '../models/trained-model.js';
import { type BatchFormat, DEFAULT_CHUNK_ROWS, readInputChunks } from './batch-input.js';

export interface ScoreFileOptions {
  inputPath: string;
  inputFormat: BatchFormat;
  outputPath: string;
  outputFormat: BatchFormat;
  chunkRows?: number;
  /** Checked between chunks: when aborted, the partial output is removed and the abort reason thrown. */
  signal?: AbortSignal;
  /** After each chunk: rows done and the share of the input read (0..1). */
  onProgress?: (progress: ScoreProgress) => void;
}

export interface ScoreProgress {
  rowsRead: number;
  rowsWritten: number;
  fraction: number;
}

export interface ScoreFileResult {
  rowsRead: number;
  rowsWritten: number;
  outputPath: string;
  outputBytes: number;
}

/** The suffix of an output file still being written. */
export const PARTIAL_SUFFIX = '.partial';

function predictionTable(model: TrainedModel, input: Frame): Frame {
  const { prediction, probability } = model.predictFrame(input);
  const ids = model.card.idColumns.filter((name) => input.has(name)).map((name) => input.column(name));
  const columns = [...ids, numericColumn('prediction', prediction)];
  if (probability) columns.push(numericColumn('probability', probability));
  return new Frame(columns, input.rowCount);
}

function ndjsonText(table: Frame): string {
  const names = table.names;
  let text = '';
  for (let row = 0; row < table.rowCount; row++) {
    const object: Record<string, number | string | null> = {};
    for (const name of names) {
      const value = table.value(name, row);
      object[name] = typeof value === 'number' && !Number.isFinite(value) ? null : value;
    }
    text += `${JSON.stringify(object)}\n`;
  }
  return text;
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function closeStream(stream: WriteStream): Promise<void> {
  if (stream.closed) return;
  await new Promise<void>((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/**
 * Scores `inputPath` into `outputPath`. A chunk that cannot be predicted (a missing input column, malformed rows)
 * ends the job with a `ValidationError`/`UnprocessableError` naming the rows. Cost: O(rows × features), memory
 * O(chunkRows × columns).
 */
export async function scoreFile(model: TrainedModel, options: ScoreFileOptions): Promise<ScoreFileResult> {
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const size = (await stat(options.inputPath)).size;
  const partial = `${options.outputPath}${PARTIAL_SUFFIX}`;
  const output = createWriteStream(partial);
  let rowsRead = 0;
  let rowsWritten = 0;
  let header = true;
  try {
    for await (const chunk of readInputChunks(options.inputPath, options.inputFormat, chunkRows)) {
      if (options.signal?.aborted) throw options.signal.reason;
      rowsRead += chunk.frame.rowCount;
      let table: Frame;
      try {
        table = predictionTable(model, chunk.frame);
      } catch (error) {
        if (!(error instanceof UpkeepError)) throw error;
        const last = chunk.firstRow + chunk.frame.rowCount - 1;
        error.message = `input rows ${chunk.firstRow}–${last}: ${error.message}`;
        throw error;
      }
      let text = options.outputFormat === 'csv' ? frameToCsv(table) : ndjsonText(table);
      if (options.outputFormat === 'csv' && !header) text = text.slice(text.indexOf('\n') + 1);
      header = false;
      await write(output, text);
      rowsWritten += table.rowCount;
      options.onProgress?.({ rowsRead, rowsWritten, fraction: size > 0 ? Math.min(1, chunk.bytesRead / size) : 1 });
    }
    if (options.signal?.aborted) throw options.signal.reason;
    await closeStream(output);
    await rename(partial, options.outputPath);
  } catch (error) {
    output.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  const outputBytes = (await stat(options.outputPath)).size;
  return { rowsRead, rowsWritten, outputPath: options.outputPath, outputBytes };
}
