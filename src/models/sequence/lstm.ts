import { RecurrentEstimator, type RecurrentOptions } from './recurrent-estimator.js';

export type LstmOptions = RecurrentOptions;

/** Stacked LSTM regressor over windows (samples × steps × features), e.g. remaining useful life from sensor history. */
export class LstmEstimator extends RecurrentEstimator {
  static readonly className = 'lstm';
  readonly kind = 'lstm';

  constructor(options: LstmOptions = {}) {
    super(options);
  }
}
