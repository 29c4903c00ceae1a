/**
 * The contract between remaining-useful-life pipelines and the sequence models that learn from windows of history
 * (LSTM, GRU, 1D-CNN on TensorFlow.js). Training and prediction are asynchronous because the TensorFlow.js backends
 * initialise asynchronously; everything else about a sequence model mirrors `SupervisedModel`: validated inputs,
 * seeded and reproducible fits, and a JSON form that restores bit-identical predictions.
 */

import type { SequenceBatch } from '../input.js';
import type { JsonObject } from '../serialisation.js';

/** Reported after every training epoch; the CLI turns it into a progress bar with an ETA. */
export interface EpochProgress {
  epoch: number;
  epochs: number;
  /** Mean training loss of the epoch (mean squared error on the training targets). */
  loss: number;
  /** RMSE on the validation windows, when a validation set was given. */
  validationRmse?: number;
  /** Wall-clock seconds the epoch took. */
  seconds: number;
}

export interface SequenceFitOptions {
  /** Held-out windows (e.g. whole engines) for early stopping and the learning-rate schedule. */
  validation?: { X: SequenceBatch; y: Float64Array };
  onEpoch?: (progress: EpochProgress) => void;
  /** Stops training after the current epoch; the best weights so far are kept. */
  signal?: AbortSignal;
}

/** Point predictions with a central interval at `level` (e.g. 0.9 → 5th and 95th percentiles). */
export interface PredictionInterval {
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  level: number;
}

export interface SequenceEstimator {
  /** The registered name: 'lstm', 'gru' or 'cnn'. */
  readonly kind: string;
  readonly isFitted: boolean;
  fit(X: SequenceBatch, y: Float64Array, options?: SequenceFitOptions): Promise<void>;
  predict(X: SequenceBatch): Promise<Float64Array>;
  /** Intervals from Monte Carlo dropout or an ensemble; `level` in (0, 1), default 0.9. */
  predictInterval(X: SequenceBatch, level?: number): Promise<PredictionInterval>;
  /** Options and weights as plain JSON (weights base64-encoded); `loadSequenceEstimator` restores it. */
  toJSON(): JsonObject;
  /** Frees the tensors the model holds; the estimator is unusable afterwards. */
  dispose(): void;
}
