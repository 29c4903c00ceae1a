// Logistic regression fits: LogisticRegression (Newton/IRLS over blocked passes) against scikit-learn's
// LogisticRegression(solver="lbfgs") on the same data, passed through binary files:
//   - AI4I-sized: the AI4I 2020 training file's 8 features (5 sensors + Type one-hot, standardised) when
//     ../shared/datasets/ai4i2020/train.csv exists, otherwise 8,000 × 8 synthetic rows with ~3 % positives;
//   - 1,000,000 × 10 synthetic rows (seeded).
// sklearn runs twice per dataset: with its default tol (1e-4) and with tol 1e-8; ours runs with its default
// (Newton step ≤ 1e-6). Runs alternate between ours and sklearn's, so all see the same machine load; times are
// medians after warm-up runs (20 for the small case, whose fits take milliseconds;
// oursFirstRunMs is the cold first fit). Ratios are ours / sklearn (target ≤ 1.0).
// Run: npm run build && node bench/logistic.mjs [--repeats R]
// Prints one JSON line.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../dist/core/rng.js';
import { LogisticRegression } from '../dist/models/linear/logistic-regression.js';
import { median, startReference } from './reference/interleave.mjs';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '7' } } });
const repeats = Number(values.repeats);
// The small case takes milliseconds: time it over more runs, after enough warm-up runs for the JIT.
const smallRepeats = 20;
const ai4iPath = new URL('../../shared/datasets/ai4i2020/train.csv', import.meta.url);

function standardise(X, rows, cols) {
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += X[i * cols + j];
    mean /= rows;
    let variance = 0;
    for (let i = 0; i < rows; i++) variance += (X[i * cols + j] - mean) ** 2;
    const std = Math.sqrt(variance / rows) || 1;
    for (let i = 0; i < rows; i++) X[i * cols + j] = (X[i * cols + j] - mean) / std;
  }
}

function ai4iData() {
  const [header, ...lines] = readFileSync(ai4iPath, 'utf8').trim().split('\n');
  const columns = header.split(',');
  const index = (name) => columns.indexOf(name);
  const sensors = [
    'Air temperature [K]',
    'Process temperature [K]',
    'Rotational speed [rpm]',
    'Torque [Nm]',
    'Tool wear [min]',
  ].map(index);
  const type = index('Type');
  const target = index('Machine failure');
  const rows = lines.length;
  const cols = 8;
  const X = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  lines.forEach((line, i) => {
    const fields = line.split(',');
    sensors.forEach((column, j) => {
      X[i * cols + j] = Number(fields[column]);
    });
    ['H', 'L', 'M'].forEach((kind, k) => {
      X[i * cols + 5 + k] = fields[type] === kind ? 1 : 0;
    });
    y[i] = Number(fields[target]);
  });
  standardise(X, rows, cols);
  return { name: 'ai4i2020', rows, cols, X, y };
}

function syntheticData(name, rows, cols, intercept, seed) {
  const rng = new Rng(seed);
  const X = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  const beta = Array.from({ length: cols }, (_, j) => (j % 2 === 0 ? 1 : -1) * (0.2 + (0.8 * j) / cols));
  for (let i = 0; i < rows; i++) {
    let eta = intercept;
    for (let j = 0; j < cols; j++) {
      const value = rng.normal();
      X[i * cols + j] = value;
      eta += beta[j] * value;
    }
    y[i] = rng.next() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  return { name, rows, cols, X, y };
}

async function runCase(data, caseRepeats, warmups) {
  const directory = mkdtempSync(join(tmpdir(), 'upkeep-bench-logistic-'));
  writeFileSync(join(directory, 'X.f64'), new Uint8Array(data.X.buffer));
  writeFileSync(join(directory, 'y.f64'), new Uint8Array(data.y.buffer));
  const reference = startReference(new URL('./reference/logistic.py', import.meta.url).pathname, [
    directory,
    String(data.rows),
    String(data.cols),
    '1.0',
  ]);
  try {
    const design = { rows: data.rows, cols: data.cols, data: data.X };
    const ours = [];
    const sklearnDefault = [];
    const sklearnTight = [];
    let model;
    let firstRunMs = 0;
    // Alternate ours, sklearn tol 1e-4 and sklearn tol 1e-8 so all three see the same machine load.
    for (let r = 0; r < warmups + caseRepeats; r++) {
      const start = performance.now();
      model = new LogisticRegression({ C: 1 }).fit(design, data.y);
      const elapsed = performance.now() - start;
      const defaultRun = await reference.ask('run 1e-4');
      const tightRun = await reference.ask('run 1e-8');
      if (r === 0) firstRunMs = elapsed;
      if (r >= warmups) {
        ours.push(elapsed);
        sklearnDefault.push(defaultRun);
        sklearnTight.push(tightRun);
      }
    }
    const parameters = [model.state.intercepts[0], ...model.state.coefficients];
    const maxDifference = (runs) => Math.max(...parameters.map((value, j) => Math.abs(value - runs[0].parameters[j])));
    const oursMs = median(ours);
    const defaultMs = median(sklearnDefault.map((run) => run.fitMs));
    const tightMs = median(sklearnTight.map((run) => run.fitMs));
    return {
      data: data.name,
      rows: data.rows,
      cols: data.cols,
      positiveRate: Number((data.y.reduce((sum, label) => sum + label, 0) / data.rows).toFixed(4)),
      repeats: caseRepeats,
      oursMs: Number(oursMs.toFixed(2)),
      oursFirstRunMs: Number(firstRunMs.toFixed(2)),
      oursIterations: model.state.iterations,
      oursSubsampleIterations: model.state.subsampleIterations,
      sklearnDefaultTolMs: Number(defaultMs.toFixed(2)),
      sklearnDefaultTolIterations: sklearnDefault[0].iterations,
      sklearnTightTolMs: Number(tightMs.toFixed(2)),
      sklearnTightTolIterations: sklearnTight[0].iterations,
      ratioVsDefaultTol: Number((oursMs / defaultMs).toFixed(3)),
      ratioVsTightTol: Number((oursMs / tightMs).toFixed(3)),
      maxCoefficientDifferenceVsDefaultTol: maxDifference(sklearnDefault),
      maxCoefficientDifferenceVsTightTol: maxDifference(sklearnTight),
      sklearn: sklearnDefault[0].sklearn,
    };
  } finally {
    reference.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

const small = existsSync(ai4iPath) ? ai4iData() : syntheticData('synthetic-ai4i-sized', 8000, 8, -4, 7);
const cases = [
  await runCase(small, smallRepeats, 20),
  await runCase(syntheticData('synthetic', 1_000_000, 10, -1, 42), repeats, 1),
];
console.log(JSON.stringify({ bench: 'logistic', C: 1, target: 1.0, cases }));
