// Training speed and memory of gradient-boosted trees at scale: ours (GbdtClassifier) against XGBoost 1.7
// tree_method="hist" with nthread=2, on the same synthetic binary data (20 standard-normal features; the label is a
// noisy non-linear function of six of them), 100 trees of depth 6, 255 bins, learning rate 0.3, at 100,000 and
// 1,000,000 rows. Each fit runs in its own process (so its peak RSS is its own), ours and XGBoost alternating, R
// times each (default 1); the fastest wall time of each counts, and the ratio of the medians is printed beside it.
// Ours runs with one worker thread (nThreads 2, its default) and, for comparison, without (nThreads 1). Also reported: CPU seconds (the machine is shared: wall time
// depends on what else runs, CPU time much less), the RSS once the data are loaded, and the ROC-AUC of both on
// 50,000 held-out rows, to show the two models are equally good.
// Run: npm run build && node bench/gbdt_scale.mjs [--rows 100000,1000000] [--repeats 1] [--trees 100]
// Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../dist/core/rng.js';
import { rocAuc } from '../dist/evaluate/metrics.js';
import { GbdtClassifier } from '../dist/models/trees/gbdt-classifier.js';

const COLS = 20;
const TEST_ROWS = 50_000;
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000,1000000' },
    repeats: { type: 'string', default: '1' },
    trees: { type: 'string', default: '100' },
    depth: { type: 'string', default: '6' },
    bins: { type: 'string', default: '255' },
    // Internal: run one fit of ours in this process.
    child: { type: 'string' },
  },
});
const trees = Number(values.trees);
const depth = Number(values.depth);
const bins = Number(values.bins);

function readFloat64(path) {
  const bytes = readFileSync(path);
  if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  const aligned = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(aligned).set(bytes);
  return new Float64Array(aligned);
}

/**
 * Peak and current resident memory of this process in MB, from /proc/self/status (VmHWM, VmRSS). Not getrusage:
 * a spawned child's ru_maxrss starts from its parent's RSS at fork time, which would charge the bench's own
 * copy of the data to every fit.
 */
function memoryMB(field) {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${field}:`));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : Number.NaN;
}

if (values.child !== undefined) {
  // Child: fit ours on DATA_DIR with nThreads, print timings.
  const [directory, rowText, threadText] = values.child.split(',');
  const rows = Number(rowText);
  const X = { rows, cols: COLS, data: readFloat64(join(directory, 'X.f64')) };
  const y = readFloat64(join(directory, 'y.f64'));
  const test = { rows: TEST_ROWS, cols: COLS, data: readFloat64(join(directory, 'Xtest.f64')) };
  const dataRssMB = memoryMB('VmRSS');
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const model = new GbdtClassifier({
    nEstimators: trees,
    maxDepth: depth,
    maxBins: bins,
    learningRate: 0.3,
    nThreads: Number(threadText),
  }).fit(X, y);
  const fitSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const probability = model.predictProba(test).data.filter((_, k) => k % 2 === 1);
  writeFileSync(join(directory, `ours${threadText}.f64`), new Uint8Array(probability.buffer));
  console.log(
    JSON.stringify({
      fitSeconds,
      // process.cpuUsage counts every thread of the process, the worker's included.
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMB: memoryMB('VmHWM'),
      dataRssMB,
    }),
  );
  process.exit(0);
}

/** Standard-normal features; P(y = 1) = σ(f(x)) with interactions, thresholds and a smooth term. */
function synthetic(rows, rng) {
  const X = new Float64Array(rows * COLS);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const o = i * COLS;
    for (let j = 0; j < COLS; j++) X[o + j] = rng.normal();
    const margin =
      X[o] +
      0.8 * X[o + 1] * X[o + 2] -
      (X[o + 3] > 0.5 ? 1.2 : 0) +
      0.6 * Math.sin(2 * X[o + 4]) +
      0.5 * Math.abs(X[o + 5]) -
      0.4;
    y[i] = rng.next() < 1 / (1 + Math.exp(-2 * margin)) ? 1 : 0;
  }
  return { X, y };
}

function runOurs(directory, rows, threads) {
  const output = execFileSync(
    process.execPath,
    [
      new URL(import.meta.url).pathname,
      '--child',
      `${directory},${rows},${threads}`,
      '--trees',
      String(trees),
      '--depth',
      String(depth),
      '--bins',
      String(bins),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(output);
}

function runXgboost(directory, rows) {
  const script = new URL('./reference/gbdt_scale.py', import.meta.url).pathname;
  const output = execFileSync(
    '/usr/bin/python3',
    [script, directory, String(rows), String(COLS), String(TEST_ROWS), String(trees), String(depth), String(bins)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(output);
}

const round = (value, digits = 2) => Number(value.toFixed(digits));
const fastest = (runs) => runs.reduce((best, run) => (run.fitSeconds < best.fitSeconds ? run : best));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const cases = [];
for (const rows of values.rows.split(',').map(Number)) {
  const rng = new Rng(2024);
  const train = synthetic(rows, rng);
  const test = synthetic(TEST_ROWS, rng);
  const directory = mkdtempSync(join(tmpdir(), 'upkeep-bench-gbdt-scale-'));
  try {
    writeFileSync(join(directory, 'X.f64'), new Uint8Array(train.X.buffer));
    writeFileSync(join(directory, 'y.f64'), new Uint8Array(train.y.buffer));
    writeFileSync(join(directory, 'Xtest.f64'), new Uint8Array(test.X.buffer));
    const ours = [];
    const oursOneThread = [];
    const xgboost = [];
    for (let r = 0; r < Number(values.repeats); r++) {
      ours.push(runOurs(directory, rows, 2));
      xgboost.push(runXgboost(directory, rows));
      oursOneThread.push(runOurs(directory, rows, 1));
    }
    const best = fastest(ours);
    const bestOne = fastest(oursOneThread);
    const bestXgboost = fastest(xgboost);
    cases.push({
      rows,
      ours: {
        fitSeconds: round(best.fitSeconds),
        cpuSeconds: round(best.cpuSeconds),
        peakRssMB: round(best.peakRssMB, 0),
        dataRssMB: round(best.dataRssMB, 0),
        testRocAuc: round(rocAuc(test.y, readFloat64(join(directory, 'ours2.f64'))), 4),
        allFitSeconds: ours.map((run) => round(run.fitSeconds)),
      },
      oursOneThread: {
        fitSeconds: round(bestOne.fitSeconds),
        cpuSeconds: round(bestOne.cpuSeconds),
        peakRssMB: round(bestOne.peakRssMB, 0),
        allFitSeconds: oursOneThread.map((run) => round(run.fitSeconds)),
      },
      xgboost: {
        fitSeconds: round(bestXgboost.fitSeconds),
        cpuSeconds: round(bestXgboost.cpuSeconds),
        peakRssMB: round(bestXgboost.peakRssMB, 0),
        dataRssMB: round(bestXgboost.dataRssMB, 0),
        testRocAuc: round(rocAuc(test.y, readFloat64(join(directory, 'xgboost.f64'))), 4),
        allFitSeconds: xgboost.map((run) => round(run.fitSeconds)),
        version: bestXgboost.xgboost,
      },
      ratio: {
        fitSeconds: round(best.fitSeconds / bestXgboost.fitSeconds, 3),
        // The machine's speed drifts between runs: the ratio of the median fits shows how much the fastest differ.
        medianFitSeconds: round(
          median(ours.map((run) => run.fitSeconds)) / median(xgboost.map((run) => run.fitSeconds)),
          3,
        ),
        cpuSeconds: round(best.cpuSeconds / bestXgboost.cpuSeconds, 3),
        peakRss: round(best.peakRssMB / bestXgboost.peakRssMB, 3),
      },
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
console.log(
  JSON.stringify({ bench: 'gbdt_scale', cols: COLS, trees, depth, bins, learningRate: 0.3, target: 1.0, cases }),
);
