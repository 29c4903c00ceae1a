/**
 * Stacked LSTM or GRU layers → the last hidden state → a ReLU dense layer → one output. Dropout (when training, or
 * for Monte Carlo intervals) is variational between recurrent layers (one mask per sequence, shared by all steps,
 * Gal & Ghahramani 2016) and plain before the dense head.
 */

import type { Rng } from '../../core/rng.js';
import { tf } from './backend.js';
import { glorotUniform, orthogonal } from './initializers.js';
import {
  type DropoutMasks,
  dense,
  ParameterSet,
  type ParameterSpec,
  type SequenceNetwork,
  type Weights,
  zerosInit,
} from './network.js';
import { type RecurrentCell, recurrentStack } from './recurrent-ops.js';

export interface RecurrentArchitecture {
  cell: RecurrentCell;
  /** Hidden units of each recurrent layer, input side first. */
  units: readonly number[];
  denseUnits: number;
}

const GATES: Record<RecurrentCell, number> = { lstm: 4, gru: 3 };

function parameterSpecs(architecture: RecurrentArchitecture, features: number): ParameterSpec[] {
  const gates = GATES[architecture.cell];
  const specs: ParameterSpec[] = [];
  let inputs = features;
  architecture.units.forEach((units, layer) => {
    const width = gates * units;
    const fanIn = inputs;
    specs.push(
      { name: `rnn${layer}.kernel`, shape: [fanIn, width], initialise: (rng) => glorotUniform(rng, fanIn, width) },
      { name: `rnn${layer}.recurrent`, shape: [units, width], initialise: (rng) => orthogonal(rng, units, width) },
    );
    if (architecture.cell === 'lstm') {
      // Forget-gate bias 1 (Jozefowicz et al. 2015): remember by default early in training.
      const bias = () => {
        const values = new Float32Array(width);
        values.fill(1, units, 2 * units);
        return values;
      };
      specs.push({ name: `rnn${layer}.bias`, shape: [width], initialise: bias });
    } else {
      specs.push(
        { name: `rnn${layer}.bias`, shape: [width], initialise: zerosInit(width) },
        { name: `rnn${layer}.recurrentBias`, shape: [width], initialise: zerosInit(width) },
      );
    }
    inputs = units;
  });
  const last = inputs;
  const hidden = architecture.denseUnits;
  specs.push(
    { name: 'dense.kernel', shape: [last, hidden], initialise: (rng) => glorotUniform(rng, last, hidden) },
    { name: 'dense.bias', shape: [hidden], initialise: zerosInit(hidden) },
    { name: 'output.kernel', shape: [hidden, 1], initialise: (rng) => glorotUniform(rng, hidden, 1) },
    { name: 'output.bias', shape: [1], initialise: zerosInit(1) },
  );
  return specs;
}

export class RecurrentNetwork implements SequenceNetwork {
  readonly timeMajor = true;
  readonly parameters: ParameterSet;

  constructor(
    private readonly architecture: RecurrentArchitecture,
    features: number,
    source: Rng | Weights,
  ) {
    this.parameters = new ParameterSet(parameterSpecs(architecture, features), source);
  }

  forward(x: tf.Tensor3D, masks?: DropoutMasks): tf.Tensor1D {
    const batch = x.shape[1];
    const p = this.parameters;
    const { cell, units } = this.architecture;
    const names = cell === 'lstm' ? ['kernel', 'recurrent', 'bias'] : ['kernel', 'recurrent', 'bias', 'recurrentBias'];
    const layers = units.map((_, layer) => names.map((name) => p.get(`rnn${layer}.${name}`) as tf.Tensor));
    const between =
      masks === undefined ? undefined : units.slice(0, -1).map((size) => masks([batch, size]) as tf.Tensor2D);
    let last = recurrentStack(cell, x, layers, between);
    if (masks !== undefined) last = tf.mul(last, masks([batch, units[units.length - 1]]));
    const hidden = dense(p, 'dense', last, true);
    return tf.reshape(dense(p, 'output', hidden, false), [batch]);
  }
}
