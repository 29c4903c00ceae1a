import { basename } from 'node:path';
import type { Command } from 'commander';
import type { Clock } from '../../core/clock.js';
import { ValidationError } from '../../core/errors.js';
import { saveTrainedModel } from '../../models/artifact.js';
import type { ModelCard } from '../../models/card.js';
import type { ParamValue } from '../../models/kinds.js';
import { modelKinds } from '../../models/kinds.js';
import { type TrainProgress, type TrainSpec, trainModel } from '../../models/train.js';
import { Progress, progressWanted } from '../progress.js';
import { action, formatCount, formatDuration, integerOption, printJson, printLine } from '../run.js';
import { gbdtParamsOf } from './gbdt-flags.js';
import { choiceOption, DATA_FORMATS, formatMetric, listOption, numberOption, readDataFrame } from './model-data.js';
import { formatRulTrainSummary, runRulTrain } from './rul.js';

export interface TrainCommandOptions {
  data: string;
  format: string;
  target: string;
  drop: string[];
  model: string;
  task?: 'classification' | 'regression' | 'rul';
  ridge?: number;
  C?: number;
  classWeight?: 'balanced' | 'none';
  trees?: number;
  depth?: number;
  learningRate?: number;
  minChildWeight?: number;
  subsample?: number;
  colsample?: number;
  lambda?: number;
  alpha?: number;
  folds?: number;
  holdout?: number;
  seed: number;
  /** Search interaction features (products, differences, ratios of numeric pairs) by out-of-fold score. */
  interactions?: boolean;
  out: string;
  json?: boolean;
  /** --format cmapss: window length, window stride, RUL cap, sequence-model epochs. */
  window?: number;
  stride?: number;
  cap?: number;
  epochs?: number;
}

/** What `upkeep train` did; also the `--json` answer. */
export interface TrainSummary {
  model: string;
  path: string;
  seconds: number;
  card: ModelCard;
}

/** The training request the options describe. */
export function trainSpecOf(options: TrainCommandOptions): TrainSpec {
  const params: Record<string, ParamValue> = {};
  if (options.ridge !== undefined) params.ridge = options.ridge;
  if (options.C !== undefined) params.C = options.C;
  if (options.classWeight !== undefined) params.classWeight = options.classWeight === 'none' ? null : 'balanced';
  Object.assign(params, gbdtParamsOf(options));
  return {
    target: options.target,
    drop: options.drop,
    model: options.model,
    ...(options.task ? { task: options.task } : {}),
    params,
    validation:
      options.holdout !== undefined
        ? { method: 'holdout', testFraction: options.holdout }
        : { method: 'kfold', folds: options.folds ?? 5 },
    seed: options.seed,
    ...(options.interactions ? { interactions: true } : {}),
    source: basename(options.data),
  };
}

/** Reads the data, trains, saves the model directory. */
export async function trainFile(
  options: TrainCommandOptions,
  hooks: { clock?: Clock; onProgress?: (progress: TrainProgress) => void } = {},
): Promise<TrainSummary> {
  const frame = await readDataFrame(options.data, options.format);
  const started = performance.now();
  const trained = trainModel(frame, trainSpecOf(options), hooks);
  const path = await saveTrainedModel(trained, options.out);
  return { model: options.out, path, seconds: Math.round(performance.now() - started) / 1000, card: trained.card };
}

function describeValidation(card: ModelCard): string {
  const validation = card.validation;
  if (validation.method === 'none') return 'not validated (too little data)';
  const how =
    validation.method === 'holdout'
      ? `holdout of ${formatCount(validation.rows)} rows (${Math.round((validation.testFraction ?? 0) * 100)}%)`
      : `${validation.folds}-fold out-of-fold${validation.groupColumn ? ` grouped by '${validation.groupColumn}'` : validation.stratified ? ', stratified' : ''}`;
  return how;
}

function metricsLine(card: ModelCard): string {
  const metrics = card.validation.metrics;
  if (!metrics) return '';
  if ('rocAuc' in metrics) {
    return (
      `ROC-AUC ${formatMetric(metrics.rocAuc)}  PR-AUC ${formatMetric(metrics.averagePrecision)}  ` +
      `F1 ${formatMetric(metrics.f1)}  precision ${formatMetric(metrics.precision)}  recall ${formatMetric(metrics.recall)}  ` +
      `at threshold ${formatMetric(metrics.threshold, 4)}`
    );
  }
  return `MAE ${formatMetric(metrics.mae, 4)}  RMSE ${formatMetric(metrics.rmse, 4)}  R² ${formatMetric(metrics.r2, 4)}`;
}

function signed(value: number): string {
  const text =
    Math.abs(value) >= 1e4 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(3) : value.toFixed(4);
  return value >= 0 ? `+${text}` : text;
}

/** The readable summary `upkeep train` prints. */
export function formatTrainSummary(summary: TrainSummary, top = 8): string[] {
  const { card } = summary;
  const lines = [
    `trained ${card.kind} (${card.className}, ${card.task}) on ${formatCount(card.trainingData.rows - card.trainingData.rowsWithoutTarget)} rows × ` +
      `${card.featureNames.length} feature${card.featureNames.length === 1 ? '' : 's'} in ${formatDuration(summary.seconds * 1000)} → ${summary.path}`,
    `validation: ${describeValidation(card)}`,
  ];
  const metrics = metricsLine(card);
  if (metrics) lines.push(`  ${metrics}`);
  const interactions = card.preprocessing.interactions;
  if (interactions) {
    const kept = interactions.kept.length > 0 ? interactions.kept.map((name) => `'${name}'`).join(', ') : 'none';
    lines.push(
      `interactions: kept ${kept} of ${interactions.trials.length} candidates ` +
        `(out-of-fold ${interactions.scoring} ${formatMetric(interactions.baseline, 4)} → ${formatMetric(interactions.score, 4)})`,
    );
  }
  if (card.search) {
    const best = card.search.trials
      .filter((trial) => trial.score !== null)
      .map((trial) => `${trial.kind} ${JSON.stringify(trial.params)} ${formatMetric(trial.score, 4)}`);
    lines.push(`model search (${card.search.scoring}, out of fold): ${best.join('; ')}`);
  }
  if (card.coefficients && card.intercept !== undefined) {
    const standardized = card.standardizedCoefficients ?? card.coefficients;
    const ranked = Object.keys(card.coefficients).sort(
      (a, b) => Math.abs(standardized[b] ?? 0) - Math.abs(standardized[a] ?? 0),
    );
    const unit =
      card.task === 'classification' ? 'log-odds per unit of the input' : `${card.target} per unit of the input`;
    const shown = ranked.slice(0, top);
    lines.push(
      `intercept ${signed(card.intercept)}; top coefficients (${unit}, ranked by effect per standard deviation):`,
    );
    const width = Math.max(...shown.map((name) => name.length));
    for (const name of shown) {
      const perSd = card.standardizedCoefficients?.[name];
      lines.push(
        `  ${name.padEnd(width)}  ${signed(card.coefficients[name] as number).padStart(12)}` +
          (perSd !== undefined ? `   (${signed(perSd)} per σ)` : ''),
      );
    }
    if (ranked.length > shown.length) lines.push(`  … ${ranked.length - shown.length} more in the card (--json)`);
  }
  const gain = card.diagnostics.importanceGain;
  if (!card.coefficients && gain !== null && typeof gain === 'object' && !Array.isArray(gain)) {
    const ranked = Object.entries(gain as Record<string, unknown>)
      .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
      .sort((a, b) => b[1] - a[1]);
    if (ranked.length > 0) {
      const shown = ranked.slice(0, top);
      const width = Math.max(...shown.map(([name]) => name.length));
      lines.push('top features by gain (mean loss reduction per split):');
      for (const [name, value] of shown) lines.push(`  ${name.padEnd(width)}  ${value.toFixed(4).padStart(10)}`);
      if (ranked.length > shown.length) lines.push(`  … ${ranked.length - shown.length} more in the card (--json)`);
    }
  }
  for (const warning of card.warnings) lines.push(`warning: ${warning}`);
  return lines;
}

export function registerTrain(program: Command): Command {
  const kinds = [...modelKinds.map((kind) => kind.name), 'lstm', 'gru', 'cnn', 'ensemble', 'auto'];
  return program
    .command('train')
    .description('train a model on a data file and save it (with its model card) to a directory')
    .requiredOption('--data <file>', 'training data')
    .option('--format <format>', `data format (${[...DATA_FORMATS, 'cmapss'].join(', ')})`, 'csv')
    .option('--target <column>', 'the column to predict (not with --format cmapss: the target is the RUL)')
    .option('--drop <columns>', 'comma-separated columns to leave out (identifiers, leaky labels)', listOption, [])
    .option('--model <kind>', `model kind (${kinds.join(', ')})`, choiceOption('--model', kinds), 'auto')
    .option(
      '--task <task>',
      'classification, regression or rul (default: classification for a 0/1 or true/false target)',
      choiceOption('--task', ['classification', 'regression', 'rul'] as const),
    )
    .option(
      '--ridge <lambda>',
      'linear: ridge penalty on the standardised coefficients',
      numberOption('--ridge', { atLeast: 0 }),
    )
    .option('--C <c>', 'logistic: inverse regularisation strength (default 1)', numberOption('--C', { above: 0 }))
    .option(
      '--class-weight <weight>',
      'logistic, gbdt: balanced or none',
      choiceOption('--class-weight', ['balanced', 'none'] as const),
    )
    .option('--trees <n>', 'gbdt: boosting rounds (default 100)', integerOption('--trees', 1, 100_000))
    .option('--depth <d>', 'gbdt: maximum tree depth (default 6; auto tries 3 and 6)', integerOption('--depth', 1, 30))
    .option(
      '--learning-rate <eta>',
      'gbdt: shrinkage of every tree (default 0.3)',
      numberOption('--learning-rate', { above: 0 }),
    )
    .option(
      '--min-child-weight <w>',
      'gbdt: least hessian sum in a leaf (default 1)',
      numberOption('--min-child-weight', { atLeast: 0 }),
    )
    .option(
      '--subsample <fraction>',
      'gbdt: share of rows each tree sees (default 1)',
      numberOption('--subsample', { above: 0 }),
    )
    .option(
      '--colsample <fraction>',
      'gbdt: share of features each tree sees (default 1)',
      numberOption('--colsample', { above: 0 }),
    )
    .option('--lambda <l2>', 'gbdt: L2 penalty on leaf values (default 1)', numberOption('--lambda', { atLeast: 0 }))
    .option('--alpha <l1>', 'gbdt: L1 penalty on leaf values (default 0)', numberOption('--alpha', { atLeast: 0 }))
    .option('--folds <k>', 'k-fold validation with k folds (default 5)', integerOption('--folds', 2, 50))
    .option(
      '--holdout <fraction>',
      'validate on a held-out share of the rows instead of k-fold',
      numberOption('--holdout', { above: 0, below: 1 }),
    )
    .option('--seed <n>', 'seed of the validation split', integerOption('--seed', 0, 0xffffffff), 0)
    .option(
      '--interactions',
      'add products, differences and ratios of numeric column pairs that raise the out-of-fold score (in the card)',
    )
    .option(
      '--window <n>',
      'cmapss: cycles per window (default 50 for gbdt and ensemble — whose trees use it ± 10 —, 30 for sequence models)',
      integerOption('--window', 1, 10_000),
    )
    .option('--stride <n>', 'cmapss: cycles between training windows (default 1)', integerOption('--stride', 1, 10_000))
    .option(
      '--cap <cycles>',
      'cmapss: cap of the piecewise-linear RUL target (default 125)',
      numberOption('--cap', { above: 0 }),
    )
    .option('--epochs <n>', 'cmapss, lstm/gru/cnn: most training epochs', integerOption('--epochs', 1, 100_000))
    .requiredOption('--out <dir>', 'directory to write model.json into')
    .option('--json', 'print one JSON object (with the model card) instead of a summary')
    .action(
      action(async (options: TrainCommandOptions) => {
        if (options.format === 'cmapss') {
          const summary = await runRulTrain(options, progressWanted(options.json));
          if (options.json) printJson(summary);
          else for (const line of formatRulTrainSummary(summary)) printLine(line);
          return;
        }
        if (options.target === undefined)
          throw new ValidationError("required option '--target <column>' not specified");
        let progress: Progress | undefined;
        const summary = await trainFile(options, {
          onProgress: (step) => {
            progress ??= new Progress({ total: step.total, itemName: 'fits', enabled: progressWanted(options.json) });
            progress.update(step.completed, step.completed);
          },
        }).finally(() => progress?.stop());
        if (options.json) printJson(summary);
        else for (const line of formatTrainSummary(summary)) printLine(line);
      }),
    );
}
