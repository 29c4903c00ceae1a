/**
 * Whole-sequence LSTM and GRU layers as single differentiable ops with hand-written backpropagation through time.
 * Recording every step on the tfjs tape costs ~30 small kernels per step plus a weight-gradient product per step;
 * here the input projection and the weight gradients are one large product each over all T × B rows, and the
 * backward loop only carries the recurrent terms. Inputs are time-major `[T, B, F]`; outputs are every hidden state
 * `[T, B, U]`. Gate order is i, f, o, g for the LSTM (Hochreiter & Schmidhuber 1997, with a forget gate) and r, z, n
 * for the GRU (Cho et al. 2014, reset applied after the recurrent product as in PyTorch and Keras `reset_after`).
 */

import { tf } from './backend.js';

type Tensor = tf.Tensor;
type Tensor2D = tf.Tensor2D;

function saveAll(save: unknown, tensors: Tensor[]): void {
  (save as tf.GradSaveFunc)(tensors);
}

/** Rows `t·B … (t+1)·B − 1` of every `[T·B, …]` matrix are step t; `concat` of per-step matrices gives that layout. */
function stepRows(tensors: Tensor2D[], from: number, to: number): Tensor2D {
  return tf.concat(tensors.slice(from, to), 0);
}

/**
 * LSTM over a whole sequence: `x [T, B, F]`, input kernel `W [F, 4U]`, recurrent kernel `R [U, 4U]`, bias `b [4U]`
 * → hidden states `[T, B, U]`, starting from zero state. O(T · B · U · (F + U)) forward and backward.
 */
export const lstmSequence = tf.customGrad(
  // biome-ignore lint/suspicious/noExplicitAny: tf.customGrad's signature takes untyped rest arguments.
  (...args: any[]) => {
    const [x, W, R, b, save] = args as [tf.Tensor3D, Tensor2D, Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const [steps, batch, features] = x.shape;
    const units = R.shape[0];
    const flatX = tf.reshape(x, [steps * batch, features]) as Tensor2D;
    const projections = tf.split(tf.add(tf.matMul(flatX, W), b) as Tensor2D, steps, 0);
    const sigmoids: Tensor2D[] = [];
    const candidates: Tensor2D[] = [];
    const cells: Tensor2D[] = [];
    const cellTanhs: Tensor2D[] = [];
    const hiddens: Tensor2D[] = [];
    for (let t = 0; t < steps; t++) {
      const z = t === 0 ? projections[0] : tf.add(projections[t], tf.matMul(hiddens[t - 1], R));
      const [gatesInput, candidateInput] = tf.split(z, [3 * units, units], 1);
      const gates = tf.sigmoid(gatesInput);
      const candidate = tf.tanh(candidateInput);
      const [inputGate, forgetGate, outputGate] = tf.split(gates, 3, 1);
      const written = tf.mul(inputGate, candidate);
      const cell = t === 0 ? written : tf.add(tf.mul(forgetGate, cells[t - 1]), written);
      const cellTanh = tf.tanh(cell);
      sigmoids.push(gates as Tensor2D);
      candidates.push(candidate as Tensor2D);
      cells.push(cell as Tensor2D);
      cellTanhs.push(cellTanh as Tensor2D);
      hiddens.push(tf.mul(outputGate, cellTanh) as Tensor2D);
    }
    saveAll(save, [x, W, R, ...sigmoids, ...candidates, ...cells, ...cellTanhs, ...hiddens]);
    const value = tf.stack(hiddens) as tf.Tensor3D;
    const gradFunc = (dy: tf.Tensor3D, saved: Tensor[]) => {
      const [sx, sW, sR] = saved as [tf.Tensor3D, Tensor2D, Tensor2D];
      const part = (index: number) => saved.slice(3 + index * steps, 3 + (index + 1) * steps) as Tensor2D[];
      const [gatesOf, candidateOf, cellOf, cellTanhOf, hiddenOf] = [part(0), part(1), part(2), part(3), part(4)];
      const upstream = tf.unstack(dy) as Tensor2D[];
      const gateGradients: Tensor2D[] = new Array(steps);
      let hiddenNext: Tensor2D | undefined;
      let cellNext: Tensor2D | undefined;
      for (let t = steps - 1; t >= 0; t--) {
        const dh = hiddenNext === undefined ? upstream[t] : tf.add(upstream[t], hiddenNext);
        const [inputGate, forgetGate, outputGate] = tf.split(gatesOf[t], 3, 1);
        const cellTanh = cellTanhOf[t];
        const dOutput = tf.mul(dh, cellTanh);
        let dCell = tf.mul(tf.mul(dh, outputGate), tf.sub(1, tf.square(cellTanh)));
        if (cellNext !== undefined) dCell = tf.add(dCell, cellNext);
        const dInput = tf.mul(dCell, candidateOf[t]);
        const dForget = t === 0 ? tf.zerosLike(dCell) : tf.mul(dCell, cellOf[t - 1]);
        const dCandidate = tf.mul(dCell, inputGate);
        cellNext = tf.mul(dCell, forgetGate) as Tensor2D;
        const gateSlope = tf.mul(gatesOf[t], tf.sub(1, gatesOf[t]));
        const candidateSlope = tf.sub(1, tf.square(candidateOf[t]));
        const dz = tf.concat(
          [tf.mul(tf.concat([dInput, dForget, dOutput], 1), gateSlope), tf.mul(dCandidate, candidateSlope)],
          1,
        ) as Tensor2D;
        gateGradients[t] = dz;
        if (t > 0) hiddenNext = tf.matMul(dz, sR, false, true) as Tensor2D;
      }
      const dZ = stepRows(gateGradients, 0, steps);
      const flatInput = tf.reshape(sx, [steps * batch, features]) as Tensor2D;
      const dW = tf.matMul(flatInput, dZ, true, false);
      const dR =
        steps > 1
          ? tf.matMul(stepRows(hiddenOf, 0, steps - 1), stepRows(gateGradients, 1, steps), true, false)
          : tf.zerosLike(sR);
      const db = tf.sum(dZ, 0);
      const dx = tf.reshape(tf.matMul(dZ, sW, false, true), [steps, batch, features]);
      return [dx, dW, dR, db];
    };
    return { value, gradFunc };
  },
) as (x: tf.Tensor3D, W: Tensor2D, R: Tensor2D, b: tf.Tensor1D) => tf.Tensor3D;

/**
 * GRU over a whole sequence: `x [T, B, F]`, input kernel `W [F, 3U]`, recurrent kernel `R [U, 3U]`, input bias
 * `bx [3U]`, recurrent bias `bh [3U]` → hidden states `[T, B, U]` from a zero state. h' = n + z ⊙ (h − n) with
 * n = tanh(xWn + bxn + r ⊙ (hRn + bhn)). O(T · B · U · (F + U)) forward and backward.
 */
export const gruSequence = tf.customGrad(
  // biome-ignore lint/suspicious/noExplicitAny: tf.customGrad's signature takes untyped rest arguments.
  (...args: any[]) => {
    const [x, W, R, bx, bh, save] = args as [
      tf.Tensor3D,
      Tensor2D,
      Tensor2D,
      tf.Tensor1D,
      tf.Tensor1D,
      tf.GradSaveFunc,
    ];
    const [steps, batch, features] = x.shape;
    const units = R.shape[0];
    const flatX = tf.reshape(x, [steps * batch, features]) as Tensor2D;
    const projections = tf.split(tf.add(tf.matMul(flatX, W), bx) as Tensor2D, steps, 0);
    const initial = tf.zeros([batch, units]) as Tensor2D;
    const gatesOf: Tensor2D[] = [];
    const recurrentCandidates: Tensor2D[] = [];
    const candidates: Tensor2D[] = [];
    const hiddens: Tensor2D[] = [];
    let previous = initial;
    for (let t = 0; t < steps; t++) {
      const recurrent = tf.add(tf.matMul(previous, R), bh);
      const [inputGates, inputCandidate] = tf.split(projections[t], [2 * units, units], 1);
      const [recurrentGates, recurrentCandidate] = tf.split(recurrent, [2 * units, units], 1);
      const gates = tf.sigmoid(tf.add(inputGates, recurrentGates)) as Tensor2D;
      const [reset, update] = tf.split(gates, 2, 1);
      const candidate = tf.tanh(tf.add(inputCandidate, tf.mul(reset, recurrentCandidate))) as Tensor2D;
      const hidden = tf.add(candidate, tf.mul(update, tf.sub(previous, candidate))) as Tensor2D;
      gatesOf.push(gates);
      recurrentCandidates.push(recurrentCandidate as Tensor2D);
      candidates.push(candidate);
      hiddens.push(hidden);
      previous = hidden;
    }
    saveAll(save, [x, W, R, initial, ...gatesOf, ...recurrentCandidates, ...candidates, ...hiddens]);
    const value = tf.stack(hiddens) as tf.Tensor3D;
    const gradFunc = (dy: tf.Tensor3D, saved: Tensor[]) => {
      const [sx, sW, sR, sInitial] = saved as [tf.Tensor3D, Tensor2D, Tensor2D, Tensor2D];
      const part = (index: number) => saved.slice(4 + index * steps, 4 + (index + 1) * steps) as Tensor2D[];
      const [gates, recurrentCandidateOf, candidateOf, hiddenOf] = [part(0), part(1), part(2), part(3)];
      const upstream = tf.unstack(dy) as Tensor2D[];
      const inputGradients: Tensor2D[] = new Array(steps);
      const recurrentGradients: Tensor2D[] = new Array(steps);
      let hiddenNext: Tensor2D | undefined;
      for (let t = steps - 1; t >= 0; t--) {
        const dh = hiddenNext === undefined ? upstream[t] : tf.add(upstream[t], hiddenNext);
        const previous = t === 0 ? sInitial : hiddenOf[t - 1];
        const [reset, update] = tf.split(gates[t], 2, 1);
        const candidate = candidateOf[t];
        const dUpdate = tf.mul(dh, tf.sub(previous, candidate));
        const dCandidate = tf.mul(tf.mul(dh, tf.sub(1, update)), tf.sub(1, tf.square(candidate)));
        const dReset = tf.mul(dCandidate, recurrentCandidateOf[t]);
        const dGates = tf.mul(tf.concat([dReset, dUpdate], 1), tf.mul(gates[t], tf.sub(1, gates[t])));
        const dInput = tf.concat([dGates, dCandidate], 1) as Tensor2D;
        const dRecurrent = tf.concat([dGates, tf.mul(dCandidate, reset)], 1) as Tensor2D;
        inputGradients[t] = dInput;
        recurrentGradients[t] = dRecurrent;
        if (t > 0) hiddenNext = tf.add(tf.mul(dh, update), tf.matMul(dRecurrent, sR, false, true)) as Tensor2D;
      }
      const dInputs = stepRows(inputGradients, 0, steps);
      const dRecurrents = stepRows(recurrentGradients, 0, steps);
      const flatInput = tf.reshape(sx, [steps * batch, features]) as Tensor2D;
      const dW = tf.matMul(flatInput, dInputs, true, false);
      const dR =
        steps > 1
          ? tf.matMul(stepRows(hiddenOf, 0, steps - 1), stepRows(recurrentGradients, 1, steps), true, false)
          : tf.zerosLike(sR);
      const dbx = tf.sum(dInputs, 0);
      const dbh = tf.sum(dRecurrents, 0);
      const dx = tf.reshape(tf.matMul(dInputs, sW, false, true), [steps, batch, features]);
      return [dx, dW, dR, dbx, dbh];
    };
    return { value, gradFunc };
  },
) as (x: tf.Tensor3D, W: Tensor2D, R: Tensor2D, bx: tf.Tensor1D, bh: tf.Tensor1D) => tf.Tensor3D;
