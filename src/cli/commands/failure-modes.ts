import type { Command } from 'commander';
import { type FailureModeReport, failureModeReport } from '../../models/trees/failure-modes.js';
import { action, formatCount, integerOption, printJson, printLine } from '../run.js';
import { gbdtParamsOf } from './gbdt-flags.js';
import { choiceOption, DATA_FORMATS, formatMetric, listOption, numberOption, readDataFrame } from './model-data.js';

export interface FailureModesCommandOptions {
  data: string;
  format: string;
  modes: string[];
  drop: string[];
  folds: number;
  seed: number;
  trees?: number;
  depth?: number;
  learningRate?: number;
  json?: boolean;
}

/** One line per mode for people. */
export function formatFailureModeReport(report: FailureModeReport): string[] {
  const width = Math.max(4, ...report.classes.map((entry) => entry.mode.length));
  return [
    `failure modes, ${report.folds}-fold out-of-fold (softmax gbdt) on ${formatCount(report.rows)} rows, ` +
      `accuracy ${formatMetric(report.accuracy, 4)}`,
    `  ${'mode'.padEnd(width)}  ${'rows'.padStart(6)}  precision  recall     F1`,
    ...report.classes.map(
      (entry) =>
        `  ${entry.mode.padEnd(width)}  ${String(entry.support).padStart(6)}  ${formatMetric(entry.precision).padStart(9)}  ` +
        `${formatMetric(entry.recall).padStart(6)}  ${formatMetric(entry.f1).padStart(5)}`,
    ),
  ];
}

export function registerFailureModes(program: Command): Command {
  return program
    .command('failure-modes')
    .description('which failure mode: out-of-fold per-mode precision and recall of a softmax gbdt over the mode flags')
    .requiredOption('--data <file>', 'training data with one 0/1 column per failure mode')
    .option(
      '--format <format>',
      `data format (${DATA_FORMATS.join(', ')})`,
      choiceOption('--format', DATA_FORMATS),
      'csv',
    )
    .requiredOption(
      '--modes <columns>',
      'comma-separated failure-mode flag columns (e.g. TWF,HDF,PWF,OSF,RNF)',
      listOption,
    )
    .option('--drop <columns>', 'comma-separated columns to leave out (identifiers, the overall label)', listOption, [])
    .option('--folds <k>', 'stratified k-fold validation with k folds', integerOption('--folds', 2, 50), 5)
    .option('--seed <n>', 'seed of the fold shuffle', integerOption('--seed', 0, 0xffffffff), 0)
    .option('--trees <n>', 'boosting rounds (default 100)', integerOption('--trees', 1, 100_000))
    .option('--depth <d>', 'maximum tree depth (default 6)', integerOption('--depth', 1, 30))
    .option('--learning-rate <eta>', 'shrinkage (default 0.3)', numberOption('--learning-rate', { above: 0 }))
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: FailureModesCommandOptions) => {
        const frame = await readDataFrame(options.data, options.format);
        const report = failureModeReport(frame, {
          modes: options.modes,
          drop: options.drop,
          folds: options.folds,
          seed: options.seed,
          params: gbdtParamsOf(options),
        });
        if (options.json) printJson(report);
        else for (const line of formatFailureModeReport(report)) printLine(line);
      }),
    );
}
