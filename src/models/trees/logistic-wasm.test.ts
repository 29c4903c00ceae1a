import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { histogramModule, sharedWasmMemory, wasmKernels } from './histogram-wasm.js';
import { LOGISTIC_TABLES_BYTES, writeLogisticTables } from './logistic-wasm.js';
import { binaryLogistic, sigmoid } from './objectives.js';

describe('WebAssembly logistic gradient pass', () => {
  const rows = 5001;
  const memory = sharedWasmMemory(4);
  const [marginsAt, labelsAt, weightsAt, pairsAt] = [0, 8 * rows, 16 * rows, 24 * rows];
  const tablesAt = 32 * rows;
  const margins = new Float64Array(memory.buffer, marginsAt, rows);
  const labels = new Float64Array(memory.buffer, labelsAt, rows);
  const weights = new Float64Array(memory.buffer, weightsAt, rows);
  const pairs = new Float32Array(memory.buffer, pairsAt, 2 * rows);
  const rng = new Rng(11);
  for (let i = 0; i < rows; i++) {
    // Mostly moderate margins, some huge ones where exp under- and overflows.
    margins[i] = rng.normal() * (i % 97 === 0 ? 400 : 4);
    labels[i] = rng.next() < 0.3 ? 1 : 0;
    weights[i] = 0.1 + 3 * rng.next();
  }
  margins.set([0, -0, 745, -745, 800, -800, 1e-300, -1e-300, 36.7, -36.7], 0);
  writeLogisticTables(memory.buffer, tablesAt);
  const module = histogramModule(3, 8);
  if (!module) throw new Error('WebAssembly SIMD unavailable');
  const kernels = wasmKernels(module, memory);

  it('fits its tables in the bytes it claims', () => {
    expect(tablesAt + LOGISTIC_TABLES_BYTES).toBeLessThanOrEqual(memory.buffer.byteLength);
  });

  for (const weighted of [false, true]) {
    it(`writes the JavaScript pass's pairs bit for bit (${weighted ? 'weighted' : 'unweighted'}, odd ranges)`, () => {
      const pass = weighted ? kernels.weightedLogisticGradients : kernels.logisticGradients;
      const expected = new Float32Array(2 * rows);
      for (const [begin, end] of [
        [0, rows],
        [3, 4],
        [7, 7],
        [1, 2048],
        [2048, rows],
      ]) {
        pairs.fill(Number.NaN);
        expected.fill(Number.NaN);
        pass(marginsAt, labelsAt, weightsAt, pairsAt, begin, end, tablesAt);
        binaryLogistic.gradientRange(margins, labels, weighted ? weights : new Float64Array(0), [expected], begin, end);
        // Rows outside the range stay untouched (NaN) on both sides.
        expect(pairs).toEqual(expected);
      }
    });
  }

  it('gives p − y and p(1 − p) for σ(margin)', () => {
    kernels.logisticGradients(marginsAt, labelsAt, weightsAt, pairsAt, 0, rows, tablesAt);
    for (const i of [0, 10, 11, 12, 500, 4999, 5000]) {
      const p = sigmoid(margins[i]);
      expect(pairs[2 * i]).toBe(Math.fround(p - labels[i]));
      expect(pairs[2 * i + 1]).toBe(Math.fround(Math.max(p * (1 - p), 1e-16)));
    }
    // The hessian floor where σ saturates.
    expect(pairs[2 * 4 + 1]).toBe(Math.fround(1e-16));
  });
});
