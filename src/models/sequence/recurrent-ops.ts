/**
 * A stack of LSTM or GRU layers as one differentiable op with hand-written backpropagation through time. Recording
 * every step on the tfjs tape costs ~30 small kernels per step and one weight-gradient product per step; here each
 * step runs a few fused-size kernels, the weight gradients are one product over all T × B rows per matrix, and
 * per-step tensors pass between layers without stacking (on the wasm backend a slice copies its whole input, and a
 * transposed `matMul` takes a slow path, so both are avoided in the loops). Gate order is i, f, o, g for the LSTM
 * (Hochreiter & Schmidhuber 1997, with a forget gate) and r, z, n for the GRU (Cho et al. 2014, reset applied after
 * the recurrent product as in PyTorch and Keras `reset_after`). Cost O(T · B · Σ U·(F + U)) forward and backward.
 */

import { tf } from './backend.js';

type Tensor = tf.Tensor;
type Tensor2D = tf.Tensor2D;

export type RecurrentCell = 'lstm' | 'gru';

/** Weights of one layer: LSTM [kernel F×4U, recurrent U×4U, bias 4U]; GRU [kernel, recurrent, bias, recurrentBias]. */
export type LayerWeights = Tensor[];

export const WEIGHTS_PER_LAYER: Record<RecurrentCell, number> = { lstm: 3, gru: 4 };

interface LayerPass {
  outputs: Tensor2D[];
  /** Tensors the backward pass needs, saved through the op's `save`. */
  saved: Tensor2D[];
}

function lstmForward(inputs: Tensor2D[], [kernel, recurrent, bias]: LayerWeights): LayerPass {
  const units = recurrent.shape[0] as number;
  const saved: Tensor2D[] = [];
  const outputs: Tensor2D[] = [];
  let cell: Tensor2D | undefined;
  for (let t = 0; t < inputs.length; t++) {
    const projected = tf.fused.matMul({ a: inputs[t], b: kernel as Tensor2D, bias });
    const z = t === 0 ? projected : tf.add(projected, tf.matMul(outputs[t - 1], recurrent as Tensor2D));
    const [gatesInput, candidateInput] = tf.split(z, [3 * units, units], 1);
    const gates = tf.sigmoid(gatesInput) as Tensor2D;
    const candidate = tf.tanh(candidateInput) as Tensor2D;
    const [inputGate, forgetGate, outputGate] = tf.split(gates, 3, 1);
    const written = tf.mul(inputGate, candidate);
    const next = (cell === undefined ? written : tf.add(tf.mul(forgetGate, cell), written)) as Tensor2D;
    const cellTanh = tf.tanh(next) as Tensor2D;
    outputs.push(tf.mul(outputGate, cellTanh) as Tensor2D);
    saved.push(gates, candidate, next, cellTanh);
    cell = next;
  }
  return { outputs, saved };
}

interface LayerGradients {
  /** Gradient of each step's input (undefined when not asked for). */
  inputs: Tensor2D[] | undefined;
  weights: Tensor[];
}

/** `aᵀ b` over all steps' rows, with an explicit transpose (wasm's transposed matMul is ~10× slower). */
function stepsProduct(left: Tensor2D[], right: Tensor2D[]): Tensor2D {
  return tf.matMul(tf.transpose(tf.concat(left, 0)), tf.concat(right, 0)) as Tensor2D;
}

function lstmBackward(
  inputs: Tensor2D[],
  outputs: Tensor2D[],
  saved: Tensor2D[],
  upstream: (Tensor2D | undefined)[],
  [kernel, recurrent]: LayerWeights,
  needInputs: boolean,
): LayerGradients {
  const steps = inputs.length;
  const recurrentT = tf.transpose(recurrent) as Tensor2D;
  const kernelT = tf.transpose(kernel) as Tensor2D;
  const gateGradients: Tensor2D[] = new Array(steps);
  const inputGradients: Tensor2D[] | undefined = needInputs ? new Array(steps) : undefined;
  let hiddenNext: Tensor2D | undefined;
  let cellNext: Tensor2D | undefined;
  for (let t = steps - 1; t >= 0; t--) {
    const [gates, candidate, , cellTanh] = saved.slice(4 * t, 4 * t + 4);
    const parts = [upstream[t], hiddenNext].filter((part) => part !== undefined);
    const dh = (parts.length === 2 ? tf.add(parts[0], parts[1]) : (parts[0] ?? tf.zerosLike(cellTanh))) as Tensor2D;
    const [inputGate, forgetGate, outputGate] = tf.split(gates, 3, 1);
    const dOutput = tf.mul(dh, cellTanh);
    let dCell = tf.mul(tf.mul(dh, outputGate), tf.sub(1, tf.square(cellTanh)));
    if (cellNext !== undefined) dCell = tf.add(dCell, cellNext);
    const dInput = tf.mul(dCell, candidate);
    const dForget = t === 0 ? tf.zerosLike(dCell) : tf.mul(dCell, saved[4 * (t - 1) + 2]);
    const dCandidate = tf.mul(dCell, inputGate);
    cellNext = tf.mul(dCell, forgetGate) as Tensor2D;
    const gateSlope = tf.mul(gates, tf.sub(1, gates));
    const dz = tf.concat(
      [
        tf.mul(tf.concat([dInput, dForget, dOutput], 1), gateSlope),
        tf.mul(dCandidate, tf.sub(1, tf.square(candidate))),
      ],
      1,
    ) as Tensor2D;
    gateGradients[t] = dz;
    if (t > 0) hiddenNext = tf.matMul(dz, recurrentT) as Tensor2D;
    if (inputGradients !== undefined) inputGradients[t] = tf.matMul(dz, kernelT) as Tensor2D;
  }
  const dKernel = stepsProduct(inputs, gateGradients);
  const dRecurrent =
    steps > 1 ? stepsProduct(outputs.slice(0, steps - 1), gateGradients.slice(1)) : tf.zerosLike(recurrent);
  const dBias = tf.sum(tf.concat(gateGradients, 0), 0);
  return { inputs: inputGradients, weights: [dKernel, dRecurrent, dBias] };
}

function gruForward(inputs: Tensor2D[], [kernel, recurrent, bias, recurrentBias]: LayerWeights): LayerPass {
  const units = recurrent.shape[0] as number;
  const batch = inputs[0].shape[0];
  const saved: Tensor2D[] = [];
  const outputs: Tensor2D[] = [];
  let previous = tf.zeros([batch, units]) as Tensor2D;
  saved.push(previous);
  for (let t = 0; t < inputs.length; t++) {
    const projected = tf.fused.matMul({ a: inputs[t], b: kernel as Tensor2D, bias });
    const recurrentPart = tf.fused.matMul({ a: previous, b: recurrent as Tensor2D, bias: recurrentBias });
    const [inputGates, inputCandidate] = tf.split(projected, [2 * units, units], 1);
    const [recurrentGates, recurrentCandidate] = tf.split(recurrentPart, [2 * units, units], 1);
    const gates = tf.sigmoid(tf.add(inputGates, recurrentGates)) as Tensor2D;
    const [reset, update] = tf.split(gates, 2, 1);
    const candidate = tf.tanh(tf.add(inputCandidate, tf.mul(reset, recurrentCandidate))) as Tensor2D;
    const hidden = tf.add(candidate, tf.mul(update, tf.sub(previous, candidate))) as Tensor2D;
    outputs.push(hidden);
    saved.push(gates, recurrentCandidate as Tensor2D, candidate);
    previous = hidden;
  }
  return { outputs, saved };
}

function gruBackward(
  inputs: Tensor2D[],
  outputs: Tensor2D[],
  saved: Tensor2D[],
  upstream: (Tensor2D | undefined)[],
  [kernel, recurrent]: LayerWeights,
  needInputs: boolean,
): LayerGradients {
  const steps = inputs.length;
  const initial = saved[0];
  const recurrentT = tf.transpose(recurrent) as Tensor2D;
  const kernelT = tf.transpose(kernel) as Tensor2D;
  const inputSide: Tensor2D[] = new Array(steps);
  const recurrentSide: Tensor2D[] = new Array(steps);
  const inputGradients: Tensor2D[] | undefined = needInputs ? new Array(steps) : undefined;
  let hiddenNext: Tensor2D | undefined;
  for (let t = steps - 1; t >= 0; t--) {
    const [gates, recurrentCandidate, candidate] = saved.slice(1 + 3 * t, 4 + 3 * t);
    const parts = [upstream[t], hiddenNext].filter((part) => part !== undefined);
    const dh = (parts.length === 2 ? tf.add(parts[0], parts[1]) : (parts[0] ?? tf.zerosLike(candidate))) as Tensor2D;
    const previous = t === 0 ? initial : outputs[t - 1];
    const [reset, update] = tf.split(gates, 2, 1);
    const dUpdate = tf.mul(dh, tf.sub(previous, candidate));
    const dCandidate = tf.mul(tf.mul(dh, tf.sub(1, update)), tf.sub(1, tf.square(candidate)));
    const dReset = tf.mul(dCandidate, recurrentCandidate);
    const dGates = tf.mul(tf.concat([dReset, dUpdate], 1), tf.mul(gates, tf.sub(1, gates)));
    const dInput = tf.concat([dGates, dCandidate], 1) as Tensor2D;
    const dRecurrent = tf.concat([dGates, tf.mul(dCandidate, reset)], 1) as Tensor2D;
    inputSide[t] = dInput;
    recurrentSide[t] = dRecurrent;
    if (t > 0) hiddenNext = tf.add(tf.mul(dh, update), tf.matMul(dRecurrent, recurrentT)) as Tensor2D;
    if (inputGradients !== undefined) inputGradients[t] = tf.matMul(dInput, kernelT) as Tensor2D;
  }
  const dKernel = stepsProduct(inputs, inputSide);
  const dRecurrentKernel =
    steps > 1 ? stepsProduct(outputs.slice(0, steps - 1), recurrentSide.slice(1)) : tf.zerosLike(recurrent);
  const dBias = tf.sum(tf.concat(inputSide, 0), 0);
  const dRecurrentBias = tf.sum(tf.concat(recurrentSide, 0), 0);
  return { inputs: inputGradients, weights: [dKernel, dRecurrentKernel, dBias, dRecurrentBias] };
}

const CELLS = {
  lstm: { forward: lstmForward, backward: lstmBackward },
  gru: { forward: gruForward, backward: gruBackward },
};

/**
 * Runs `layers.length` stacked recurrent layers over `x [T, B, F]` (time-major) from zero states and returns the
 * last hidden state of the top layer `[B, U]`. `masks[l]` (optional, `[B, U_l]`) multiplies every step's output of
 * layer l before layer l + 1 (variational dropout). Differentiable in the weights; the gradient of `x` is zero (it
 * is data).
 */
export function recurrentStack(
  cell: RecurrentCell,
  x: tf.Tensor3D,
  layers: readonly LayerWeights[],
  masks?: readonly Tensor2D[],
): Tensor2D {
  const { forward, backward } = CELLS[cell];
  const perLayer = WEIGHTS_PER_LAYER[cell];
  const counts: number[] = [];
  const op = tf.customGrad(
    // biome-ignore lint/suspicious/noExplicitAny: tf.customGrad passes its inputs as untyped rest arguments.
    (...args: any[]) => {
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const input = args[0] as tf.Tensor3D;
      const weights = args.slice(1, args.length - 1) as Tensor[];
      const steps = input.shape[0];
      let sequence = tf.unstack(input) as Tensor2D[];
      const toSave: Tensor[] = [...weights];
      for (let layer = 0; layer < layers.length; layer++) {
        const layerWeights = weights.slice(layer * perLayer, (layer + 1) * perLayer);
        const mask = layer > 0 ? masks?.[layer - 1] : undefined;
        const layerInputs = mask === undefined ? sequence : sequence.map((step) => tf.mul(step, mask) as Tensor2D);
        const pass = forward(layerInputs, layerWeights);
        counts.push(pass.saved.length);
        toSave.push(...layerInputs, ...pass.outputs, ...pass.saved);
        sequence = pass.outputs;
      }
      // The masks are closed over, not inputs: save them too, or they are disposed before the backward pass.
      save([...toSave, ...(masks ?? [])]);
      const value = sequence[steps - 1];
      const gradFunc = (dy: Tensor2D, saved: Tensor[]) => {
        const savedWeights = saved.slice(0, weights.length);
        let offset = weights.length;
        const records = layers.map((_, layer) => {
          const inputs = saved.slice(offset, offset + steps) as Tensor2D[];
          const outputs = saved.slice(offset + steps, offset + 2 * steps) as Tensor2D[];
          const cache = saved.slice(offset + 2 * steps, offset + 2 * steps + counts[layer]) as Tensor2D[];
          offset += 2 * steps + counts[layer];
          return { inputs, outputs, cache };
        });
        const savedMasks = saved.slice(offset) as Tensor2D[];
        const weightGradients: Tensor[] = new Array(weights.length);
        let upstream: (Tensor2D | undefined)[] = new Array(steps).fill(undefined);
        upstream[steps - 1] = dy;
        for (let layer = layers.length - 1; layer >= 0; layer--) {
          const { inputs, outputs, cache } = records[layer];
          const layerWeights = savedWeights.slice(layer * perLayer, (layer + 1) * perLayer);
          const gradients = backward(inputs, outputs, cache, upstream, layerWeights, layer > 0);
          gradients.weights.forEach((gradient, index) => {
            weightGradients[layer * perLayer + index] = gradient;
          });
          const mask = layer > 0 ? savedMasks[layer - 1] : undefined;
          const below = gradients.inputs ?? [];
          upstream = mask === undefined ? below : below.map((step) => tf.mul(step, mask) as Tensor2D);
        }
        return [tf.zerosLike(x), ...weightGradients];
      };
      return { value, gradFunc };
    },
  );
  return op(x, ...layers.flat()) as Tensor2D;
}
