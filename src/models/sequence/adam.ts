/**
 * Adam (Kingma & Ba 2015) over a fixed list of variables, with gradient clipping by global norm (Pascanu et al.
 * 2013) and a learning rate the caller may change between steps (for the plateau schedule). The clipping factor
 * stays a tensor, so a step never waits on a read back from the backend.
 */

import { tf } from './backend.js';

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Rescale the gradients when their global L2 norm exceeds this (default: no clipping). */
  clipNorm?: number;
}

export class Adam {
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly clipNorm: number | undefined;
  private readonly firstMoments: tf.Variable[];
  private readonly secondMoments: tf.Variable[];
  private step = 0;

  constructor(
    private readonly variables: readonly tf.Variable[],
    options: AdamOptions,
  ) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    this.clipNorm = options.clipNorm;
    const zeros = () => variables.map((variable) => tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
    this.firstMoments = zeros();
    this.secondMoments = zeros();
  }

  /** One update with `gradients[i]` for `variables[i]`; the caller disposes the gradients. */
  apply(gradients: readonly tf.Tensor[]): void {
    this.step++;
    const correction = Math.sqrt(1 - this.beta2 ** this.step) / (1 - this.beta1 ** this.step);
    tf.tidy(() => {
      let scale: tf.Tensor | undefined;
      if (this.clipNorm !== undefined) {
        const norm = tf.sqrt(tf.addN(gradients.map((gradient) => tf.sum(tf.square(gradient)))));
        scale = tf.div(this.clipNorm, tf.maximum(norm, this.clipNorm));
      }
      gradients.forEach((raw, index) => {
        const gradient = scale === undefined ? raw : tf.mul(raw, scale);
        const first = tf.add(tf.mul(this.firstMoments[index], this.beta1), tf.mul(gradient, 1 - this.beta1));
        const second = tf.add(
          tf.mul(this.secondMoments[index], this.beta2),
          tf.mul(tf.square(gradient), 1 - this.beta2),
        );
        this.firstMoments[index].assign(first);
        this.secondMoments[index].assign(second);
        const update = tf.div(tf.mul(first, this.learningRate * correction), tf.add(tf.sqrt(second), this.epsilon));
        this.variables[index].assign(tf.sub(this.variables[index], update));
      });
    });
  }

  dispose(): void {
    for (const moment of [...this.firstMoments, ...this.secondMoments]) moment.dispose();
  }
}
