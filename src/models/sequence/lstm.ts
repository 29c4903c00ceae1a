import type { Rng } from '../../core/rng.js';
import type { SequenceNetwork, Weights } from './network.js';
import { RecurrentNetwork } from './recurrent-network.js';
import {
  checkLayerSizes,
  checkNumber,
  isPositiveInteger,
  SequenceModel,
  type SequenceTrainingOptions,
} from './sequence-model.js';

export interface LstmOptions extends SequenceTrainingOptions {
  /** Hidden units of each stacked LSTM layer, input side first (default [64, 32]). */
  units?: number[];
  /** Units of the ReLU layer between the last hidden state and the output (default 16). */
  denseUnits?: number;
}

/** Stacked LSTM regressor over windows (samples × steps × features), e.g. remaining useful life from sensor history. */
export class LstmEstimator extends SequenceModel<LstmOptions> {
  static readonly className = 'lstm';
  readonly kind = 'lstm';

  constructor(options: LstmOptions = {}) {
    super(options);
  }

  protected checkArchitecture(): void {
    checkLayerSizes('units', this.options.units ?? [64, 32]);
    checkNumber('denseUnits', this.options.denseUnits ?? 16, isPositiveInteger, 'a positive integer');
  }

  protected createNetwork(_steps: number, features: number, source: Rng | Weights): SequenceNetwork {
    const architecture = {
      cell: 'lstm' as const,
      units: this.options.units ?? [64, 32],
      denseUnits: this.options.denseUnits ?? 16,
    };
    return new RecurrentNetwork(architecture, features, source);
  }
}
