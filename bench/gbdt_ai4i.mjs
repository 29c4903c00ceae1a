// Gradient-boosted trees on AI4I 2020 (machine failure), ours against XGBoost 1.7 (tree_method="hist") with the same
// number of trees, depth and learning rate, on the same 5 stratified folds (the fold of every row is written to a
// temporary file that bench/reference/gbdt_ai4i.py reads). Features: the five sensor columns plus Type one-hot;
// dropped: UDI, Product ID and the failure-mode flags TWF, HDF, PWF, OSF, RNF (they give the label away).
// Reports, from the out-of-fold probabilities: ROC-AUC, PR-AUC (average precision) and the best F1 over thresholds;
// and, for failure modes (none/TWF/HDF/PWF/OSF/RNF, the first flagged mode of a row) as a softmax model, per-class
// precision and recall of the out-of-fold predictions.
// Run: npm run build && node bench/gbdt_ai4i.mjs [--trees 100] [--depth 6] [--learning-rate 0.3] [--data PATH]
// Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { averagePrecision, perClassScores, rocAuc } from '../dist/evaluate/metrics.js';
import { stratifiedKFold } from '../dist/evaluate/splits.js';
import { maxF1Threshold } from '../dist/evaluate/threshold.js';
import { GbdtClassifier } from '../dist/models/trees/gbdt-classifier.js';

const { values } = parseArgs({
  options: {
    trees: { type: 'string', default: '100' },
    depth: { type: 'string', default: '6' },
    'learning-rate': { type: 'string', default: '0.3' },
    data: { type: 'string', default: new URL('../../shared/datasets/ai4i2020/train.csv', import.meta.url).pathname },
    seed: { type: 'string', default: '0' },
  },
});
const trees = Number(values.trees);
const depth = Number(values.depth);
const learningRate = Number(values['learning-rate']);
const modes = ['none', 'TWF', 'HDF', 'PWF', 'OSF', 'RNF'];

function loadAi4i(path) {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const columns = header.split(',');
  const index = (name) => {
    const at = columns.indexOf(name);
    if (at < 0) throw new Error(`${path}: no column '${name}'`);
    return at;
  };
  const sensors = [
    'Air temperature [K]',
    'Process temperature [K]',
    'Rotational speed [rpm]',
    'Torque [Nm]',
    'Tool wear [min]',
  ];
  const sensorColumns = sensors.map(index);
  const type = index('Type');
  const target = index('Machine failure');
  const modeColumns = modes.slice(1).map(index);
  const featureNames = [...sensors, 'Type_H', 'Type_L', 'Type_M'];
  const rows = lines.length;
  const cols = featureNames.length;
  const X = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  const mode = new Float64Array(rows);
  lines.forEach((line, i) => {
    const fields = line.split(',');
    sensorColumns.forEach((column, j) => {
      X[i * cols + j] = Number(fields[column]);
    });
    ['H', 'L', 'M'].forEach((kind, k) => {
      X[i * cols + 5 + k] = fields[type] === kind ? 1 : 0;
    });
    y[i] = Number(fields[target]);
    const first = modeColumns.findIndex((column) => fields[column] === '1');
    mode[i] = first < 0 ? 0 : first + 1;
  });
  return { rows, cols, X, y, mode, featureNames };
}

function take(data, cols, rows) {
  const out = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    out.set(data.subarray(row * cols, (row + 1) * cols), i * cols);
  });
  return out;
}

function binaryMetrics(y, probability) {
  const best = maxF1Threshold(y, probability);
  return {
    rocAuc: Number(rocAuc(y, probability).toFixed(4)),
    prAuc: Number(averagePrecision(y, probability).toFixed(4)),
    bestF1: Number(best.f1.toFixed(4)),
    bestF1Threshold: Number(best.threshold.toFixed(4)),
  };
}

function modeMetrics(mode, predicted) {
  const scores = perClassScores(mode, predicted, [0, 1, 2, 3, 4, 5]);
  return Object.fromEntries(
    modes.map((name, k) => [
      name,
      {
        precision: Number(scores.precision[k].toFixed(3)),
        recall: Number(scores.recall[k].toFixed(3)),
        support: scores.support[k],
      },
    ]),
  );
}

const data = loadAi4i(values.data);
const folds = stratifiedKFold(data.y, { folds: 5, seed: Number(values.seed) });
const foldOf = new Int32Array(data.rows);
folds.forEach((fold, k) => {
  for (const row of fold.test) foldOf[row] = k;
});

// Ours.
const options = { nEstimators: trees, maxDepth: depth, learningRate };
const probability = new Float64Array(data.rows);
const predictedMode = new Float64Array(data.rows);
let oursSeconds = 0;
for (const fold of folds) {
  const train = {
    rows: fold.train.length,
    cols: data.cols,
    data: take(data.X, data.cols, fold.train),
    featureNames: data.featureNames,
  };
  const test = {
    rows: fold.test.length,
    cols: data.cols,
    data: take(data.X, data.cols, fold.test),
    featureNames: data.featureNames,
  };
  const start = performance.now();
  const model = new GbdtClassifier(options).fit(
    train,
    Float64Array.from(fold.train, (row) => data.y[row]),
  );
  oursSeconds += (performance.now() - start) / 1000;
  const proba = model.predictProba(test);
  fold.test.forEach((row, i) => {
    probability[row] = proba.data[2 * i + 1];
  });
  const multi = new GbdtClassifier(options).fit(
    train,
    Float64Array.from(fold.train, (row) => data.mode[row]),
  );
  const modePrediction = multi.predict(test);
  fold.test.forEach((row, i) => {
    predictedMode[row] = modePrediction[i];
  });
}

// XGBoost on the same folds.
const directory = mkdtempSync(join(tmpdir(), 'upkeep-bench-gbdt-ai4i-'));
let reference;
try {
  writeFileSync(join(directory, 'X.f64'), new Uint8Array(data.X.buffer));
  writeFileSync(join(directory, 'y.f64'), new Uint8Array(data.y.buffer));
  writeFileSync(join(directory, 'mode.f64'), new Uint8Array(data.mode.buffer));
  writeFileSync(join(directory, 'folds.i32'), new Uint8Array(foldOf.buffer));
  const script = new URL('./reference/gbdt_ai4i.py', import.meta.url).pathname;
  const output = execFileSync(
    '/usr/bin/python3',
    [script, directory, String(data.rows), String(data.cols), String(trees), String(depth), String(learningRate)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  reference = JSON.parse(output);
} finally {
  rmSync(directory, { recursive: true, force: true });
}

const ours = binaryMetrics(data.y, probability);
const xgboost = binaryMetrics(data.y, reference.probability);
console.log(
  JSON.stringify({
    bench: 'gbdt_ai4i',
    rows: data.rows,
    failures: data.y.reduce((sum, label) => sum + label, 0),
    folds: 5,
    trees,
    depth,
    learningRate,
    ours: { ...ours, fitSeconds: Number(oursSeconds.toFixed(2)) },
    xgboost: {
      ...xgboost,
      fitSeconds: Number(reference.fitSeconds.toFixed(2)),
      version: reference.xgboost,
      sklearnRocAuc: Number(reference.sklearnRocAuc.toFixed(4)),
      sklearnPrAuc: Number(reference.sklearnAveragePrecision.toFixed(4)),
    },
    difference: {
      rocAuc: Number((ours.rocAuc - xgboost.rocAuc).toFixed(4)),
      prAuc: Number((ours.prAuc - xgboost.prAuc).toFixed(4)),
      bestF1: Number((ours.bestF1 - xgboost.bestF1).toFixed(4)),
    },
    failureModes: {
      ours: modeMetrics(data.mode, predictedMode),
      xgboost: modeMetrics(data.mode, Float64Array.from(reference.predictedMode)),
    },
  }),
);
