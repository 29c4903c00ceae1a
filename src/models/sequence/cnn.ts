import type { Rng } from '../../core/rng.js';
import { ConvNetwork } from './conv-network.js';
import type { SequenceNetwork, Weights } from './network.js';
import {
  checkLayerSizes,
  checkNumber,
  isPositiveInteger,
  SequenceModel,
  type SequenceTrainingOptions,
} from './sequence-model.js';

export interface CnnOptions extends SequenceTrainingOptions {
  /** Filters of each 1D convolution, input side first (default [32, 32]). */
  filters?: number[];
  /** Steps each convolution spans (default 5). */
  kernelSize?: number;
  /** Units of the ReLU layer after flattening (default 64). */
  denseUnits?: number;
}

/** 1D convolutional regressor over windows (samples × steps × features). */
export class CnnEstimator extends SequenceModel<CnnOptions> {
  static readonly className = 'cnn';
  readonly kind = 'cnn';

  constructor(options: CnnOptions = {}) {
    super(options);
  }

  protected checkArchitecture(): void {
    checkLayerSizes('filters', this.options.filters ?? [32, 32]);
    checkNumber('kernelSize', this.options.kernelSize ?? 5, isPositiveInteger, 'a positive integer');
    checkNumber('denseUnits', this.options.denseUnits ?? 64, isPositiveInteger, 'a positive integer');
  }

  protected createNetwork(steps: number, features: number, source: Rng | Weights): SequenceNetwork {
    const architecture = {
      filters: this.options.filters ?? [32, 32],
      kernelSize: this.options.kernelSize ?? 5,
      denseUnits: this.options.denseUnits ?? 64,
    };
    return new ConvNetwork(architecture, steps, features, source);
  }
}
