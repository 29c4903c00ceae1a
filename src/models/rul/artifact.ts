/**
 * RUL models on disk: a directory holding `model.json` (card, normaliser, window, cap and estimator), the same
 * directory layout as tabular models (`models/artifact.ts`) with format 'upkeep-rul-model'.
 */
import { join } from 'node:path';
import { NotFoundError, UpkeepError, ValidationError } from '../../core/errors.js';
import { MODEL_FILE, readModelJson, writeModelJson } from '../artifact.js';
import { RulPipeline } from './pipeline.js';

/** Writes `model.json` into `directory` (created if needed), atomically. Returns its path. */
export async function saveRulPipeline(pipeline: RulPipeline, directory: string): Promise<string> {
  return writeModelJson(pipeline.toJSON(), directory);
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
