// Least squares with intercept on 1,000,000 × 10 synthetic rows: LinearRegression (streaming Householder QR) against
// numpy.linalg.lstsq (LAPACK gelsd, SVD-based; OpenBLAS may use several threads) on the same data, passed through
// binary files. Runs alternate between the two (after one warm-up each) so both see the same machine load.
// Run: npm run build && node bench/lstsq.mjs [--rows N] [--cols K] [--repeats R]
// Prints one JSON line: median times, ratio (ours / numpy; target ≤ 1.0) and the largest coefficient difference.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../dist/core/rng.js';
import { LinearRegression } from '../dist/models/linear/linear-regression.js';
import { median, startReference } from './reference/interleave.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    cols: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '7' },
  },
});
const rows = Number(values.rows);
const cols = Number(values.cols);
const repeats = Number(values.repeats);

// y = 2 + Σ_j (j + 1)/cols · x_j + N(0, 1) noise, features N(0, 1) with varied scales and offsets, seed 42.
const rng = new Rng(42);
const X = new Float64Array(rows * cols);
const y = new Float64Array(rows);
for (let i = 0; i < rows; i++) {
  let sum = 2;
  for (let j = 0; j < cols; j++) {
    const value = (1 + j) * rng.normal() + 10 * j;
    X[i * cols + j] = value;
    sum += ((j + 1) / cols) * value;
  }
  y[i] = sum + rng.normal();
}

const directory = mkdtempSync(join(tmpdir(), 'upkeep-bench-lstsq-'));
writeFileSync(join(directory, 'X.f64'), new Uint8Array(X.buffer));
writeFileSync(join(directory, 'y.f64'), new Uint8Array(y.buffer));
const reference = startReference(new URL('./reference/lstsq.py', import.meta.url).pathname, [
  directory,
  String(rows),
  String(cols),
]);
try {
  const design = { rows, cols, data: X };
  const ours = [];
  const numpy = [];
  let model;
  let answer;
  let firstRunMs = 0;
  for (let r = 0; r <= repeats; r++) {
    const start = performance.now();
    model = new LinearRegression().fit(design, y);
    const elapsed = performance.now() - start;
    answer = await reference.ask('run');
    if (r === 0)
      firstRunMs = elapsed; // warm-up of the JIT and of the BLAS threads
    else {
      ours.push(elapsed);
      numpy.push(answer);
    }
  }
  const oursMs = median(ours);
  const lstsqMs = median(numpy.map((run) => run.lstsqMs));
  const withDesignMs = median(numpy.map((run) => run.withDesignMs));
  const parameters = [model.state.intercept, ...model.state.coefficients];
  let maxDifference = 0;
  let maxRelative = 0;
  parameters.forEach((value, j) => {
    const difference = Math.abs(value - answer.coefficients[j]);
    maxDifference = Math.max(maxDifference, difference);
    maxRelative = Math.max(maxRelative, difference / Math.abs(answer.coefficients[j]));
  });
  console.log(
    JSON.stringify({
      bench: 'lstsq',
      rows,
      cols,
      intercept: true,
      repeats,
      oursMs: Number(oursMs.toFixed(1)),
      oursFirstRunMs: Number(firstRunMs.toFixed(1)),
      numpyLstsqMs: Number(lstsqMs.toFixed(1)),
      numpyWithDesignMs: Number(withDesignMs.toFixed(1)),
      ratio: Number((oursMs / lstsqMs).toFixed(3)),
      ratioWithDesign: Number((oursMs / withDesignMs).toFixed(3)),
      target: 1.0,
      maxCoefficientDifference: maxDifference,
      maxRelativeCoefficientDifference: maxRelative,
      numpy: answer.numpy,
    }),
  );
} finally {
  reference.close();
  rmSync(directory, { recursive: true, force: true });
}
