/**
 * What LSTM, GRU and CNN estimators share: input checks, feature and target standardisation, the seeded mini-batch
 * training loop (Adam, a reduce-on-plateau learning rate, early stopping that keeps the best weights), batched
 * prediction, Monte Carlo dropout intervals (Gal & Ghahramani 2016) and the JSON form. A subclass only builds its
 * network (`createNetwork`). Every tensor lives inside `tf.tidy` or is disposed explicitly; after `dispose()` the
 * estimator holds none.
 */

import { describeValue, NotFittedError, ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { sortedQuantile } from '../../math/quantile.js';
import { checkInput, checkVector, type SequenceBatch } from '../input.js';
import { decodeState, encodeState, type JsonObject, readObject } from '../serialisation.js';
import { Adam } from './adam.js';
import { sequenceBackend, tf } from './backend.js';
import type { EpochProgress, PredictionInterval, SequenceEstimator, SequenceFitOptions } from './estimator.js';
import type { DropoutMasks, SequenceNetwork, Weights } from './network.js';

/** Training options every sequence estimator takes (defaults tuned on C-MAPSS FD001, see docs/sequence-models.md). */
export interface SequenceTrainingOptions {
  /** Seed of weight initialisation, shuffling and dropout masks (default 42). */
  seed?: number;
  /** Maximum passes over the training windows (default 40). */
  epochs?: number;
  /** Windows per gradient step (default 256). */
  batchSize?: number;
  /** Initial Adam learning rate (default 0.002). */
  learningRate?: number;
  /** Multiply the learning rate by this after `schedulePatience` epochs without improvement (default 0.5). */
  scheduleFactor?: number;
  /** Epochs without improvement before lowering the learning rate (default 3). */
  schedulePatience?: number;
  /** Lower bound of the learning rate (default 1e-5). */
  minLearningRate?: number;
  /** Stop after this many epochs without a better validation RMSE; the best weights are kept (default 8). */
  patience?: number;
  /** Clip gradients to this global L2 norm (default 1). */
  clipNorm?: number;
  /** Dropout rate in [0, 1) (default 0.2); also the Monte Carlo dropout of `predictInterval`. */
  dropout?: number;
  /** Forward passes per `predictInterval` call (default 30). */
  intervalSamples?: number;
}

type ResolvedTraining = Required<SequenceTrainingOptions>;

const TRAINING_DEFAULTS: ResolvedTraining = {
  seed: 42,
  epochs: 40,
  batchSize: 256,
  learningRate: 0.002,
  scheduleFactor: 0.5,
  schedulePatience: 3,
  minLearningRate: 1e-5,
  patience: 8,
  clipNorm: 1,
  dropout: 0.2,
  intervalSamples: 30,
};

/** Windows per forward pass when predicting. */
const PREDICT_BATCH = 1024;

function checkNumber(name: string, value: number, test: (value: number) => boolean, expectation: string): void {
  if (typeof value !== 'number' || !test(value)) {
    throw new ValidationError(`${name} must be ${expectation}, got ${describeValue(value)}`, [
      { path: name, message: `must be ${expectation}` },
    ]);
  }
}

const isPositiveInteger = (value: number) => Number.isInteger(value) && value >= 1;
const isPositive = (value: number) => Number.isFinite(value) && value > 0;

/** Fills defaults and checks every training option, naming the bad one. */
export function resolveTraining(options: SequenceTrainingOptions): ResolvedTraining {
  const resolved = { ...TRAINING_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && key in TRAINING_DEFAULTS) (resolved as Record<string, number>)[key] = value as number;
  }
  checkNumber('seed', resolved.seed, Number.isInteger, 'an integer');
  for (const key of ['epochs', 'batchSize', 'schedulePatience', 'patience', 'intervalSamples'] as const) {
    checkNumber(key, resolved[key], isPositiveInteger, 'a positive integer');
  }
  for (const key of ['learningRate', 'minLearningRate', 'clipNorm'] as const) {
    checkNumber(key, resolved[key], isPositive, 'a positive number');
  }
  checkNumber('scheduleFactor', resolved.scheduleFactor, (value) => value > 0 && value <= 1, 'in (0, 1]');
  checkNumber('dropout', resolved.dropout, (value) => value >= 0 && value < 1, 'in [0, 1)');
  return resolved;
}

/** Checks a layer-size list such as `units: [64, 32]`. */
export function checkLayerSizes(name: string, sizes: readonly number[]): void {
  if (!Array.isArray(sizes) || sizes.length === 0) {
    throw new ValidationError(`${name} must list at least one layer size, got ${describeValue(sizes)}`);
  }
  sizes.forEach((size, index) => {
    checkNumber(`${name}[${index}]`, size, isPositiveInteger, 'a positive integer');
  });
}

export { checkNumber, isPositiveInteger };

interface Scaling {
  features: number;
  steps: number;
  featureMeans: Float64Array;
  featureStds: Float64Array;
  targetMean: number;
  targetStd: number;
  featureNames?: string[];
}

interface Fitted {
  scaling: Scaling;
  network: SequenceNetwork;
}

function checkBatch(X: SequenceBatch, name: string): void {
  if (X === null || typeof X !== 'object' || typeof X.steps !== 'number') {
    throw new ValidationError(`${name} must be a sequence batch (samples × steps × features)`, [
      { path: name, message: 'expected { samples, steps, features, data }' },
    ]);
  }
  checkNumber(`${name}.steps`, X.steps, isPositiveInteger, 'a positive integer');
  checkInput(X, name);
}

function standardise(X: SequenceBatch, scaling: Scaling): Float32Array {
  const { featureMeans, featureStds, features } = scaling;
  const result = new Float32Array(X.data.length);
  const data = X.data;
  for (let i = 0; i < data.length; i++) {
    const feature = i % features;
    result[i] = (data[i] - featureMeans[feature]) / featureStds[feature];
  }
  return result;
}

/** Copies the samples `order[from…to)` of a standardised batch into a tensor of the network's layout. */
function batchTensor(
  data: Float32Array,
  order: ArrayLike<number>,
  from: number,
  to: number,
  steps: number,
  features: number,
  timeMajor: boolean,
): tf.Tensor3D {
  const size = to - from;
  const stride = steps * features;
  const values = new Float32Array(size * stride);
  for (let b = 0; b < size; b++) {
    const source = order[from + b] * stride;
    if (!timeMajor) {
      values.set(data.subarray(source, source + stride), b * stride);
      continue;
    }
    for (let t = 0; t < steps; t++) {
      values.set(data.subarray(source + t * features, source + (t + 1) * features), (t * size + b) * features);
    }
  }
  return tf.tensor3d(values, timeMajor ? [steps, size, features] : [size, steps, features]);
}

function identityOrder(count: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return order;
}

function dropoutMasks(rng: Rng, rate: number): DropoutMasks {
  return (shape) => {
    const size = shape.reduce((product, length) => product * length, 1);
    const values = new Float32Array(size);
    const keep = 1 / (1 - rate);
    for (let i = 0; i < size; i++) values[i] = rng.next() < rate ? 0 : keep;
    return tf.tensor(values, shape, 'float32');
  };
}

function rmse(predicted: Float64Array, actual: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (predicted[i] - actual[i]) ** 2;
  return Math.sqrt(sum / actual.length);
}

export abstract class SequenceModel<Options extends SequenceTrainingOptions> implements SequenceEstimator {
  abstract readonly kind: string;
  readonly options: Readonly<Options>;
  private fitted: Fitted | undefined;
  private disposed = false;

  constructor(options: Options) {
    this.options = Object.freeze({ ...options });
  }

  /** Builds the network for `features` inputs per step and `steps` steps, from seeded initialisers or saved weights. */
  protected abstract createNetwork(steps: number, features: number, source: Rng | Weights): SequenceNetwork;

  /** Checks the architecture options; called before fitting and restoring. */
  protected abstract checkArchitecture(): void;

  get isFitted(): boolean {
    return this.fitted !== undefined;
  }

  getConfig(): Options {
    return { ...this.options };
  }

  async fit(X: SequenceBatch, y: Float64Array, options: SequenceFitOptions = {}): Promise<void> {
    this.checkUsable();
    const training = resolveTraining(this.options);
    this.checkArchitecture();
    checkBatch(X, 'X');
    if (X.samples < 1)
      throw new ValidationError('X must hold at least one window', [{ path: 'X.samples', message: 'must be ≥ 1' }]);
    const targets = checkVector(y, X.samples, 'y', 'target');
    const validation = options.validation;
    if (validation !== undefined) {
      checkBatch(validation.X, 'validation.X');
      this.checkShape(validation.X, X.steps, X.features, 'validation.X');
      checkVector(validation.y, validation.X.samples, 'validation.y', 'target');
    }
    await sequenceBackend();
    const scaling = this.computeScaling(X, targets);
    const rng = new Rng(training.seed);
    const network = this.createNetwork(X.steps, X.features, rng);
    this.release();
    this.fitted = { scaling, network };
    await this.train(network, scaling, X, targets, training, rng, options);
  }

  async predict(X: SequenceBatch): Promise<Float64Array> {
    const { network, scaling } = this.ready(X);
    await sequenceBackend();
    return this.forwardAll(network, scaling, X);
  }

  async predictInterval(X: SequenceBatch, level = 0.9): Promise<PredictionInterval> {
    const { network, scaling } = this.ready(X);
    checkNumber('level', level, (value) => value > 0 && value < 1, 'in (0, 1)');
    await sequenceBackend();
    const training = resolveTraining(this.options);
    if (training.dropout === 0) {
      const mean = this.forwardAll(network, scaling, X);
      return { mean, lower: mean.slice(), upper: mean.slice(), level };
    }
    const passes = training.intervalSamples;
    const masks = dropoutMasks(new Rng(training.seed + 1), training.dropout);
    const draws = Array.from({ length: passes }, () => this.forwardAll(network, scaling, X, masks));
    const mean = new Float64Array(X.samples);
    const lower = new Float64Array(X.samples);
    const upper = new Float64Array(X.samples);
    const column = new Float64Array(passes);
    for (let sample = 0; sample < X.samples; sample++) {
      let sum = 0;
      for (let pass = 0; pass < passes; pass++) {
        column[pass] = draws[pass][sample];
        sum += column[pass];
      }
      column.sort();
      mean[sample] = sum / passes;
      lower[sample] = sortedQuantile(column, (1 - level) / 2);
      upper[sample] = sortedQuantile(column, (1 + level) / 2);
    }
    return { mean, lower, upper, level };
  }

  toJSON(): JsonObject {
    const fitted = this.fitted;
    const state =
      fitted === undefined
        ? null
        : encodeState({ ...fitted.scaling, weights: fitted.network.parameters.read() }, 'state');
    return { kind: this.kind, formatVersion: 1, config: encodeState(this.options) as JsonObject, state };
  }

  /** Restores the state written by `toJSON()` (used by `loadSequenceEstimator`). */
  async restore(rawState: unknown): Promise<this> {
    this.checkUsable();
    this.checkArchitecture();
    const state = readObject(decodeState(rawState, 'state'), 'state');
    const scaling = readScaling(state);
    const weights = readObject(state.weights, 'state.weights') as Weights;
    await sequenceBackend();
    const network = this.createNetwork(scaling.steps, scaling.features, weights);
    this.release();
    this.fitted = { scaling, network };
    return this;
  }

  dispose(): void {
    this.release();
    this.disposed = true;
  }

  private release(): void {
    this.fitted?.network.parameters.dispose();
    this.fitted = undefined;
  }

  private checkUsable(): void {
    if (this.disposed) throw new ValidationError(`${this.kind} model was disposed and cannot be used again`);
  }

  private ready(X: SequenceBatch): Fitted {
    this.checkUsable();
    if (this.fitted === undefined) throw new NotFittedError(this.kind);
    checkBatch(X, 'X');
    this.checkShape(X, this.fitted.scaling.steps, this.fitted.scaling.features, 'X');
    return this.fitted;
  }

  private checkShape(X: SequenceBatch, steps: number, features: number, name: string): void {
    if (X.features !== features) {
      throw new ValidationError(`${name}.features must be ${features} as in training, got ${X.features}`, [
        { path: `${name}.features`, message: `expected ${features}` },
      ]);
    }
    if (X.steps !== steps) {
      throw new ValidationError(`${name}.steps must be ${steps} as in training, got ${X.steps}`, [
        { path: `${name}.steps`, message: `expected ${steps}` },
      ]);
    }
  }

  private computeScaling(X: SequenceBatch, y: Float64Array): Scaling {
    const features = X.features;
    const count = X.samples * X.steps;
    const featureMeans = new Float64Array(features);
    const featureStds = new Float64Array(features);
    for (let i = 0; i < X.data.length; i++) featureMeans[i % features] += X.data[i];
    for (let f = 0; f < features; f++) featureMeans[f] /= count;
    for (let i = 0; i < X.data.length; i++) featureStds[i % features] += (X.data[i] - featureMeans[i % features]) ** 2;
    for (let f = 0; f < features; f++) featureStds[f] = Math.sqrt(featureStds[f] / count) || 1;
    let targetMean = 0;
    for (const value of y) targetMean += value;
    targetMean /= y.length;
    let targetVariance = 0;
    for (const value of y) targetVariance += (value - targetMean) ** 2;
    const targetStd = Math.sqrt(targetVariance / y.length) || 1;
    const scaling: Scaling = { features, steps: X.steps, featureMeans, featureStds, targetMean, targetStd };
    if (X.featureNames !== undefined) scaling.featureNames = [...X.featureNames];
    return scaling;
  }

  private forwardAll(network: SequenceNetwork, scaling: Scaling, X: SequenceBatch, masks?: DropoutMasks): Float64Array {
    const data = standardise(X, scaling);
    const order = identityOrder(X.samples);
    const result = new Float64Array(X.samples);
    for (let from = 0; from < X.samples; from += PREDICT_BATCH) {
      const to = Math.min(X.samples, from + PREDICT_BATCH);
      const values = tf.tidy(() => {
        const input = batchTensor(data, order, from, to, X.steps, X.features, network.timeMajor);
        return network.forward(input, masks).dataSync();
      });
      for (let i = 0; i < values.length; i++) result[from + i] = values[i] * scaling.targetStd + scaling.targetMean;
    }
    return result;
  }

  private async train(
    network: SequenceNetwork,
    scaling: Scaling,
    X: SequenceBatch,
    y: Float64Array,
    training: ResolvedTraining,
    rng: Rng,
    options: SequenceFitOptions,
  ): Promise<void> {
    const data = standardise(X, scaling);
    const scaledTargets = new Float32Array(y.length);
    for (let i = 0; i < y.length; i++) scaledTargets[i] = (y[i] - scaling.targetMean) / scaling.targetStd;
    const variables = network.parameters.variables;
    const optimiser = new Adam(variables, { learningRate: training.learningRate, clipNorm: training.clipNorm });
    const masks = training.dropout > 0 ? dropoutMasks(rng, training.dropout) : undefined;
    const order = identityOrder(X.samples);
    const validation = options.validation;
    let best = Number.POSITIVE_INFINITY;
    let bestWeights: Weights | undefined;
    let sinceBest = 0;
    let sinceScheduleChange = 0;
    try {
      for (let epoch = 1; epoch <= training.epochs; epoch++) {
        const started = performance.now();
        rng.shuffle(order);
        let lossSum = 0;
        for (let from = 0; from < X.samples; from += training.batchSize) {
          const to = Math.min(X.samples, from + training.batchSize);
          const loss = tf.tidy(() => {
            const input = batchTensor(data, order, from, to, X.steps, X.features, network.timeMajor);
            const batchTargets = new Float32Array(to - from);
            for (let i = from; i < to; i++) batchTargets[i - from] = scaledTargets[order[i]];
            const target = tf.tensor1d(batchTargets);
            const { value, grads } = tf.variableGrads(
              () => tf.mean(tf.squaredDifference(network.forward(input, masks), target)) as tf.Scalar,
              variables as tf.Variable[],
            );
            optimiser.apply(variables.map((variable) => grads[variable.name]));
            return value.dataSync()[0];
          });
          lossSum += loss * (to - from);
        }
        // Mean squared error in the targets' own units.
        const loss = (lossSum / X.samples) * scaling.targetStd ** 2;
        const progress: EpochProgress = { epoch, epochs: training.epochs, loss, seconds: 0 };
        let monitored = loss;
        if (validation !== undefined) {
          progress.validationRmse = rmse(this.forwardAll(network, scaling, validation.X), validation.y);
          monitored = progress.validationRmse;
        }
        if (best === Number.POSITIVE_INFINITY || monitored < best - 1e-6 * best) {
          best = monitored;
          sinceBest = 0;
          sinceScheduleChange = 0;
          if (validation !== undefined) bestWeights = network.parameters.read();
        } else {
          sinceBest++;
          sinceScheduleChange++;
          if (sinceScheduleChange >= training.schedulePatience) {
            optimiser.learningRate = Math.max(
              training.minLearningRate,
              optimiser.learningRate * training.scheduleFactor,
            );
            sinceScheduleChange = 0;
          }
        }
        progress.seconds = (performance.now() - started) / 1000;
        options.onEpoch?.(progress);
        if (validation !== undefined && sinceBest >= training.patience) break;
        if (options.signal?.aborted) break;
        // Let timers and abort handlers run between epochs.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      optimiser.dispose();
    }
    if (bestWeights !== undefined) network.parameters.write(bestWeights);
  }
}

function readScaling(state: Record<string, unknown>): Scaling {
  const number = (key: string) => {
    const value = state[key];
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new ValidationError(`state.${key} must be a finite number`);
    return value;
  };
  const features = number('features');
  const steps = number('steps');
  const vector = (key: string) => {
    const value = state[key];
    if (!(value instanceof Float64Array) || value.length !== features) {
      throw new ValidationError(`state.${key} must be a float64 array of ${features} values`);
    }
    return value;
  };
  const scaling: Scaling = {
    features,
    steps,
    featureMeans: vector('featureMeans'),
    featureStds: vector('featureStds'),
    targetMean: number('targetMean'),
    targetStd: number('targetStd'),
  };
  if (Array.isArray(state.featureNames)) scaling.featureNames = state.featureNames.map(String);
  return scaling;
}
