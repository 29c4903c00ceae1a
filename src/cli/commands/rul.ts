/**
 * The C-MAPSS side of the model commands (`--format cmapss`): train a remaining-useful-life pipeline, evaluate it on
 * a test file paired with its RUL file, predict one row per unit, and draw its charts. train/evaluate/predict/plot
 * hand over here when the format is cmapss.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { Clock } from '../../core/clock.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { type CmapssData, readCmapss } from '../../io/cmapss.js';
import { loadRulPipeline, saveRulPipeline } from '../../models/rul/artifact.js';
import { type RulScores, scoreUnits } from '../../models/rul/evaluate.js';
import type { RulCard, UnitRul } from '../../models/rul/pipeline.js';
import { RUL_MODEL_KINDS, type RulModelKind, trainRulPipeline } from '../../models/rul/train.js';
import { formatCmapss, formatCmapssRul, truncateUnits } from '../../models/rul/truncate.js';
import { writeChart } from '../../plot/index.js';
import { rulTrajectoryChart, rulUnitsChart } from '../../plot/rul-charts.js';
import { action, formatDuration, integerOption, printJson, printLine } from '../run.js';
import { gbdtParamsOf } from './gbdt-flags.js';
import { formatMetric } from './model-data.js';
import { EpochBar } from './rul-progress.js';

/** What `upkeep train --format cmapss` reads from its options. */
export interface RulTrainCommandOptions {
  data: string;
  model: string;
  task?: string;
  window?: number;
  stride?: number;
  cap?: number;
  epochs?: number;
  trees?: number;
  depth?: number;
  learningRate?: number;
  minChildWeight?: number;
  subsample?: number;
  colsample?: number;
  lambda?: number;
  alpha?: number;
  holdout?: number;
  seed: number;
  out: string;
  json?: boolean;
}

export interface RulTrainSummary {
  model: string;
  path: string;
  seconds: number;
  card: RulCard;
}

/** Reads a C-MAPSS file (optionally with its RUL file); a missing file is one readable error. */
export async function readCmapssFile(data: string, rul?: string): Promise<CmapssData> {
  try {
    return await readCmapss(data, rul);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const missing = (error as NodeJS.ErrnoException).path ?? data;
      const which = missing === rul ? 'RUL file' : 'data file';
      throw new NotFoundError(`${which} '${missing}' does not exist`, [
        { path: which === 'RUL file' ? 'rul' : 'data', message: 'no such file' },
      ]);
    }
    if (code === 'EISDIR') throw new ValidationError(`'${data}' is a directory, not a C-MAPSS file`);
    throw error;
  }
}

function rulModelKind(model: string): RulModelKind {
  const kind = model === 'auto' ? 'gbdt' : model;
  if (!(RUL_MODEL_KINDS as readonly string[]).includes(kind)) {
    throw new ValidationError(
      `--model must be one of ${RUL_MODEL_KINDS.join(', ')} with --format cmapss, got '${model}'`,
      [{ path: 'model', message: 'not a RUL model' }],
    );
  }
  return kind as RulModelKind;
}

/** Trains on a C-MAPSS training file and saves the model directory. */
export async function trainRulFile(
  options: RulTrainCommandOptions,
  hooks: { clock?: Clock; onEpoch?: (progress: Parameters<EpochBar['update']>[0]) => void } = {},
): Promise<RulTrainSummary> {
  if (options.task !== undefined && options.task !== 'rul') {
    throw new ValidationError(`--format cmapss trains remaining useful life: use --task rul, got '${options.task}'`, [
      { path: 'task', message: 'must be rul' },
    ]);
  }
  const model = rulModelKind(options.model);
  const data = await readCmapssFile(options.data);
  const started = performance.now();
  const gbdt = gbdtParamsOf(options);
  const pipeline = await trainRulPipeline(data, {
    model,
    seed: options.seed,
    source: basename(options.data),
    ...(options.window !== undefined ? { window: options.window } : {}),
    ...(options.stride !== undefined ? { stride: options.stride } : {}),
    ...(options.cap !== undefined ? { cap: options.cap } : {}),
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.holdout !== undefined ? { validationFraction: options.holdout } : {}),
    ...(Object.keys(gbdt).length > 0 ? { gbdt } : {}),
    ...(hooks.clock ? { clock: hooks.clock } : {}),
    ...(hooks.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
  });
  try {
    const path = await saveRulPipeline(pipeline, options.out);
    return { model: options.out, path, seconds: Math.round(performance.now() - started) / 1000, card: pipeline.card };
  } finally {
    pipeline.estimator.dispose();
  }
}

/** The readable summary of a RUL training. */
export function formatRulTrainSummary(summary: RulTrainSummary): string[] {
  const { card } = summary;
  const { validation } = card;
  const lines = [
    `trained ${card.kind} (rul) on ${card.trainingData.units} units, ${card.trainingData.rows} cycles: window ${card.window.length}, ` +
      `cap ${card.cap}, ${card.sensors.length} sensors (dropped ${card.droppedColumns.join(', ') || 'none'}) in ` +
      `${formatDuration(card.trainingSeconds * 1000)} → ${summary.path}`,
  ];
  if (validation.method === 'none') lines.push('validation: none (too few units)');
  else {
    lines.push(
      `validation: ${validation.validationUnits} of ${validation.trainUnits + validation.validationUnits} engines held out (seed ${validation.seed})`,
    );
    if (validation.windows) {
      lines.push(
        `  every window (${validation.windows.count}): RMSE ${formatMetric(validation.windows.rmse, 3)}  MAE ${formatMetric(validation.windows.mae, 3)}  ` +
          `${Math.round(card.level * 100)}% interval coverage ${formatMetric(validation.windows.coverage, 3)}`,
      );
    }
    if (validation.truncated) {
      lines.push(
        `  cut at random cycles like a test file (${validation.truncated.units} units): RMSE ${formatMetric(validation.truncated.rmse, 3)}  ` +
          `RMSE uncapped ${formatMetric(validation.truncated.rmseUncapped, 3)}  PHM08 ${formatMetric(validation.truncated.phm08, 1)}`,
      );
    }
  }
  if (card.refit) lines.push('final model refitted on every engine');
  for (const warning of card.warnings) lines.push(`warning: ${warning}`);
  return lines;
}

/** Runs `upkeep train --format cmapss …`: progress bar on a terminal, summary or JSON. */
export async function runRulTrain(options: RulTrainCommandOptions, showProgress: boolean): Promise<RulTrainSummary> {
  const bar = showProgress
    ? new EpochBar(['gbdt', 'ensemble'].includes(rulModelKind(options.model)) ? 'round' : 'epoch')
    : undefined;
  try {
    return await trainRulFile(options, bar ? { onEpoch: (progress) => bar.update(progress) } : {});
  } finally {
    bar?.stop();
  }
}

export interface RulEvaluateCommandOptions {
  model: string;
  data: string;
  rul?: string;
}

export type RulEvaluateSummary = RulScores & { model: string; data: string; rul: string; kind: string; cap: number };

/** Scores a RUL model on a test file and its RUL file. */
export async function evaluateRulFile(options: RulEvaluateCommandOptions): Promise<RulEvaluateSummary> {
  if (options.rul === undefined) {
    throw new ValidationError('evaluate --format cmapss needs --rul RUL_FILE (the true RUL of each test unit)', [
      { path: 'rul', message: 'required with --format cmapss' },
    ]);
  }
  const pipeline = await loadRulPipeline(options.model);
  try {
    const data = await readCmapssFile(options.data, options.rul);
    const scores = scoreUnits(await pipeline.predictUnits(data), pipeline.config.cap);
    return {
      model: options.model,
      data: options.data,
      rul: options.rul,
      kind: pipeline.kind,
      cap: pipeline.config.cap,
      ...scores,
    };
  } finally {
    pipeline.estimator.dispose();
  }
}

export function formatRulEvaluation(summary: RulEvaluateSummary): string[] {
  return [
    `${summary.n_units} units scored at their last cycle by ${summary.kind} (cap ${summary.cap})`,
    `RMSE ${formatMetric(summary.rmse, 3)} (true RUL capped at ${summary.cap})  RMSE uncapped ${formatMetric(summary.rmse_uncapped, 3)}  ` +
      `PHM08 score ${formatMetric(summary.phm08_score, 1)}  MAE ${formatMetric(summary.mae, 3)}  interval coverage ${formatMetric(summary.coverage, 3)}`,
  ];
}

/** One row per unit: unit, last cycle, predicted RUL and its interval (and the true RUL when a RUL file is given). */
export async function predictRulFile(options: { model: string; data: string; rul?: string }): Promise<UnitRul[]> {
  const pipeline = await loadRulPipeline(options.model);
  try {
    return await pipeline.predictUnits(await readCmapssFile(options.data, options.rul));
  } finally {
    pipeline.estimator.dispose();
  }
}

function roundTo(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** The prediction table as CSV: `unit,cycle,rul,lower,upper[,true_rul]`. */
export function rulPredictionCsv(rows: readonly UnitRul[], withTruth: boolean): string {
  const header = ['unit', 'cycle', 'rul', 'lower', 'upper', ...(withTruth ? ['true_rul'] : [])].join(',');
  const lines = rows.map((row) =>
    [
      row.unit,
      row.cycle,
      roundTo(row.rul, 3),
      roundTo(row.lower, 3),
      roundTo(row.upper, 3),
      ...(withTruth ? [row.trueRul] : []),
    ].join(','),
  );
  return `${[header, ...lines].join('\n')}\n`;
}

export interface RulPlotOptions {
  model: string;
  data: string;
  rul?: string;
  unit?: number;
  out: string;
  title?: string;
}

/** `plot rul`: predicted against true RUL per unit, or with `unit` one unit's RUL over its life. */
export async function rulChart(options: RulPlotOptions): Promise<string> {
  const pipeline = await loadRulPipeline(options.model);
  try {
    const data = await readCmapssFile(options.data, options.rul);
    const label = `${pipeline.kind}, window ${pipeline.config.window.length}, cap ${pipeline.config.cap}`;
    if (options.unit !== undefined) {
      return rulTrajectoryChart(await pipeline.trajectory(data, options.unit), {
        cap: pipeline.config.cap,
        level: pipeline.config.level,
        subtitle: label,
        ...(options.title ? { title: options.title } : {}),
      });
    }
    const rows = await pipeline.predictUnits(data);
    const scores = scoreUnits(rows, pipeline.config.cap);
    return rulUnitsChart(rows, {
      cap: pipeline.config.cap,
      level: pipeline.config.level,
      subtitle: `${label} · ${rows.length} units · RMSE ${formatMetric(scores.rmse, 2)} · PHM08 ${formatMetric(scores.phm08_score, 1)}`,
      ...(options.title ? { title: options.title } : {}),
    });
  } finally {
    pipeline.estimator.dispose();
  }
}

/** `upkeep plot rul`. */
export function registerRulPlot(plot: Command): Command {
  return plot
    .command('rul')
    .description('remaining useful life: predicted against true per unit, or one unit over its life (--unit)')
    .requiredOption('--model <dir>', 'RUL model directory written by upkeep train --format cmapss')
    .requiredOption('--data <file>', 'C-MAPSS file (a training file, or a test file with --rul)')
    .option('--format <format>', 'data format (cmapss)', 'cmapss')
    .option('--rul <file>', 'the true RUL of each unit of a test file (without it every unit runs to failure)')
    .option('--unit <n>', "one unit's predicted RUL and interval at every cycle", integerOption('--unit', 1))
    .option('--title <text>', 'chart title')
    .requiredOption('--out <file>', 'chart file: .png or .svg')
    .action(
      action(async (options: RulPlotOptions & { format: string }) => {
        if (options.format !== 'cmapss')
          throw new ValidationError(`plot rul reads --format cmapss, got '${options.format}'`);
        await writeChart(await rulChart(options), options.out);
        printLine(`wrote ${options.out}`);
      }),
    );
}

export interface CmapssTestOptions {
  data: string;
  out: string;
  rulOut: string;
  seed: number;
  minCycles?: number;
  maxRul?: number;
  json?: boolean;
}

/** What `upkeep generate cmapss-test` wrote. */
export interface CmapssTestSummary {
  data: string;
  rul: string;
  units: number;
  rows: number;
  seed: number;
}

/** Cuts every unit of a training file at a seeded random cycle and writes the test file and its RUL file. */
export async function writeCmapssTest(options: CmapssTestOptions): Promise<CmapssTestSummary> {
  const data = await readCmapssFile(options.data);
  const cut = truncateUnits(data, {
    seed: options.seed,
    ...(options.minCycles !== undefined ? { minCycles: options.minCycles } : {}),
    ...(options.maxRul !== undefined ? { maxRul: options.maxRul } : {}),
  });
  await writeFile(options.out, formatCmapss(cut));
  await writeFile(options.rulOut, formatCmapssRul(cut));
  return { data: options.out, rul: options.rulOut, units: cut.units.length, rows: cut.rowCount, seed: options.seed };
}

/** `upkeep generate cmapss-test`. */
export function registerCmapssTest(generate: Command): Command {
  return generate
    .command('cmapss-test')
    .description('a C-MAPSS test file and its RUL file from a training file: every unit cut at a random cycle')
    .requiredOption('--data <file>', 'C-MAPSS training file (units run to failure)')
    .requiredOption('--out <file>', 'test file to write')
    .requiredOption('--rul-out <file>', 'RUL file to write (the true RUL of each unit at its cut)')
    .option('--seed <n>', 'random seed of the cuts', integerOption('--seed', 0, 0xffffffff), 0)
    .option('--min-cycles <n>', 'fewest cycles a cut unit keeps (default 31)', integerOption('--min-cycles', 1))
    .option(
      '--max-rul <n>',
      'largest true RUL at a cut (NASA FD001 test units: at most 145)',
      integerOption('--max-rul', 1),
    )
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: CmapssTestOptions) => {
        const summary = await writeCmapssTest(options);
        if (options.json) printJson(summary);
        else
          printLine(
            `wrote ${summary.units} units (${summary.rows} cycles) to ${summary.data} and their RUL to ${summary.rul}`,
          );
      }),
    );
}
