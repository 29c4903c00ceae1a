import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { frameToCsv, writeCsvFile } from '../../io/csv-frame.js';
import { categoryFromText, Frame, numericColumn } from '../../io/frame.js';
import { loadTrainedModel } from '../../models/artifact.js';
import type { RowExplanation, TrainedModel } from '../../models/trained-model.js';
import { action, formatCount, integerOption, printLine } from '../run.js';
import { DATA_FORMATS, readDataFrame } from './model-data.js';
import { predictRulFile, rulPredictionCsv } from './rul.js';

export interface PredictCommandOptions {
  model: string;
  data: string;
  format: string;
  out?: string;
  /** Add an `explanation` column with the largest feature contributions. */
  explain?: boolean;
  /** How many contributions `explain` lists (default 3). */
  top?: number;
  /** --format cmapss: the RUL file of the test units (adds a true_rul column). */
  rul?: string;
}

/** `Torque [Nm] +1.30; Tool wear [min] +0.90; Rotational speed [rpm] -0.20`: signed contributions to the margin. */
export function formatExplanation(row: RowExplanation): string {
  return row.contributions
    .map(({ feature, value }) => `${feature} ${value >= 0 ? '+' : '-'}${Math.abs(value).toFixed(2)}`)
    .join('; ');
}

/**
 * The prediction table: the input's id columns the model knows of (asset ids, identifiers dropped at training) that
 * are present, then `prediction` and, for classifiers, `probability` of the positive class; with `explain`, an
 * `explanation` column of the `top` largest contributions to the margin (log-odds for classifiers). O(rows × features)
 * without explanations.
 */
export function predictionFrame(model: TrainedModel, input: Frame, explain?: { top: number }): Frame {
  const { prediction, probability } = model.predictFrame(input);
  const ids = model.card.idColumns.filter((name) => input.has(name)).map((name) => input.column(name));
  const columns = [...ids, numericColumn('prediction', prediction)];
  if (probability) columns.push(numericColumn('probability', probability));
  if (explain) {
    columns.push(categoryFromText('explanation', model.explain(input, explain.top).map(formatExplanation)));
  }
  return new Frame(columns, input.rowCount);
}

/** Loads the model and the data and returns the prediction table. */
export async function predictFile(options: PredictCommandOptions): Promise<Frame> {
  const model = await loadTrainedModel(options.model);
  const input = await readDataFrame(options.data, options.format);
  return predictionFrame(model, input, options.explain ? { top: options.top ?? 3 } : undefined);
}

export function registerPredict(program: Command): Command {
  return program
    .command('predict')
    .description('predict with a trained model: CSV of id columns, prediction and (classifiers) probability')
    .requiredOption('--model <dir>', 'model directory written by upkeep train')
    .requiredOption('--data <file>', 'rows to predict')
    .option('--format <format>', `data format (${[...DATA_FORMATS, 'cmapss'].join(', ')})`, 'csv')
    .option('--rul <file>', 'cmapss: the true RUL of each unit, added as a true_rul column')
    .option('--out <file>', 'CSV file to write (default: stdout)')
    .option('--explain', 'add a column with the features that pushed each prediction most (gbdt, linear, logistic)')
    .option('--top <n>', 'contributions per row with --explain (default 3)', integerOption('--top', 1, 1000))
    .action(
      action(async (options: PredictCommandOptions) => {
        if (options.format === 'cmapss') {
          const rows = await predictRulFile(options);
          const csv = rulPredictionCsv(rows, options.rul !== undefined);
          if (options.out) {
            await writeFile(options.out, csv);
            printLine(`wrote ${formatCount(rows.length)} unit predictions to ${options.out}`);
          } else process.stdout.write(csv);
          return;
        }
        const table = await predictFile(options);
        if (options.out) {
          await writeCsvFile(options.out, table);
          printLine(`wrote ${formatCount(table.rowCount)} predictions to ${options.out}`);
        } else {
          process.stdout.write(frameToCsv(table));
        }
      }),
    );
}
