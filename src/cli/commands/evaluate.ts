import type { Command } from 'commander';
import { loadTrainedModel } from '../../models/artifact.js';
import { evaluateTrainedModel, type ModelEvaluation } from '../../models/evaluation.js';
import { action, formatCount, printJson, printLine } from '../run.js';
import { DATA_FORMATS, formatMetric, readDataFrame } from './model-data.js';
import { evaluateRulFile, formatRulEvaluation } from './rul.js';

export interface EvaluateCommandOptions {
  model: string;
  data: string;
  format: string;
  target?: string;
  /** --format cmapss: the RUL file of the test units. */
  rul?: string;
  json?: boolean;
}

/** What `upkeep evaluate` prints with `--json`. */
export type EvaluateSummary = ModelEvaluation & { model: string; data: string };

export async function evaluateFile(options: EvaluateCommandOptions): Promise<EvaluateSummary> {
  const model = await loadTrainedModel(options.model);
  const frame = await readDataFrame(options.data, options.format);
  return { model: options.model, data: options.data, ...evaluateTrainedModel(model, frame, options.target) };
}

/** The readable report: counts, the confusion matrix and the metrics. */
export function formatEvaluation(summary: EvaluateSummary): string[] {
  const skipped =
    summary.skipped > 0 ? ` (${formatCount(summary.skipped)} rows without '${summary.target}' skipped)` : '';
  if (summary.task !== 'classification') {
    const { metrics } = summary;
    return [
      `${formatCount(metrics.count)} rows of '${summary.target}'${skipped}`,
      `MAE ${formatMetric(metrics.mae, 4)}  RMSE ${formatMetric(metrics.rmse, 4)}  R² ${formatMetric(metrics.r2, 4)}`,
    ];
  }
  const { metrics, classes } = summary;
  const [negative, positive] = classes.map(String) as [string, string];
  const [[tn, fp], [fn, tp]] = metrics.confusionMatrix.counts as [[number, number], [number, number]];
  const cells = [tn, fp, fn, tp].map((count) => formatCount(count));
  const width = Math.max(9, ...cells.map((cell) => cell.length));
  const labelWidth = Math.max(negative.length, positive.length) + 6;
  return [
    `${formatCount(metrics.count)} rows of '${summary.target}', ${formatCount(metrics.positives)} positive (${positive})${skipped}; threshold ${formatMetric(metrics.threshold, 4)}`,
    `confusion matrix (rows true, columns predicted):`,
    `  ${''.padEnd(labelWidth)} ${`pred ${negative}`.padStart(width)} ${`pred ${positive}`.padStart(width)}`,
    `  ${`true ${negative}`.padEnd(labelWidth)} ${cells[0]?.padStart(width)} ${cells[1]?.padStart(width)}`,
    `  ${`true ${positive}`.padEnd(labelWidth)} ${cells[2]?.padStart(width)} ${cells[3]?.padStart(width)}`,
    `accuracy ${formatMetric(metrics.accuracy)}  precision ${formatMetric(metrics.precision)}  recall ${formatMetric(metrics.recall)}  F1 ${formatMetric(metrics.f1)}`,
    `ROC-AUC ${formatMetric(metrics.rocAuc, 4)}  PR-AUC ${formatMetric(metrics.averagePrecision, 4)}  log loss ${formatMetric(metrics.logLoss, 4)}  Brier ${formatMetric(metrics.brier, 4)}`,
  ];
}

export function registerEvaluate(program: Command): Command {
  return program
    .command('evaluate')
    .description("score a trained model on labelled data at the model's threshold")
    .requiredOption('--model <dir>', 'model directory written by upkeep train')
    .requiredOption('--data <file>', 'labelled rows')
    .option('--format <format>', `data format (${[...DATA_FORMATS, 'cmapss'].join(', ')})`, 'csv')
    .option('--target <column>', 'the true values (default: the column the model was trained to predict)')
    .option('--rul <file>', 'cmapss: the true RUL of each test unit, one a line')
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: EvaluateCommandOptions) => {
        if (options.format === 'cmapss') {
          const rul = await evaluateRulFile(options);
          if (options.json) printJson(rul);
          else for (const line of formatRulEvaluation(rul)) printLine(line);
          return;
        }
        const summary = await evaluateFile(options);
        if (options.json) printJson(summary);
        else for (const line of formatEvaluation(summary)) printLine(line);
      }),
    );
}
