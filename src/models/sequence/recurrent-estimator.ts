import type { Rng } from '../../core/rng.js';
import type { SequenceNetwork, Weights } from './network.js';
import { RecurrentNetwork } from './recurrent-network.js';
import type { RecurrentCell } from './recurrent-ops.js';
import {
  checkLayerSizes,
  checkNumber,
  isPositiveInteger,
  SequenceModel,
  type SequenceTrainingOptions,
} from './sequence-model.js';

export interface RecurrentOptions extends SequenceTrainingOptions {
  /** Hidden units of each stacked recurrent layer, input side first (default [64, 32]). */
  units?: number[];
  /** Units of the ReLU layer between the last hidden state and the output (default 16). */
  denseUnits?: number;
}

/** Stacked recurrent regressor over windows (samples × steps × features); its `kind` names the cell. */
export abstract class RecurrentEstimator extends SequenceModel<RecurrentOptions> {
  abstract override readonly kind: RecurrentCell;

  private get architecture() {
    return { cell: this.kind, units: this.options.units ?? [64, 32], denseUnits: this.options.denseUnits ?? 16 };
  }

  protected checkArchitecture(): void {
    const { units, denseUnits } = this.architecture;
    checkLayerSizes('units', units);
    checkNumber('denseUnits', denseUnits, isPositiveInteger, 'a positive integer');
  }

  protected createNetwork(_steps: number, features: number, source: Rng | Weights): SequenceNetwork {
    return new RecurrentNetwork(this.architecture, features, source);
  }
}
