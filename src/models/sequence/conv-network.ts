/**
 * 1D convolutions (valid padding, ReLU) → flatten → dropout → a ReLU dense layer → one output, in the style of
 * Li, Ding & Sun (2018), "Remaining useful life estimation in prognostics using deep convolution neural networks".
 * Each convolution is an im2col product: the k shifted views of the input are concatenated along the feature axis and
 * multiplied by a `[k·C, filters]` kernel. That needs only slice/concat/matMul gradients, all registered on wasm,
 * whereas `tf.conv1d`'s filter gradient (`Conv2DBackpropFilter`) is not.
 */

import { ValidationError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { tf } from './backend.js';
import { glorotUniform } from './initializers.js';
import {
  type DropoutMasks,
  dense,
  ParameterSet,
  type ParameterSpec,
  type SequenceNetwork,
  type Weights,
  zerosInit,
} from './network.js';

export interface ConvArchitecture {
  /** Filters of each convolution, input side first. */
  filters: readonly number[];
  kernelSize: number;
  denseUnits: number;
}

/** Steps left after the convolutions (each valid convolution removes kernelSize − 1). */
export function convOutputSteps(architecture: ConvArchitecture, steps: number): number {
  return steps - architecture.filters.length * (architecture.kernelSize - 1);
}

function parameterSpecs(architecture: ConvArchitecture, steps: number, features: number): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const k = architecture.kernelSize;
  let channels = features;
  architecture.filters.forEach((filters, layer) => {
    const fanIn = k * channels;
    specs.push(
      { name: `conv${layer}.kernel`, shape: [fanIn, filters], initialise: (rng) => glorotUniform(rng, fanIn, filters) },
      { name: `conv${layer}.bias`, shape: [filters], initialise: zerosInit(filters) },
    );
    channels = filters;
  });
  const flat = convOutputSteps(architecture, steps) * channels;
  const hidden = architecture.denseUnits;
  specs.push(
    { name: 'dense.kernel', shape: [flat, hidden], initialise: (rng) => glorotUniform(rng, flat, hidden) },
    { name: 'dense.bias', shape: [hidden], initialise: zerosInit(hidden) },
    { name: 'output.kernel', shape: [hidden, 1], initialise: (rng) => glorotUniform(rng, hidden, 1) },
    { name: 'output.bias', shape: [1], initialise: zerosInit(1) },
  );
  return specs;
}

export class ConvNetwork implements SequenceNetwork {
  readonly timeMajor = false;
  readonly parameters: ParameterSet;

  constructor(
    private readonly architecture: ConvArchitecture,
    steps: number,
    features: number,
    source: Rng | Weights,
  ) {
    if (convOutputSteps(architecture, steps) < 1) {
      throw new ValidationError(
        `X.steps must exceed ${architecture.filters.length} × (kernelSize − 1) = ${steps - convOutputSteps(architecture, steps)} for these convolutions, got ${steps}`,
        [{ path: 'X.steps', message: 'too short for the convolutions' }],
      );
    }
    this.parameters = new ParameterSet(parameterSpecs(architecture, steps, features), source);
  }

  forward(x: tf.Tensor3D, masks?: DropoutMasks): tf.Tensor1D {
    const [batch] = x.shape;
    const k = this.architecture.kernelSize;
    const p = this.parameters;
    let current = x;
    this.architecture.filters.forEach((filters, layer) => {
      const [, steps, channels] = current.shape;
      const outSteps = steps - k + 1;
      const views: tf.Tensor3D[] = [];
      for (let offset = 0; offset < k; offset++)
        views.push(tf.slice(current, [0, offset, 0], [batch, outSteps, channels]));
      const patches = tf.reshape(tf.concat(views, 2), [batch * outSteps, k * channels]) as tf.Tensor2D;
      const convolved = tf.relu(tf.add(tf.matMul(patches, p.get(`conv${layer}.kernel`)), p.get(`conv${layer}.bias`)));
      current = tf.reshape(convolved, [batch, outSteps, filters]);
    });
    let flat = tf.reshape(current, [batch, current.shape[1] * current.shape[2]]) as tf.Tensor2D;
    if (masks !== undefined) flat = tf.mul(flat, masks(flat.shape));
    const hidden = dense(p, 'dense', flat, true);
    return tf.reshape(dense(p, 'output', hidden, false), [batch]);
  }
}
