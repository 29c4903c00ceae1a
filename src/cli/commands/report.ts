import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { loadTrainedModel } from '../../models/artifact.js';
import { type ModelCostReport, modelCostReport } from '../../models/maintenance-cost.js';
import { action, integerOption, printJson, printLine } from '../run.js';
import { costReportHtml, formatMoney } from './cost-report-html.js';
import { DATA_FORMATS, numberOption, readDataFrame } from './model-data.js';

export interface CostReportCommandOptions {
  model: string;
  data: string;
  format: string;
  failureCost: number;
  repairCost: number;
  falseAlarmCost: number;
  ageColumn?: string;
  folds?: number;
  out?: string;
  json?: boolean;
}

/** What `upkeep report cost --json` prints: the report with the model and data it came from. */
export type CostReportSummary = ModelCostReport & { model: string; data: string; out?: string };

/** Loads the model and data, computes the report and writes the HTML page when `out` is given. */
export async function costReportFile(options: CostReportCommandOptions): Promise<CostReportSummary> {
  const model = await loadTrainedModel(options.model);
  const frame = await readDataFrame(options.data, options.format);
  const report = modelCostReport(
    model,
    frame,
    { failureCost: options.failureCost, repairCost: options.repairCost, falseAlarmCost: options.falseAlarmCost },
    {
      ...(options.ageColumn === undefined ? {} : { ageColumn: options.ageColumn }),
      ...(options.folds === undefined ? {} : { folds: options.folds }),
    },
  );
  if (options.out !== undefined) {
    if (!options.out.endsWith('.html')) {
      throw new ValidationError(`--out must name an .html file, got '${options.out}'`, [
        { path: 'out', message: 'not .html' },
      ]);
    }
    await writeFile(options.out, costReportHtml(report, `model ${options.model} on ${options.data}`));
  }
  return { model: options.model, data: options.data, ...report, ...(options.out ? { out: options.out } : {}) };
}

function thresholdText(threshold: number): string {
  return Number.isFinite(threshold) ? String(Number(threshold.toPrecision(4))) : 'never alarm';
}

/** The readable summary. */
export function formatCostReport(summary: CostReportSummary): string[] {
  const c = summary.confusion;
  const baseline = summary.fixedInterval;
  const interval =
    baseline.policy === 'age'
      ? `service at '${baseline.column}' ≥ ${thresholdText(baseline.interval ?? Number.POSITIVE_INFINITY)}`
      : baseline.servicedShare === 1
        ? 'sensor-blind: service every row'
        : 'sensor-blind: no servicing';
  const lines = [
    `${summary.rows} rows, ${summary.failures} failures; out-of-fold scores (${summary.scores.folds} folds)`,
    `threshold ${thresholdText(summary.threshold)}: ${c.truePositives} planned repairs, ${c.falsePositives} false alarms, ${c.falseNegatives} unplanned failures, ${c.trueNegatives} quiet rows`,
    `model policy   ${formatMoney(summary.totalCost)} (${formatMoney(summary.costPerRow)} per row)`,
    `run to failure ${formatMoney(summary.runToFailure.totalCost)}`,
    `fixed interval ${formatMoney(baseline.totalCost)} (${interval})`,
    `savings ${formatMoney(summary.savings.vsRunToFailure)} vs run to failure (${(100 * summary.savings.vsRunToFailureShare).toFixed(1)} %), ${formatMoney(summary.savings.vsFixedInterval)} vs fixed interval (${(100 * summary.savings.vsFixedIntervalShare).toFixed(1)} %)`,
  ];
  if (summary.out) lines.push(`report written to ${summary.out}`);
  return lines;
}

/** `upkeep report cost`. */
export function registerReport(program: Command): Command {
  const report = program.command('report').description('reports for people who pay for maintenance');
  report
    .command('cost')
    .description(
      "the alarm threshold of least maintenance cost on a labelled history, from a model's out-of-fold scores",
    )
    .requiredOption('--model <dir>', 'classifier directory written by upkeep train')
    .requiredOption('--data <file>', 'labelled history (the model inputs and its target)')
    .requiredOption(
      '--failure-cost <amount>',
      'cost of an unplanned failure',
      numberOption('--failure-cost', { above: 0 }),
    )
    .requiredOption('--repair-cost <amount>', 'cost of a planned repair', numberOption('--repair-cost', { atLeast: 0 }))
    .requiredOption(
      '--false-alarm-cost <amount>',
      'cost of an alarm without a failure',
      numberOption('--false-alarm-cost', { atLeast: 0 }),
    )
    .option('--age-column <column>', 'age or usage column for the fixed-interval baseline (e.g. "Tool wear [min]")')
    .option(
      '--folds <k>',
      'folds of the out-of-fold scores (default: the model’s validation folds)',
      integerOption('--folds', 2),
    )
    .option('--format <format>', `data format (${DATA_FORMATS.join(', ')})`, 'csv')
    .option('--out <file.html>', 'write a self-contained HTML report with charts')
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: CostReportCommandOptions) => {
        const summary = await costReportFile(options);
        if (options.json) printJson(summary);
        else for (const line of formatCostReport(summary)) printLine(line);
      }),
    );
  return report;
}
