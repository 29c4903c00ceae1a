// Remaining useful life on NASA C-MAPSS FD001 with the sequence models (LSTM by default), against PyTorch.
// Data: train_FD001.txt; 20 % of the engines (grouped: every window of an engine on one side) held out for
// validation; constant sensors dropped and the rest z-scored (SensorNormaliser fitted on the training engines);
// targets = RUL capped at 125; windows of 30 cycles ending at every cycle (shorter histories front-padded).
// 1. Speed: seconds per training epoch of our LSTM (TensorFlow.js, wasm backend) against the same architecture in
//    PyTorch (bench/reference/rul_torch.py, CPU, torch.set_num_threads(2)) on the same training windows, in the same
//    run, as a ratio; and inference windows per second of both.
// 2. Quality: a full fit with the estimator's defaults (early stopping on the held-out engines), then validation RMSE
//    over all held-out windows, RMSE and the PHM08 score at each held-out engine's last cycle, training seconds.
// Run: npm run build && node bench/rul.mjs [--kind lstm|gru|cnn] [--window 30] [--epochs N] [--timing-epochs 2]
//      [--seed 7] [--data PATH] [--skip-torch] [--skip-quality]
// Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { phm08Score } from '../dist/evaluate/metrics.js';
import { holdoutSplit } from '../dist/evaluate/splits.js';
import { SensorNormaliser } from '../dist/features/normalise-sensors.js';
import { rulTargets } from '../dist/features/rul-targets.js';
import { makeWindows } from '../dist/features/windows.js';
import { CMAPSS_COLUMNS, readCmapss } from '../dist/io/cmapss.js';

const { values } = parseArgs({
  options: {
    kind: { type: 'string', default: 'lstm' },
    window: { type: 'string', default: '30' },
    epochs: { type: 'string' },
    'timing-epochs': { type: 'string', default: '2' },
    seed: { type: 'string', default: '7' },
    data: {
      type: 'string',
      default: new URL('../../shared/datasets/cmapss/train_FD001.txt', import.meta.url).pathname,
    },
    'with-settings': { type: 'boolean', default: false },
    'skip-torch': { type: 'boolean', default: false },
    'skip-quality': { type: 'boolean', default: false },
  },
});
const { createSequenceEstimator } = await import('../dist/models/sequence/factory.js');
const { sequenceBackend } = await import('../dist/models/sequence/backend.js');

const window = Number(values.window);
const seed = Number(values.seed);
const timingEpochs = Number(values['timing-epochs']);
const data = await readCmapss(values.data);
const split = holdoutSplit(data.units.length, { testFraction: 0.2, seed });
const trainUnits = Array.from(split.train, (index) => data.units[index]);
const validationUnits = Array.from(split.test, (index) => data.units[index]);
const normaliser = new SensorNormaliser().fit(
  trainUnits.map((unit) => unit.values),
  CMAPSS_COLUMNS,
);
// FD001 runs at one operating condition: its setting columns are noise around it, so by default only sensors are used.
const kept = normaliser.toJSON().kept;
const used = kept
  .map((_, index) => index)
  .filter((index) => values['with-settings'] || !kept[index].startsWith('setting'));
function windowsOf(units) {
  const series = units.map((unit) => {
    const normalised = normaliser.transform(unit.values, CMAPSS_COLUMNS).values;
    const rows = normalised.length / kept.length;
    const selected = new Float64Array(rows * used.length);
    for (let row = 0; row < rows; row++) {
      used.forEach((column, k) => {
        selected[row * used.length + k] = normalised[row * kept.length + column];
      });
    }
    return { unit: unit.unit, values: selected, targets: rulTargets(unit.cycles) };
  });
  return makeWindows(series, used.length, { length: window, dtype: 'float32' });
}
const train = windowsOf(trainUnits);
const validation = windowsOf(validationUnits);
const backend = await sequenceBackend();

function rmse(predicted, actual, indices) {
  let sum = 0;
  for (const i of indices) sum += (predicted[i] - actual[i]) ** 2;
  return Math.sqrt(sum / indices.length);
}
const allValidation = Array.from({ length: validation.samples }, (_, i) => i);
const lastWindows = allValidation.filter(
  (i) => i === validation.samples - 1 || validation.units[i + 1] !== validation.units[i],
);

// 1. Speed, same architecture on both sides (the estimator's default LSTM).
const architecture = { units: [64, 32], denseUnits: 16, batchSize: 256 };
const timed = createSequenceEstimator('lstm', { ...architecture, epochs: timingEpochs, patience: timingEpochs });
const oursEpochSeconds = [];
const oursEpochCpuSeconds = [];
const cpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
let cpuMark = cpuSeconds();
await timed.fit(train, train.targets, {
  onEpoch: (progress) => {
    oursEpochSeconds.push(progress.seconds);
    const now = cpuSeconds();
    oursEpochCpuSeconds.push(now - cpuMark);
    cpuMark = now;
  },
});
let started = performance.now();
await timed.predict(validation);
const oursInference = validation.samples / ((performance.now() - started) / 1000);
timed.dispose();

let torch = null;
if (!values['skip-torch']) {
  const directory = mkdtempSync(join(tmpdir(), 'upkeep-rul-'));
  try {
    let mean = 0;
    for (const value of train.targets) mean += value;
    mean /= train.samples;
    let variance = 0;
    for (const value of train.targets) variance += (value - mean) ** 2;
    const std = Math.sqrt(variance / train.samples);
    writeFileSync(join(directory, 'X.f32'), Buffer.from(Float32Array.from(train.data).buffer));
    writeFileSync(
      join(directory, 'y.f32'),
      Buffer.from(Float32Array.from(train.targets, (value) => (value - mean) / std).buffer),
    );
    const script = new URL('./reference/rul_torch.py', import.meta.url).pathname;
    const output = execFileSync(
      '/usr/bin/python3',
      [
        script,
        directory,
        String(train.samples),
        String(window),
        String(train.features),
        architecture.units.join(','),
        String(architecture.denseUnits),
        String(architecture.batchSize),
        String(timingEpochs),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    torch = JSON.parse(output.trim().split('\n').pop());
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
const meanOf = (list) => list.reduce((total, value) => total + value, 0) / list.length;

// 2. Quality with the estimator's defaults.
let quality = null;
if (!values['skip-quality']) {
  const options = values.epochs === undefined ? { seed } : { seed, epochs: Number(values.epochs) };
  const model = createSequenceEstimator(values.kind, options);
  let epochs = 0;
  started = performance.now();
  await model.fit(train, train.targets, {
    validation: { X: validation, y: validation.targets },
    onEpoch: (progress) => {
      epochs = progress.epoch;
      process.stderr.write(`${JSON.stringify(progress)}\n`);
    },
  });
  const trainingSeconds = (performance.now() - started) / 1000;
  const predicted = await model.predict(validation);
  model.dispose();
  quality = {
    kind: values.kind,
    epochs,
    trainingSeconds: Number(trainingSeconds.toFixed(1)),
    validationRmse: Number(rmse(predicted, validation.targets, allValidation).toFixed(3)),
    lastCycleRmse: Number(rmse(predicted, validation.targets, lastWindows).toFixed(3)),
    lastCyclePhm08: Number(
      phm08Score(
        lastWindows.map((i) => validation.targets[i]),
        lastWindows.map((i) => predicted[i]),
      ).toFixed(1),
    ),
  };
}

console.log(
  JSON.stringify({
    bench: 'rul',
    data: 'FD001',
    backend: backend.name,
    window,
    trainWindows: train.samples,
    validationWindows: validation.samples,
    validationEngines: lastWindows.length,
    features: train.features,
    oursSecondsPerEpoch: Number(meanOf(oursEpochSeconds).toFixed(2)),
    torchSecondsPerEpoch: torch ? Number(meanOf(torch.epochSeconds).toFixed(2)) : null,
    epochTimeRatio: torch ? Number((meanOf(oursEpochSeconds) / meanOf(torch.epochSeconds)).toFixed(2)) : null,
    oursCpuSecondsPerEpoch: Number(meanOf(oursEpochCpuSeconds).toFixed(2)),
    torchCpuSecondsPerEpoch: torch ? Number(meanOf(torch.epochCpuSeconds).toFixed(2)) : null,
    epochCpuRatio: torch ? Number((meanOf(oursEpochCpuSeconds) / meanOf(torch.epochCpuSeconds)).toFixed(2)) : null,
    oursInferenceWindowsPerSecond: Math.round(oursInference),
    torchInferenceWindowsPerSecond: torch ? Math.round(torch.inferenceWindowsPerSecond) : null,
    ...quality,
  }),
);
