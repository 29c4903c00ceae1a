import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { missingKernels, REQUIRED_KERNELS, sequenceBackend, tf } from './backend.js';
import { ConvNetwork } from './conv-network.js';
import { type RecurrentCell, recurrentStack } from './recurrent-ops.js';

const [T, B, F, U1, U2] = [5, 3, 4, 6, 5];

/** Textbook per-step LSTM/GRU on the tfjs tape, to check the hand-written backpropagation against. */
function tapeLayer(cell: RecurrentCell, inputs: tf.Tensor2D[], weights: tf.Tensor[], units: number): tf.Tensor2D[] {
  let h = tf.zeros([B, units]) as tf.Tensor2D;
  let c = tf.zeros([B, units]);
  const outputs: tf.Tensor2D[] = [];
  for (const x of inputs) {
    if (cell === 'lstm') {
      const [W, R, b] = weights;
      const z = tf.add(tf.add(tf.matMul(x, W as tf.Tensor2D), tf.matMul(h, R as tf.Tensor2D)), b);
      const [i, f, o, g] = tf.split(z, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      h = tf.mul(tf.sigmoid(o), tf.tanh(c)) as tf.Tensor2D;
    } else {
      const [W, R, bx, bh] = weights;
      const [xr, xz, xn] = tf.split(tf.add(tf.matMul(x, W as tf.Tensor2D), bx), 3, 1);
      const [hr, hz, hn] = tf.split(tf.add(tf.matMul(h, R as tf.Tensor2D), bh), 3, 1);
      const reset = tf.sigmoid(tf.add(xr, hr));
      const update = tf.sigmoid(tf.add(xz, hz));
      const candidate = tf.tanh(tf.add(xn, tf.mul(reset, hn)));
      h = tf.add(tf.mul(tf.sub(1, update), candidate), tf.mul(update, h)) as tf.Tensor2D;
    }
    outputs.push(h);
  }
  return outputs;
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((product, length) => product * length, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => 0.5 * rng.normal()),
    shape,
  );
}

beforeAll(async () => {
  await sequenceBackend();
});

describe('sequence backend', () => {
  it('trains on wasm: every kernel the layers need is registered there', async () => {
    // tf.conv1d would need Conv2DBackpropFilter, which tfjs-backend-wasm 4.22 lacks; conv-network.ts uses im2col.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(missingKernels('wasm')).toEqual([]);
    expect(REQUIRED_KERNELS).toContain('BatchMatMul');
    expect((await sequenceBackend()).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});

describe('recurrentStack', () => {
  it.each(['lstm', 'gru'] as const)(
    '%s: value and weight gradients match the tape of a per-step implementation',
    (cell) => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const gates = cell === 'lstm' ? 4 : 3;
        const layerShapes = (inputs: number, units: number) =>
          cell === 'lstm'
            ? [[inputs, gates * units], [units, gates * units], [gates * units]]
            : [[inputs, gates * units], [units, gates * units], [gates * units], [gates * units]];
        const shapes = [...layerShapes(F, U1), ...layerShapes(U1, U2)];
        const weights = shapes.map((shape, index) => randomTensor(shape, 10 + index));
        const perLayer = shapes.length / 2;
        const x = randomTensor([T, B, F], 1) as tf.Tensor3D;
        const mask = tf.tensor2d(
          Float32Array.from({ length: B * U1 }, (_, i) => (i % 3 === 0 ? 0 : 1.5)),
          [B, U1],
        );
        const readout = randomTensor([B, U2], 2);
        const fused = (...w: tf.Tensor[]) =>
          tf.sum(
            tf.mul(recurrentStack(cell, x, [w.slice(0, perLayer), w.slice(perLayer)], [mask]), readout),
          ) as tf.Scalar;
        const tape = (...w: tf.Tensor[]) => {
          const first = tapeLayer(cell, tf.unstack(x) as tf.Tensor2D[], w.slice(0, perLayer), U1);
          const masked = first.map((h) => tf.mul(h, mask) as tf.Tensor2D);
          const second = tapeLayer(cell, masked, w.slice(perLayer), U2);
          return tf.sum(tf.mul(second[T - 1], readout)) as tf.Scalar;
        };
        expect(fused(...weights).dataSync()[0]).toBeCloseTo(tape(...weights).dataSync()[0], 5);
        const fusedGradients = tf.grads(fused)(weights);
        const tapeGradients = tf.grads(tape)(weights);
        fusedGradients.forEach((gradient, index) => {
          const difference = tf.max(tf.abs(tf.sub(gradient, tapeGradients[index]))).dataSync()[0];
          expect(difference, `gradient of weight ${index}`).toBeLessThan(1e-5);
        });
      });
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});

describe('ConvNetwork', () => {
  it('has the same gradients on wasm as on the cpu backend', async () => {
    const gradientsOn = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const network = new ConvNetwork({ filters: [3, 2], kernelSize: 2, denseUnits: 4 }, 6, 2, new Rng(5));
        const x = randomTensor([3, 6, 2], 3) as tf.Tensor3D;
        const { grads } = tf.variableGrads(
          () => tf.sum(tf.square(network.forward(x))) as tf.Scalar,
          network.parameters.variables as tf.Variable[],
        );
        const values = network.parameters.variables.map((variable) => Array.from(grads[variable.name].dataSync()));
        network.parameters.dispose();
        return values;
      });
    };
    const onCpu = await gradientsOn('cpu');
    const onWasm = await gradientsOn('wasm');
    await sequenceBackend();
    expect(onWasm.length).toBe(onCpu.length);
    onWasm.forEach((values, index) => {
      values.forEach((value, k) => {
        expect(value).toBeCloseTo(onCpu[index][k], 4);
      });
    });
  });
});
