/**
 * The one place that chooses the TensorFlow.js backend for sequence models. WebAssembly (XNNPACK, SIMD) is several
 * times faster than the pure-JavaScript 'cpu' backend for the small matrix products of recurrent nets, but it does
 * not register every gradient kernel: `Conv2DBackpropFilter` (the filter gradient of `tf.conv1d`/`tf.conv2d`) is
 * missing in tfjs-backend-wasm 4.22. The layers here avoid it (convolutions are im2col products, see `conv1d.ts`),
 * so every model trains on wasm; if a kernel listed in `REQUIRED_KERNELS` is ever missing, training falls back to
 * 'cpu' as a whole, and `sequenceBackend()` says so.
 */

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export { tf };

/** Forward and gradient kernels used by the layers, the optimiser and the losses of `src/models/sequence`. */
export const REQUIRED_KERNELS: readonly string[] = Object.freeze([
  'Add',
  'AddN',
  'BatchMatMul',
  'Cast',
  'Concat',
  'Fill',
  'Maximum',
  'Mean',
  'Multiply',
  'Neg',
  'Pack',
  'PadV2',
  'RealDiv',
  'Relu',
  'Reshape',
  'Sigmoid',
  'Slice',
  'Sqrt',
  'Square',
  'Step',
  'Sub',
  'Sum',
  'Tanh',
  'Transpose',
  'Unpack',
]);

export interface SequenceBackend {
  /** 'wasm' or, when a required kernel is missing there, 'cpu'. */
  name: string;
  /** Required kernels the preferred backend lacks (empty when it is in use). */
  missingKernels: string[];
}

let chosen: Promise<SequenceBackend> | undefined;

/** Kernels of `required` not registered for `backend`. */
export function missingKernels(backend: string, required: readonly string[] = REQUIRED_KERNELS): string[] {
  return required.filter((kernel) => tf.getKernel(kernel, backend) === undefined);
}

async function choose(): Promise<SequenceBackend> {
  const missing = missingKernels('wasm');
  if (missing.length === 0 && (await tf.setBackend('wasm'))) {
    await tf.ready();
    return { name: 'wasm', missingKernels: [] };
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { name: 'cpu', missingKernels: missing };
}

/** Initialises the backend once (later calls await the same promise); every model method awaits it first. */
export async function sequenceBackend(): Promise<SequenceBackend> {
  chosen ??= choose();
  const backend = await chosen;
  // Something else (a test, another library) may have switched the global backend since.
  if (tf.getBackend() !== backend.name) await tf.setBackend(backend.name);
  return backend;
}
