import { RecurrentEstimator, type RecurrentOptions } from './recurrent-estimator.js';

export type GruOptions = RecurrentOptions;

/** Stacked GRU regressor over windows (samples × steps × features), e.g. remaining useful life from sensor history. */
export class GruEstimator extends RecurrentEstimator {
  static readonly className = 'gru';
  readonly kind = 'gru';

  constructor(options: GruOptions = {}) {
    super(options);
  }
}
