import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { binMatrix, computeBinCuts } from './binning.js';
import { boost, defaultBoostingOptions } from './boosting.js';
import { marginSegments, TreeGrower } from './grow.js';
import { buildHistogram, histogramLayout } from './histogram.js';
import { histogramModule, sharedWasmMemory, wasmKernels } from './histogram-wasm.js';
import { binaryLogistic } from './objectives.js';
import { createRowKernels, WORKER_MIN_ROWS } from './row-kernels.js';
import { addTreeRange, addTreeRangeWasm, partitionRows } from './row-passes.js';

function dataset(rows: number, cols: number, seed: number) {
  const rng = new Rng(seed);
  const data = Float64Array.from({ length: rows * cols }, () => (rng.next() < 0.02 ? Number.NaN : rng.normal()));
  const labels = Float64Array.from({ length: rows }, (_, i) => ((data[i * cols] || 0) + rng.normal() > 0 ? 1 : 0));
  return { data, rows, cols, labels, weights: new Float64Array(rows).fill(1) };
}

describe('row passes on one or two threads', () => {
  const rows = WORKER_MIN_ROWS + 1000;
  const train = dataset(rows, 6, 1);
  const cuts = computeBinCuts(train.data, rows, 6, { maxBins: 64 });
  const binned = binMatrix(train.data, rows, 6, cuts);
  const layout = histogramLayout(cuts);

  for (const threads of [1, 2]) {
    it(`${threads} thread(s): histograms and partitions equal a plain single pass`, () => {
      const kernels = createRowKernels(binned, layout, 1, threads);
      try {
        expect(kernels.parallel).toBe(threads === 2);
        const rng = new Rng(2);
        for (let i = 0; i < rows; i++) kernels.rowIndex[i] = i;
        for (let i = 0; i < 2 * rows; i++) kernels.gradients[0][i] = rng.normal();
        const histogram = new Float64Array(layout.size);
        kernels.histogram(0, rows, 0, histogram, null);
        const plain = new Float64Array(layout.size);
        buildHistogram(binned.bins, 6, layout.shift, kernels.rowIndex, 0, rows, kernels.gradients[0], plain, null);
        for (let i = 0; i < plain.length; i++) expect(histogram[i]).toBeCloseTo(plain[i], 9);
        // Partition on feature 2 at bin 20, missing values left: same order as a stable filter.
        const expectedLeft: number[] = [];
        const expectedRight: number[] = [];
        for (let row = 0; row < rows; row++) {
          const bin = binned.bins[row * 6 + 2];
          (bin === 0 || bin <= 20 ? expectedLeft : expectedRight).push(row);
        }
        const middle = kernels.partition(0, rows, 2, 20, true);
        expect(middle).toBe(expectedLeft.length);
        expect(Array.from(kernels.rowIndex)).toEqual([...expectedLeft, ...expectedRight]);
      } finally {
        kernels.close();
      }
    });
  }

  for (const threads of [1, 2]) {
    it(`${threads} thread(s): gradient pairs equal the objective's JavaScript pass, weighted or not`, () => {
      const rng = new Rng(3);
      for (const weights of [new Float64Array(rows).fill(1), Float64Array.from({ length: rows }, () => rng.next())]) {
        const targets = { labels: train.labels, weights, ...binaryLogistic };
        const kernels = createRowKernels(binned, layout, 1, threads, targets);
        try {
          for (let i = 0; i < rows; i++) kernels.margins[i] = 3 * rng.normal();
          kernels.computeGradients();
          const expected = new Float32Array(2 * rows);
          binaryLogistic.gradientRange(kernels.margins, train.labels, weights, [expected], 0, rows);
          expect(kernels.gradients[0]).toEqual(expected);
        } finally {
          kernels.close();
        }
      }
    });
  }

  for (const [colsampleByTree, subsample] of [
    [1, 1],
    [1, 0.9],
    [0.5, 0.9],
  ]) {
    it(`builds bit-identical models with one or two threads (colsampleByTree ${colsampleByTree}, subsample ${subsample})`, () => {
      // Column-sampled nodes take the JavaScript histogram path, all-column ones the wasm kernel; with every row
      // sampled the margins are updated by marking and stepping, else node by node.
      const options = { ...defaultBoostingOptions, nEstimators: 3, maxDepth: 4, subsample, colsampleByTree };
      const one = boost(train, binaryLogistic, { ...options, nThreads: 1 }).ensemble;
      const two = boost(train, binaryLogistic, { ...options, nThreads: 2 }).ensemble;
      expect(Array.from(two.value)).toEqual(Array.from(one.value));
      expect(Array.from(two.threshold)).toEqual(Array.from(one.threshold));
      expect(Array.from(two.gain)).toEqual(Array.from(one.gain));
      expect(Math.max(...Array.from(one.value, Math.abs))).toBeLessThan(1);
    });
  }

  for (const threads of [1, 2]) {
    it(`${threads} thread(s): marking each row's node and stepping once adds what node-by-node adding adds`, () => {
      // Two outputs, the tree on the second: the margins' stride and offset matter.
      const kernels = createRowKernels(binned, layout, 2, threads);
      try {
        const rng = new Rng(6);
        for (let i = 0; i < rows; i++) kernels.rowIndex[i] = i;
        for (let i = 0; i < 2 * rows; i++) kernels.gradients[1][i] = rng.normal();
        for (let i = 0; i < kernels.margins.length; i++) kernels.margins[i] = rng.normal();
        const params = { ...defaultBoostingOptions, maxDepth: 4 };
        const grown = new TreeGrower(kernels, layout, cuts, params, rng).grow(rows, 1, Int32Array.of(0, 1, 2, 3, 4, 5));
        expect(grown.unpartitioned.length).toBeGreaterThan(0);
        const segments = marginSegments(grown);
        const before = Float64Array.from(kernels.margins);
        const expected = Float64Array.from(kernels.margins);
        const packed = Float64Array.from(
          segments.flatMap(({ begin, end, split, leftValue }) => [
            begin,
            end,
            split ? split.feature : -1,
            split ? (split.defaultLeft ? split.splitBin : -split.splitBin - 1) : 0,
            leftValue,
            split ? split.rightValue : 0,
          ]),
        );
        const columns = new Uint8Array(rows * 6);
        for (let row = 0; row < rows; row++)
          for (let f = 0; f < 6; f++) columns[f * rows + row] = binned.bins[row * 6 + f];
        addTreeRange(packed, segments.length, 0, rows, kernels.rowIndex, columns, rows, expected, 2, 1);
        kernels.addTreeValues(segments, rows, 1, grown);
        expect(kernels.margins).toEqual(expected);
        // Output 0 stayed; every row of output 1 moved by one of the tree's leaf values.
        const leafValues = Array.from(grown.tree.value).filter((_, node) => grown.tree.left[node] < 0);
        for (let row = 0; row < rows; row++) {
          expect(kernels.margins[2 * row]).toBe(before[2 * row]);
          const moved = kernels.margins[2 * row + 1] - before[2 * row + 1];
          expect(leafValues.some((value) => Math.abs(moved - value) < 1e-12)).toBe(true);
        }
      } finally {
        kernels.close();
      }
    });
  }

  it('partitions forwards and backwards, in JavaScript and wasm, to the same stable sides', () => {
    // One column of 500 rows; the node holds rows 3, 5, 7, …; bins 0 (missing) .. 9; split at bin 4.
    const rng = new Rng(8);
    const rows = 500;
    const memory = sharedWasmMemory(1);
    const [columnAt, rowIndexAt, scratchAt] = [0, 1024, 4096];
    const column = new Uint8Array(memory.buffer, columnAt, rows);
    for (let row = 0; row < rows; row++) column[row] = rng.int(10);
    const node = Int32Array.from({ length: 240 }, (_, i) => 3 + 2 * i);
    const rowIndex = new Int32Array(memory.buffer, rowIndexAt, node.length);
    const scratch = new Int32Array(memory.buffer, scratchAt, node.length);
    const module = histogramModule(1, 5);
    if (!module) throw new Error('WebAssembly SIMD unavailable');
    const kernels = wasmKernels(module, memory);
    const [begin, end] = [10, 200];
    for (const defaultLeft of [true, false]) {
      const goesLeft = (row: number) => (column[row] === 0 ? defaultLeft : column[row] <= 4);
      const lefts = Array.from(node.subarray(begin, end)).filter(goesLeft);
      const rights = Array.from(node.subarray(begin, end)).filter((row) => !goesLeft(row));
      const runs = [
        () => partitionRows(column, rows, rowIndex, scratch, begin, end, 0, 4, defaultLeft, true),
        () => kernels.partitionBackward(columnAt, rowIndexAt, scratchAt, begin, end, 4, defaultLeft ? 1 : 0),
      ];
      for (const run of runs) {
        rowIndex.set(node);
        scratch.fill(-1);
        expect(run()).toBe(lefts.length);
        expect(Array.from(rowIndex.subarray(end - rights.length, end))).toEqual(rights);
        expect(Array.from(scratch.subarray(end - lefts.length, end))).toEqual(lefts);
        // Positions outside the range are untouched.
        expect(Array.from(rowIndex.subarray(0, begin))).toEqual(Array.from(node.subarray(0, begin)));
        expect(scratch[end]).toBe(-1);
      }
      const forwards = [
        () => partitionRows(column, rows, rowIndex, scratch, begin, end, 0, 4, defaultLeft),
        () => kernels.partition(columnAt, rowIndexAt, scratchAt, begin, end, 4, defaultLeft ? 1 : 0),
      ];
      for (const run of forwards) {
        rowIndex.set(node);
        expect(run()).toBe(lefts.length);
        expect(Array.from(rowIndex.subarray(begin, begin + lefts.length))).toEqual(lefts);
        expect(Array.from(scratch.subarray(begin, begin + rights.length))).toEqual(rights);
      }
    }
  });

  it('adds leaf values and split sides to the margins of the given positions only', () => {
    // Rows 0..3, one feature; bins 0 (missing), 1, 2, 3. Positions 0..1 are a leaf (+0.5), 2..3 a split at bin 2
    // with missing values going right (stored as −2 − 1): left +1, right −1. Only positions 1..3 are applied.
    const columns = Uint8Array.of(0, 1, 2, 3);
    const rowIndex = Int32Array.of(3, 1, 0, 2);
    const segments = Float64Array.of(0, 2, -1, 0, 0.5, 0, 2, 4, 0, -3, 1, -1);
    const margins = new Float64Array(4);
    addTreeRange(segments, 2, 1, 4, rowIndex, columns, 4, margins, 1, 0);
    expect(Array.from(margins)).toEqual([-1, 0.5, 1, 0]);
  });

  it('adds the same values by the wasm kernels as by addTreeRange, for every output of a multi-output margin', () => {
    const rng = new Rng(4);
    const count = 3000;
    const outputs = 3;
    const memory = sharedWasmMemory(4);
    const [columnsAt, rowIndexAt, marginsAt, touchedAt] = [0, 16_384, 32_768, 131_072];
    const columns = new Uint8Array(memory.buffer, columnsAt, 2 * count);
    for (let i = 0; i < columns.length; i++) columns[i] = rng.int(40);
    const rowIndex = new Int32Array(memory.buffer, rowIndexAt, count);
    for (let i = 0; i < count; i++) rowIndex[i] = i;
    rng.shuffle(rowIndex);
    // Leaves and splits on both features, missing values left and right; positions 100..2900 applied.
    const segments = Float64Array.of(
      ...[0, 700, -1, 0, 0.25, 0],
      ...[700, 1500, 1, 17, -0.5, 2],
      ...[1500, 2200, 0, -18, 1.5, -3],
      ...[2200, 3000, -1, 0, -0.125, 0],
    );
    const margins = new Float64Array(memory.buffer, marginsAt, count * outputs);
    for (let i = 0; i < margins.length; i++) margins[i] = rng.normal();
    const expected = Float64Array.from(margins);
    const module = histogramModule(2, 7);
    if (!module) throw new Error('WebAssembly SIMD unavailable');
    const kernels = wasmKernels(module, memory);
    const addresses = { rowIndex: rowIndexAt, columns: columnsAt, margins: marginsAt, touched: touchedAt };
    for (let output = 0; output < outputs; output++) {
      addTreeRange(segments, 4, 100, 2900, rowIndex, columns, count, expected, outputs, output);
      addTreeRangeWasm(segments, 4, 100, 2900, kernels, addresses, count, outputs, output);
    }
    expect(Array.from(margins)).toEqual(Array.from(expected));
    // Rows outside positions 100..2900 kept their margins; the others moved.
    const untouched = new Set([...rowIndex.subarray(0, 100), ...rowIndex.subarray(2900)]);
    const changed = Array.from({ length: count }, (_, row) => row).filter((row) => !untouched.has(row));
    expect(changed.length).toBe(2800);
  });
});
