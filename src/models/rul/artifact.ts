/**
 * RUL models on disk: a directory holding `model.json` (card, normaliser, window, cap and estimator), the same
 * directory layout as tabular models (`models/artifact.ts`) with format 'upkeep-rul-model'.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, UpkeepError, ValidationError } from '../../core/errors.js';
import { MODEL_FILE } from '../artifact.js';
import { RulPipeline } from './pipeline.js';

/** Writes `model.json` into `directory` (created if needed), atomically. Returns its path. */
export async function saveRulPipeline(pipeline: RulPipeline, directory: string): Promise<string> {
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
  await writeFile(temporary, `${JSON.stringify(pipeline.toJSON())}\n`);
  await rename(temporary, path);
  return path;
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

/** Loads a RUL model saved with `saveRulPipeline`; a tabular model directory is a `ValidationError` saying so. */
export async function loadRulPipeline(directory: string): Promise<RulPipeline> {
  const value = await readModelJson(directory);
  if (!RulPipeline.isRulJson(value)) {
    throw new ValidationError(
      `model '${directory}' is not a RUL model (train one with 'upkeep train --format cmapss --task rul')`,
    );
  }
  try {
    return await RulPipeline.fromJSON(value);
  } catch (error) {
    if (error instanceof UpkeepError && !(error instanceof NotFoundError)) {
      throw new ValidationError(
        `${join(directory, MODEL_FILE)} is not a usable RUL model: ${error.message}`,
        error.details,
      );
    }
    throw error;
  }
}
