/**
 * Trained models on disk: a directory holding `model.json` (the model card, the preprocessing pipeline and the model
 * artifact with its weights). Numbers are written in their shortest round-trip form and weights as base64 float64
 * bytes, so a loaded model predicts bit-identically.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, UpkeepError, ValidationError } from '../core/errors.js';
import type { ModelRegistry } from './registry.js';
import { TrainedModel } from './trained-model.js';

/** The file inside a model directory. */
export const MODEL_FILE = 'model.json';

/** Writes `json` as `model.json` into `directory` (created if needed), replacing an older one atomically. */
export async function writeModelJson(json: unknown, directory: string, indent?: number): Promise<string> {
  try {
    await mkdir(directory, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ValidationError(`cannot create model directory '${directory}': ${code ?? String(error)}`, [
      { path: 'out', message: 'cannot create directory' },
    ]);
  }
  const path = join(directory, MODEL_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(json, null, indent)}\n`);
  await rename(temporary, path);
  return path;
}

/** Writes a trained model's `model.json` into `directory`. Returns its path. */
export async function saveTrainedModel(model: TrainedModel, directory: string): Promise<string> {
  return writeModelJson(model.toJSON(), directory, 1);
}

/** The parsed `model.json` of a model directory; `NotFoundError`/`ValidationError` naming what is wrong. */
export async function readModelJson(directory: string): Promise<unknown> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(directory)).isDirectory();
  } catch {
    throw new NotFoundError(
      `model directory '${directory}' does not exist: train one with 'upkeep train --out ${directory}'`,
    );
  }
  if (!isDirectory)
    throw new ValidationError(`model '${directory}' is not a directory (expected a directory holding ${MODEL_FILE})`);
  const path = join(directory, MODEL_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new NotFoundError(
      `model directory '${directory}' has no ${MODEL_FILE}: is it a directory written by 'upkeep train'?`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(
      `${path} is not valid JSON (${(error as Error).message}): the file is damaged, train again`,
    );
  }
}

/**
 * Loads a model saved with `saveTrainedModel`. A missing directory or `model.json` is a `NotFoundError`; a file that
 * is not JSON or not a model is a `ValidationError` naming the file and what is wrong.
 */
export async function loadTrainedModel(directory: string, registry?: ModelRegistry): Promise<TrainedModel> {
  const value = await readModelJson(directory);
  const path = join(directory, MODEL_FILE);
  try {
    return TrainedModel.fromJSON(value, registry);
  } catch (error) {
    if (error instanceof UpkeepError) {
      throw new ValidationError(`${path} is not a usable model: ${error.message}`, error.details);
    }
    throw error;
  }
}
