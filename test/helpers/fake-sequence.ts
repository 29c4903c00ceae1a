import type { SequenceBatch } from '../../src/models/input.js';
import type { PredictionInterval, SequenceEstimator, SequenceFitOptions } from '../../src/models/sequence/estimator.js';
import type { JsonObject } from '../../src/models/serialisation.js';

/**
 * A sequence model for tests that trains nothing: it records how many windows it was fitted on and how many it was
 * given to stop early on; subclasses say what it predicts. Its interval is the prediction itself.
 */
export abstract class RecordingSequence implements SequenceEstimator {
  readonly kind = 'cnn';
  isFitted = false;
  fitSamples = 0;
  validationSamples = 0;

  async fit(X: SequenceBatch, _y: Float64Array, options: SequenceFitOptions = {}): Promise<void> {
    this.fitSamples = X.samples;
    this.validationSamples = options.validation?.X.samples ?? 0;
    this.isFitted = true;
  }

  abstract predict(X: SequenceBatch): Promise<Float64Array>;

  async predictInterval(X: SequenceBatch, level = 0.9): Promise<PredictionInterval> {
    const mean = await this.predict(X);
    return { mean, lower: mean, upper: mean, level };
  }

  toJSON(): JsonObject {
    return { kind: this.kind };
  }

  dispose(): void {}
}
