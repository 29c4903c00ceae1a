import type { Command } from 'commander';
import { frameToCsv, writeCsvFile } from '../../io/csv-frame.js';
import { Frame, numericColumn } from '../../io/frame.js';
import { loadTrainedModel } from '../../models/artifact.js';
import type { TrainedModel } from '../../models/trained-model.js';
import { action, formatCount, printLine } from '../run.js';
import { DATA_FORMATS, readDataFrame } from './model-data.js';

export interface PredictCommandOptions {
  model: string;
  data: string;
  format: string;
  out?: string;
}

/**
 * The prediction table: the input's id columns the model knows of (asset ids, identifiers dropped at training) that
 * are present, then `prediction` and, for classifiers, `probability` of the positive class. O(rows × features).
 */
export function predictionFrame(model: TrainedModel, input: Frame): Frame {
  const { prediction, probability } = model.predictFrame(input);
  const ids = model.card.idColumns.filter((name) => input.has(name)).map((name) => input.column(name));
  const columns = [...ids, numericColumn('prediction', prediction)];
  if (probability) columns.push(numericColumn('probability', probability));
  return new Frame(columns, input.rowCount);
}

/** Loads the model and the data and returns the prediction table. */
export async function predictFile(options: PredictCommandOptions): Promise<Frame> {
  const model = await loadTrainedModel(options.model);
  const input = await readDataFrame(options.data, options.format);
  return predictionFrame(model, input);
}

export function registerPredict(program: Command): Command {
  return program
    .command('predict')
    .description('predict with a trained model: CSV of id columns, prediction and (classifiers) probability')
    .requiredOption('--model <dir>', 'model directory written by upkeep train')
    .requiredOption('--data <file>', 'rows to predict')
    .option('--format <format>', `data format (${DATA_FORMATS.join(', ')})`, 'csv')
    .option('--out <file>', 'CSV file to write (default: stdout)')
    .action(
      action(async (options: PredictCommandOptions) => {
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
