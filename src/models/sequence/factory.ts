/**
 * Sequence estimators by name: `createSequenceEstimator('lstm' | 'gru' | 'cnn', options)` for training, and
 * `loadSequenceEstimator(json)` to rebuild one from its `toJSON()` without knowing its class.
 */

import { describeValue, ValidationError } from '../../core/errors.js';
import type { JsonObject } from '../serialisation.js';
import { readObject } from '../serialisation.js';
import { CnnEstimator, type CnnOptions } from './cnn.js';
import type { SequenceEstimator } from './estimator.js';
import { GruEstimator, type GruOptions } from './gru.js';
import { LstmEstimator, type LstmOptions } from './lstm.js';

export type SequenceKind = 'lstm' | 'gru' | 'cnn';

export const SEQUENCE_KINDS: readonly SequenceKind[] = Object.freeze(['lstm', 'gru', 'cnn']);

export interface SequenceOptionsByKind {
  lstm: LstmOptions;
  gru: GruOptions;
  cnn: CnnOptions;
}

/** A new, unfitted estimator of `kind`. */
export function createSequenceEstimator<K extends SequenceKind>(
  kind: K,
  options?: SequenceOptionsByKind[K],
): SequenceEstimator;
export function createSequenceEstimator(kind: string, options?: object): SequenceEstimator;
export function createSequenceEstimator(kind: string, options: object = {}): SequenceEstimator {
  return createModel(kind, options);
}

function createModel(kind: string, options: object): LstmEstimator | GruEstimator | CnnEstimator {
  if (kind === 'lstm') return new LstmEstimator(options as LstmOptions);
  if (kind === 'gru') return new GruEstimator(options as GruOptions);
  if (kind === 'cnn') return new CnnEstimator(options as CnnOptions);
  throw new ValidationError(`kind must be one of ${SEQUENCE_KINDS.join(', ')}, got ${describeValue(kind)}`, [
    { path: 'kind', message: `expected one of ${SEQUENCE_KINDS.join(', ')}` },
  ]);
}

/** Rebuilds an estimator from the output of its `toJSON()`; predictions are identical to the saved model's. */
export async function loadSequenceEstimator(json: JsonObject): Promise<SequenceEstimator> {
  const saved = readObject(json, 'model');
  const config = readObject(saved.config ?? {}, 'model.config');
  const model = createModel(String(saved.kind), config);
  if (saved.state === null || saved.state === undefined) return model;
  return model.restore(saved.state);
}
