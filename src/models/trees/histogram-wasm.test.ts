import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { buildHistogram } from './histogram.js';
import {
  histogramModule,
  histogramModuleBytes,
  PREFETCH_DISTANCE,
  sharedWasmMemory,
  wasmKernels,
} from './histogram-wasm.js';
import { isSparseRange } from './row-passes.js';

describe('WebAssembly histogram kernel', () => {
  it('assembles a valid module for any column count and stride', () => {
    for (const [cols, shift] of [
      [1, 2],
      [7, 5],
      [20, 9],
      [300, 9],
    ]) {
      const bytes = histogramModuleBytes(cols, shift);
      expect(Array.from(bytes.subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
      expect(histogramModule(cols, shift)).not.toBeNull();
    }
  });

  it('adds the same pairs in the same order as the JavaScript kernel: bit-identical histograms', () => {
    const rows = 3000;
    const cols = 7;
    const shift = 7;
    const size = cols << shift;
    const memory = sharedWasmMemory(4);
    const binsAt = 0;
    const rowIndexAt = 32_768;
    const gradientsAt = 65_536;
    const histogramAt = 163_840;
    const rng = new Rng(5);
    const bins = new Uint8Array(memory.buffer, binsAt, rows * cols);
    for (let i = 0; i < bins.length; i++) bins[i] = rng.int(60);
    const rowIndex = new Int32Array(memory.buffer, rowIndexAt, rows);
    // A node's rows: every third row, in order.
    let count = 0;
    for (let row = 0; row < rows; row += 3) rowIndex[count++] = row;
    const gradients = new Float32Array(memory.buffer, gradientsAt, 2 * rows);
    for (let i = 0; i < gradients.length; i++) gradients[i] = rng.normal() * 10 ** rng.int(6);
    const histogram = new Float64Array(memory.buffer, histogramAt, size);
    const module = histogramModule(cols, shift);
    if (!module) throw new Error('WebAssembly SIMD unavailable');
    wasmKernels(module, memory).histogram(binsAt, rowIndexAt, 5, count, gradientsAt, histogramAt);
    const expected = new Float64Array(size);
    buildHistogram(bins, cols, shift, rowIndex, 5, count, gradients, expected, null);
    expect(Array.from(histogram)).toEqual(Array.from(expected));
    // A hand-checked slot: feature 2's bin of row rowIndex[5], holding at least that row's gradient.
    const row = rowIndex[5];
    expect(histogram[(2 << shift) + 2 * bins[row * cols + 2] + 1]).not.toBe(0);
    // An empty range adds nothing.
    histogram.fill(0);
    wasmKernels(module, memory).histogram(binsAt, rowIndexAt, 10, 10, gradientsAt, histogramAt);
    expect(histogram.every((value) => value === 0)).toBe(true);
  });

  it('gives the sparse-node variant the same histogram, up to the last row of the index', () => {
    const rows = 4000;
    const cols = 5;
    const shift = 6;
    const size = cols << shift;
    const memory = sharedWasmMemory(4);
    const [binsAt, rowIndexAt, gradientsAt, denseAt, sparseAt] = [0, 32_768, 65_536, 196_608, 229_376];
    const rng = new Rng(9);
    const bins = new Uint8Array(memory.buffer, binsAt, rows * cols);
    for (let i = 0; i < bins.length; i++) bins[i] = rng.int(30);
    const gradients = new Float32Array(memory.buffer, gradientsAt, 2 * rows);
    for (let i = 0; i < gradients.length; i++) gradients[i] = rng.normal();
    // Every 20th row: the index ends at the node's end, so the rows ahead of the last ones do not exist.
    const count = rows / 20;
    const rowIndex = new Int32Array(memory.buffer, rowIndexAt, count);
    for (let i = 0; i < count; i++) rowIndex[i] = 20 * i;
    // Past the node's end lies no row: reading a row ahead from there would fall outside the memory and trap.
    new Int32Array(memory.buffer, rowIndexAt + 4 * count, 2 * PREFETCH_DISTANCE).fill(100_000_000);
    expect(isSparseRange(rowIndex, 0, count)).toBe(true);
    expect(count).toBeGreaterThan(PREFETCH_DISTANCE);
    const module = histogramModule(cols, shift);
    if (!module) throw new Error('WebAssembly SIMD unavailable');
    const { histogram, sparseHistogram } = wasmKernels(module, memory);
    for (const [begin, end] of [
      [0, count],
      [count - 3, count],
      [7, 8],
    ]) {
      const dense = new Float64Array(memory.buffer, denseAt, size).fill(0);
      const sparse = new Float64Array(memory.buffer, sparseAt, size).fill(0);
      histogram(binsAt, rowIndexAt, begin, end, gradientsAt, denseAt);
      sparseHistogram(binsAt, rowIndexAt, begin, end, gradientsAt, sparseAt);
      expect(Array.from(sparse)).toEqual(Array.from(dense));
      expect(dense.some((value) => value !== 0)).toBe(true);
    }
  });

  it('calls a range sparse when its rows are under an eighth of the rows they span', () => {
    const dense = Int32Array.from({ length: 100 }, (_, i) => i);
    const everyFourth = Int32Array.from({ length: 100 }, (_, i) => 4 * i);
    const everyNinth = Int32Array.from({ length: 100 }, (_, i) => 9 * i);
    expect(isSparseRange(dense, 0, 100)).toBe(false);
    expect(isSparseRange(everyFourth, 0, 100)).toBe(false);
    expect(isSparseRange(everyNinth, 0, 100)).toBe(true);
    expect(isSparseRange(everyNinth, 5, 5)).toBe(false);
  });
});
