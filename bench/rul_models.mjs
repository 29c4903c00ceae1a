// Remaining useful life on NASA C-MAPSS FD001: `--model ensemble` (window-statistics trees at several window lengths,
// averaged, optionally blended with a sequence model whose weight is chosen on an inner split of the training engines)
// against the window-statistics trees alone (GBDT-50: 50-cycle windows scored from cycle 30, front-padded), per split
// seed. Split: 20 % of the engines held out (holdoutUnits of models/rul/holdout, seed = split seed), never used to fit,
// early-stop or weigh anything. The ensemble's 50-cycle tree member is fitted on the 80 training engines with the
// same options and seed as `upkeep train --model gbdt`, so it IS the GBDT-50 comparator (`--gbdt-check` retrains
// that separately and prints its RMSE).
// Reports over the held-out windows ending at cycle ≥ 30: every-window RMSE of GBDT-50, the trees' average, the
// sequence member (trained on 64 engines, early-stopped on 16) and the ensemble; test-like scores: (a) the card's 20
// held-out engines cut once at a seeded cycle (RMSE capped, PHM08 sum over 20), (b) every cut with true RUL ≤ 145
// (each held-out window as a test unit: RMSE capped, PHM08 mean per unit × 100 as for NASA's 100 test engines).
// Run: npx tsc -p tsconfig.build.json && node bench/rul_models.mjs [--seeds 0,1,2] [--tree-windows 40,50,60]
//      [--kind none|cnn|lstm|gru] [--seq-window 30] [--smoothing 0.3] [--epochs 40] [--sequence '{"dropout":0.3}']
//      [--gbdt-check]
// Prints one JSON object.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { phm08Score } from '../dist/evaluate/metrics.js';
import { readCmapss } from '../dist/io/cmapss.js';
import { holdoutUnits } from '../dist/models/rul/holdout.js';
import { trainRulPipeline } from '../dist/models/rul/train.js';
import { truncateUnits } from '../dist/models/rul/truncate.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '0,1,2' },
    kind: { type: 'string', default: 'none' },
    'tree-windows': { type: 'string', default: '40,50,60' },
    'seq-window': { type: 'string', default: '30' },
    smoothing: { type: 'string', default: '0.3' },
    epochs: { type: 'string' },
    sequence: { type: 'string', default: '{}' },
    'gbdt-check': { type: 'boolean', default: false },
    data: {
      type: 'string',
      default: new URL('../../shared/datasets/cmapss/train_FD001.txt', import.meta.url).pathname,
    },
  },
});

const data = await readCmapss(values.data);
const round = (value) => Math.round(value * 1000) / 1000;
function rmse(truth, predicted) {
  let sum = 0;
  for (let i = 0; i < truth.length; i++) sum += (truth[i] - predicted[i]) ** 2;
  return Math.sqrt(sum / truth.length);
}
const blendOf = (trees, sequence, weight) =>
  Float64Array.from(trees, (t, i) => Math.max(0, weight === 0 ? t : weight * sequence[i] + (1 - weight) * t));

const treeWindows = values['tree-windows'].split(',').map(Number);
const at50 = treeWindows.indexOf(50);
if (at50 < 0) throw new Error('--tree-windows must include 50 (the GBDT-50 comparator)');
const results = [];
for (const seed of values.seeds.split(',').map(Number)) {
  const started = performance.now();
  let sequenceEpochs = 0;
  const pipeline = await trainRulPipeline(data, {
    onEpoch: (progress) => {
      if (progress.validationRmse !== undefined) sequenceEpochs = progress.epoch;
    },
    model: 'ensemble',
    seed,
    refit: false,
    ensemble: {
      treeWindows: treeWindows,
      ...(values.kind === 'none'
        ? {}
        : {
            sequenceKind: values.kind,
            sequenceWindow: Number(values['seq-window']),
            smoothing: Number(values.smoothing),
          }),
    },
    ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
    sequence: JSON.parse(values.sequence),
  });
  const seconds = (performance.now() - started) / 1000;
  const estimator = pipeline.estimator;
  const weight = estimator.weight;
  const split = holdoutUnits(data.units.length, 0.2, seed);
  const held = { columns: data.columns, units: split.validation.map((index) => data.units[index]) };
  const series = pipeline.series(held);
  const sensors = pipeline.config.sensors;
  const every = await estimator.components(series, sensors, false);
  const targetsOf = new Map(series.map((item) => [item.unit, item.targets]));
  const truth = Float64Array.from(every.units, (unit, i) => targetsOf.get(unit)[every.endRows[i]]);
  const blended = blendOf(every.trees, every.sequence, weight);
  // Every cut with true RUL ≤ 145 as a test unit (true RUL uncapped for PHM08, capped for RMSE).
  const trueRulOf = new Map(held.units.map((unit) => [unit.unit, unit.cycles.length]));
  const cuts = [];
  for (let i = 0; i < truth.length; i++) {
    const trueRul = trueRulOf.get(every.units[i]) - 1 - every.endRows[i];
    if (trueRul <= 145) cuts.push([i, trueRul]);
  }
  const cutScores = (predicted) => {
    const p = cuts.map(([i]) => predicted[i]);
    const t = cuts.map(([, r]) => r);
    return {
      rmse: round(
        rmse(
          Float64Array.from(t, (r) => Math.min(r, pipeline.config.cap)),
          p,
        ),
      ),
      phm08Per100: round((phm08Score(Float64Array.from(t), Float64Array.from(p)) / cuts.length) * 100),
    };
  };
  // The card's single seeded cut per engine, as trainRulPipeline makes it (nominal window 50).
  const cut = truncateUnits(
    { columns: data.columns, units: [...held.units], rowCount: 0 },
    { seed, minCycles: 50 + 1, maxRul: 145 },
  );
  const last = await estimator.components(pipeline.series(cut), sensors, true);
  const trueLast = Float64Array.from(cut.units, (unit) => unit.rulAtEnd);
  const cappedLast = Float64Array.from(trueLast, (r) => Math.min(r, pipeline.config.cap));
  const lastScores = (predicted) => ({
    rmse: round(rmse(cappedLast, predicted)),
    phm08: round(phm08Score(trueLast, predicted)),
  });
  const result = {
    seed,
    windows: truth.length,
    weight,
    inner: estimator.innerScores,
    everyWindowRmse: {
      gbdt50: round(rmse(truth, every.members[at50])),
      members: Object.fromEntries(treeWindows.map((w, k) => [w, round(rmse(truth, every.members[k]))])),
      trees: round(rmse(truth, every.trees)),
      ...(values.kind === 'none' ? {} : { sequence: round(rmse(truth, every.sequence)) }),
      ensemble: round(rmse(truth, blended)),
      ensembleCard: round(pipeline.card.validation.windows.rmse),
    },
    allCuts: {
      count: cuts.length,
      gbdt50: cutScores(every.members[at50]),
      ...(values.kind === 'none' ? {} : { sequence: cutScores(every.sequence) }),
      ensemble: cutScores(blended),
    },
    cardCut: {
      units: cut.units.length,
      gbdt50: lastScores(last.members[at50]),
      ...(values.kind === 'none' ? {} : { sequence: lastScores(last.sequence) }),
      ensemble: lastScores(blendOf(last.trees, last.sequence, weight)),
      ensembleCard: {
        rmse: round(pipeline.card.validation.truncated.rmse),
        phm08: round(pipeline.card.validation.truncated.phm08),
      },
    },
    ...(values.kind === 'none' ? {} : { sequenceEpochs }),
    trainingSeconds: round(seconds),
  };
  if (values['gbdt-check']) {
    const gbdt = await trainRulPipeline(data, { model: 'gbdt', seed, refit: false });
    result.gbdtCheck = round(gbdt.card.validation.windows.rmse);
  }
  estimator.dispose();
  results.push(result);
  console.error(JSON.stringify(result));
}
console.log(
  JSON.stringify(
    {
      data: values.data.split('/').pop(),
      treeWindows,
      kind: values.kind,
      sequenceWindow: Number(values['seq-window']),
      smoothing: Number(values.smoothing),
      sequence: JSON.parse(values.sequence),
      results,
    },
    null,
    1,
  ),
);
