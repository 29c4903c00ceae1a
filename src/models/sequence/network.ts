/**
 * What a sequence estimator trains: a network of named parameters with a forward pass. Parameters are created from
 * seeded initialisers or from saved weights, and read back as plain `Float32Array`s (for early stopping snapshots
 * and for `toJSON`).
 */

import { ValidationError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { tf } from './backend.js';

/** Returns a dropout mask of `shape`: 0 with probability p, else 1 / (1 − p). */
export type DropoutMasks = (shape: number[]) => tf.Tensor;

export interface ParameterSpec {
  name: string;
  shape: number[];
  initialise: (rng: Rng) => Float32Array;
}

export interface SequenceNetwork {
  /** True when `forward` takes `[steps, batch, features]`, false for `[batch, steps, features]`. */
  readonly timeMajor: boolean;
  readonly parameters: ParameterSet;
  /** One prediction per sample (in standardised target units); dropout only when `masks` is given. */
  forward(x: tf.Tensor3D, masks?: DropoutMasks): tf.Tensor1D;
}

export type Weights = Record<string, Float32Array>;

/** Named trainable variables, in the order of their specs. */
export class ParameterSet {
  readonly names: readonly string[];
  readonly variables: readonly tf.Variable[];
  private readonly byName: Map<string, tf.Variable>;

  constructor(specs: readonly ParameterSpec[], source: Rng | Weights) {
    this.names = specs.map((spec) => spec.name);
    this.variables = specs.map((spec) => {
      const size = spec.shape.reduce((product, length) => product * length, 1);
      const values = isWeights(source) ? source[spec.name] : spec.initialise(source);
      if (!(values instanceof Float32Array) || values.length !== size) {
        const got = values instanceof Float32Array ? `${values.length} values` : 'none';
        throw new ValidationError(`weights.${spec.name} must hold ${size} float32 values, got ${got}`);
      }
      return tf.tidy(() => tf.variable(tf.tensor(values, spec.shape, 'float32'), true));
    });
    this.byName = new Map(this.names.map((name, index) => [name, this.variables[index]]));
  }

  get(name: string): tf.Variable {
    const variable = this.byName.get(name);
    if (variable === undefined) throw new Error(`no parameter '${name}'`);
    return variable;
  }

  read(): Weights {
    const weights: Weights = {};
    this.names.forEach((name, index) => {
      weights[name] = this.variables[index].dataSync() as Float32Array;
    });
    return weights;
  }

  write(weights: Weights): void {
    this.names.forEach((name, index) => {
      const variable = this.variables[index];
      tf.tidy(() => variable.assign(tf.tensor(weights[name], variable.shape, 'float32')));
    });
  }

  dispose(): void {
    for (const variable of this.variables) variable.dispose();
  }
}

function isWeights(source: Rng | Weights): source is Weights {
  return typeof (source as Rng).next !== 'function';
}

export const zerosInit =
  (size: number, value = 0) =>
  (): Float32Array =>
    new Float32Array(size).fill(value);

/** A dense layer `x W + b` with an optional ReLU. */
export function dense(parameters: ParameterSet, prefix: string, x: tf.Tensor2D, relu: boolean): tf.Tensor2D {
  return tf.fused.matMul({
    a: x,
    b: parameters.get(`${prefix}.kernel`) as tf.Tensor as tf.Tensor2D,
    bias: parameters.get(`${prefix}.bias`),
    activation: relu ? 'relu' : 'linear',
  }) as tf.Tensor2D;
}
