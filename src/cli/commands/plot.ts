import type { Command } from 'commander';
import { describeValue, UnprocessableError, ValidationError } from '../../core/errors.js';
import { ASSET_ID_FIELDS, TIME_FIELDS } from '../../core/reading.js';
import { parseTimestamp } from '../../core/time.js';
import { precisionRecallCurve, rocCurve } from '../../evaluate/metrics.js';
import type { Frame } from '../../io/frame.js';
import { studentTQuantile } from '../../math/student-t.js';
import { loadTrainedModel } from '../../models/artifact.js';
import { evaluateTrainedModel, scoreRows } from '../../models/evaluation.js';
import type { TrainedModel } from '../../models/trained-model.js';
import {
  type Band,
  barChart,
  confusionMatrixChart,
  type LineSeries,
  lineChart,
  prChart,
  rocChart,
  scatterChart,
  writeChart,
} from '../../plot/index.js';
import { action, formatCount, integerOption, printLine } from '../run.js';
import { DATA_FORMATS, formatMetric, readDataFrame } from './model-data.js';
import { registerRulPlot } from './rul.js';

export interface ModelPlotOptions {
  model: string;
  data: string;
  format: string;
  target?: string;
  out: string;
  title?: string;
}

export interface SeriesPlotOptions {
  data: string;
  format: string;
  column: string;
  time?: string;
  asset?: string;
  out: string;
  title?: string;
}

/** Most assets drawn as separate lines in one series chart. */
const MAX_SERIES = 8;
/** Points along x where the prediction interval of `plot fit` is evaluated. */
const BAND_POINTS = 101;

function requireClassifier(model: TrainedModel, chart: string): void {
  if (model.task !== 'classification') {
    throw new ValidationError(`plot ${chart} needs a classifier, but the model does ${model.task}: use plot fit`);
  }
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The exact 95 % prediction interval of an ordinary least-squares line, ŷ ± t₀.₉₇₅(df) · σ · √(1 + 1/n + (x − x̄)²/Sxx),
 * from the training statistics kept with the model (x̄ and the population σₓ of the standardisation, n, σ, df).
 * Undefined when the model is not an unpenalised, standardised one-feature line. O(BAND_POINTS).
 */
export function predictionBand(
  model: TrainedModel,
  slope: number,
  intercept: number,
  xs: Float64Array,
): Band | undefined {
  const step = model.preprocessor.toJSON().steps[0];
  const diagnostics = model.card.diagnostics;
  const samples = numberOrUndefined(diagnostics.samples);
  const sigma = numberOrUndefined(diagnostics.residualStandardError);
  const degreesOfFreedom = numberOrUndefined(diagnostics.degreesOfFreedom);
  if (
    step?.kind !== 'numeric' ||
    !model.card.preprocessing.standardize ||
    model.card.parameters.ridge !== 0 ||
    samples === undefined ||
    sigma === undefined ||
    degreesOfFreedom === undefined ||
    degreesOfFreedom <= 0
  ) {
    return undefined;
  }
  const sumOfSquares = samples * step.scale * step.scale;
  const quantile = studentTQuantile(0.975, degreesOfFreedom);
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    if (Number.isFinite(x)) {
      low = Math.min(low, x);
      high = Math.max(high, x);
    }
  }
  const x = new Float64Array(BAND_POINTS);
  const lower = new Float64Array(BAND_POINTS);
  const upper = new Float64Array(BAND_POINTS);
  for (let i = 0; i < BAND_POINTS; i++) {
    const value = low + ((high - low) * i) / (BAND_POINTS - 1);
    const halfWidth = quantile * sigma * Math.sqrt(1 + 1 / samples + (value - step.center) ** 2 / sumOfSquares);
    const fitted = intercept + slope * value;
    x[i] = value;
    lower[i] = fitted - halfWidth;
    upper[i] = fitted + halfWidth;
  }
  return { x, lower, upper, label: '95% prediction interval' };
}

/**
 * `plot fit`: for a linear model of one numeric column, the data with the fitted line (in the file's units) and its
 * 95 % prediction interval; otherwise predicted against actual values with the y = x line.
 */
export function fitChart(model: TrainedModel, frame: Frame, options: { target?: string; title?: string }): string {
  if (model.task === 'classification') {
    throw new ValidationError(
      'plot fit needs a regression model, but the model is a classifier: use plot roc, pr or confusion',
    );
  }
  const scored = scoreRows(model, frame, options.target);
  const { card } = model;
  const evaluation = evaluateTrainedModel(model, frame, options.target);
  const r2 = 'r2' in evaluation.metrics ? evaluation.metrics.r2 : Number.NaN;
  const subtitle = `${card.kind} (${card.className}) · ${formatCount(scored.rows.length)} rows · R² ${formatMetric(r2, 4)}`;
  const inputs = card.preprocessing.inputColumns;
  const [input] = inputs;
  const coefficient = input !== undefined ? card.coefficients?.[input] : undefined;
  if (inputs.length === 1 && input !== undefined && coefficient !== undefined && card.intercept !== undefined) {
    const column = frame.numeric(input);
    const x = Float64Array.from(scored.rows, (row) => column[row] as number);
    const band = predictionBand(model, coefficient, card.intercept, x);
    return scatterChart(
      { x, y: scored.truth, label: 'Data' },
      {
        title: options.title ?? `${scored.target} against ${input}`,
        subtitle,
        xAxis: { label: input },
        yAxis: { label: scored.target },
        fit: { intercept: card.intercept, slope: coefficient },
        ...(band ? { band } : {}),
      },
    );
  }
  return scatterChart(
    { x: scored.truth, y: scored.prediction, label: 'Rows' },
    {
      title: options.title ?? `Predicted against actual ${scored.target}`,
      subtitle,
      xAxis: { label: `Actual ${scored.target}` },
      yAxis: { label: `Predicted ${scored.target}` },
      identityLabel: 'Perfect prediction',
    },
  );
}

/** `plot confusion`: the confusion matrix at the model's threshold. */
export function confusionChart(
  model: TrainedModel,
  frame: Frame,
  options: { target?: string; title?: string },
): string {
  requireClassifier(model, 'confusion');
  const evaluation = evaluateTrainedModel(model, frame, options.target);
  if (evaluation.task !== 'classification') throw new ValidationError('plot confusion needs a classifier');
  const { metrics } = evaluation;
  return confusionMatrixChart(
    { labels: metrics.confusionMatrix.labels.map(String), counts: metrics.confusionMatrix.counts },
    {
      title: options.title ?? `Confusion matrix: ${evaluation.target}`,
      subtitle:
        `${model.card.className} at threshold ${formatMetric(metrics.threshold, 3)} · ${formatCount(metrics.count)} rows · ` +
        `precision ${formatMetric(metrics.precision)} · recall ${formatMetric(metrics.recall)} · F1 ${formatMetric(metrics.f1)}`,
      trueLabel: `True ${evaluation.target}`,
      predictedLabel: `Predicted ${evaluation.target}`,
    },
  );
}

/** `plot roc`: the ROC curve with the model's operating point. */
export function rocCurveChart(model: TrainedModel, frame: Frame, options: { target?: string; title?: string }): string {
  requireClassifier(model, 'roc');
  const evaluation = evaluateTrainedModel(model, frame, options.target);
  if (evaluation.task !== 'classification') throw new ValidationError('plot roc needs a classifier');
  const { metrics } = evaluation;
  const scored = scoreRows(model, frame, options.target);
  if (metrics.rocAuc === null) {
    throw new UnprocessableError(`plot roc needs both classes in '${evaluation.target}', got only one`);
  }
  const curve = rocCurve(scored.truth, scored.probability as Float64Array);
  const { truePositives, falsePositives, trueNegatives, falseNegatives } = metrics.confusion;
  return rocChart(
    {
      falsePositiveRate: curve.falsePositiveRate,
      truePositiveRate: curve.truePositiveRate,
      auc: metrics.rocAuc,
      name: model.card.className,
    },
    {
      title: options.title ?? `ROC curve: ${evaluation.target}`,
      subtitle: `${formatCount(metrics.count)} rows, ${formatCount(metrics.positives)} positive`,
      operatingPoint: {
        falsePositiveRate: falsePositives / Math.max(1, falsePositives + trueNegatives),
        truePositiveRate: truePositives / Math.max(1, truePositives + falseNegatives),
        label: `threshold ${formatMetric(metrics.threshold, 3)}`,
      },
    },
  );
}

/** `plot pr`: the precision–recall curve with the model's operating point and the no-skill line. */
export function prCurveChart(model: TrainedModel, frame: Frame, options: { target?: string; title?: string }): string {
  requireClassifier(model, 'pr');
  const evaluation = evaluateTrainedModel(model, frame, options.target);
  if (evaluation.task !== 'classification') throw new ValidationError('plot pr needs a classifier');
  const { metrics } = evaluation;
  if (metrics.positives === 0) {
    throw new UnprocessableError(`plot pr needs positive rows in '${evaluation.target}', got none`);
  }
  const scored = scoreRows(model, frame, options.target);
  const curve = precisionRecallCurve(scored.truth, scored.probability as Float64Array);
  return prChart(
    {
      precision: curve.precision,
      recall: curve.recall,
      averagePrecision: metrics.averagePrecision,
      name: model.card.className,
    },
    {
      title: options.title ?? `Precision and recall: ${evaluation.target}`,
      subtitle: `${formatCount(metrics.count)} rows, ${formatCount(metrics.positives)} positive`,
      prevalence: metrics.positives / metrics.count,
      operatingPoint: {
        recall: metrics.recall,
        precision: metrics.precision,
        label: `threshold ${formatMetric(metrics.threshold, 3)}`,
      },
    },
  );
}

/** Times of a column as x values: epoch ms for ISO text or epoch-ms numbers, the numbers themselves otherwise. */
function timeAxis(frame: Frame, name: string): { x: Float64Array; kind: 'time' | 'linear' } {
  const column = frame.column(name);
  if (column.kind === 'numeric') {
    let epochLike = true;
    for (const value of column.values)
      if (!Number.isNaN(value) && !(value >= 1e11 && parseTimestamp(value) !== undefined)) epochLike = false;
    return { x: Float64Array.from(column.values), kind: epochLike ? 'time' : 'linear' };
  }
  const parsed = column.levels.map((level) => parseTimestamp(level));
  const x = new Float64Array(column.codes.length);
  for (let row = 0; row < x.length; row++) {
    const code = column.codes[row] as number;
    if (code < 0) {
      x[row] = Number.NaN;
      continue;
    }
    const value = parsed[code];
    if (value === undefined) {
      throw new UnprocessableError(
        `row ${row + 1}: time column '${name}' holds ${describeValue(column.levels[code])}, not an ISO-8601 time or epoch milliseconds`,
        [{ path: name, message: 'not a time' }],
      );
    }
    x[row] = value;
  }
  return { x, kind: 'time' };
}

/** `plot series`: one column over time (or row number), one line per asset when the file names assets. */
export function seriesChart(frame: Frame, options: Omit<SeriesPlotOptions, 'data' | 'format' | 'out'>): string {
  const values = frame.numeric(options.column);
  const timeName = options.time ?? TIME_FIELDS.find((name) => frame.has(name));
  const axis = timeName
    ? timeAxis(frame, timeName)
    : { x: Float64Array.from(values, (_, row) => row + 1), kind: 'linear' as const };
  const assetName = ASSET_ID_FIELDS.find((name) => frame.has(name));
  const series: LineSeries[] = [];
  if (assetName) {
    const byAsset = new Map<string, number[]>();
    for (let row = 0; row < frame.rowCount; row++) {
      const id = String(frame.value(assetName, row) ?? '');
      if (options.asset !== undefined && id !== options.asset) continue;
      let rows = byAsset.get(id);
      if (!rows) {
        rows = [];
        byAsset.set(id, rows);
      }
      rows.push(row);
    }
    if (byAsset.size === 0) {
      throw new UnprocessableError(`no rows of asset ${describeValue(options.asset)} in '${assetName}'`, [
        { path: 'asset', message: 'unknown asset' },
      ]);
    }
    if (byAsset.size > MAX_SERIES) {
      throw new ValidationError(
        `the data holds ${byAsset.size} assets in '${assetName}': pick one with --asset (at most ${MAX_SERIES} are drawn together)`,
      );
    }
    for (const [id, rows] of byAsset) {
      const order = [...rows].sort((a, b) => (axis.x[a] as number) - (axis.x[b] as number));
      series.push({
        name: id,
        x: Float64Array.from(order, (row) => axis.x[row] as number),
        y: Float64Array.from(order, (row) => values[row] as number),
      });
    }
  } else {
    const order = Array.from(values, (_, row) => row).sort((a, b) => (axis.x[a] as number) - (axis.x[b] as number));
    series.push({
      name: options.column,
      x: Float64Array.from(order, (row) => axis.x[row] as number),
      y: Float64Array.from(order, (row) => values[row] as number),
    });
  }
  return lineChart(series, {
    title: options.title ?? options.column,
    subtitle: `${formatCount(frame.rowCount)} rows${assetName ? ` · ${series.length} asset${series.length === 1 ? '' : 's'}` : ''}`,
    xAxis: { kind: axis.kind, label: timeName ?? 'Row' },
    yAxis: { label: options.column },
  });
}

export interface ImportancePlotOptions {
  model: string;
  top?: number;
  out: string;
  title?: string;
}

export interface ExplainPlotOptions {
  model: string;
  data: string;
  format: string;
  row: number;
  top?: number;
  out: string;
  title?: string;
}

/** `plot importance`: gain importance of a tree model's features, largest at the top. */
export function importanceChart(model: TrainedModel, options: { top?: number; title?: string } = {}): string {
  const importance = model.featureImportance('gain');
  const labels = Object.keys(importance);
  return barChart(
    { labels, values: Float64Array.from(labels, (name) => importance[name] as number) },
    {
      title: options.title ?? `Feature importance: ${model.card.target}`,
      subtitle: `${model.card.kind} (${model.card.className}), mean loss reduction per split (gain)`,
      valueAxis: { label: 'Gain' },
      sort: 'value',
      ...(options.top !== undefined ? { limit: options.top } : {}),
    },
  );
}

/**
 * `plot explain`: the signed contributions of every feature to one row's margin (data row `row`, counted from 1),
 * largest by absolute value at the top; the subtitle gives the bias, the margin and the prediction.
 */
export function explainChart(
  model: TrainedModel,
  frame: Frame,
  options: { row: number; top?: number; title?: string },
): string {
  if (!(Number.isInteger(options.row) && options.row >= 1 && options.row <= frame.rowCount)) {
    throw new ValidationError(
      `--row must be a data row from 1 to ${frame.rowCount}, got ${describeValue(options.row)}`,
      [{ path: 'row', message: 'out of range' }],
    );
  }
  const one = frame.take([options.row - 1]);
  const [explained] = model.explain(one, Number.POSITIVE_INFINITY);
  if (!explained || explained.contributions.length === 0) {
    throw new UnprocessableError(`row ${options.row}: every feature contributes 0 (the model predicts its bias)`, [
      { path: 'row', message: 'nothing to explain' },
    ]);
  }
  const predicted = model.predictFrame(one);
  const classifier = model.task === 'classification';
  const outcome = classifier
    ? `P(${model.card.target} = ${model.positiveLabel}) ${formatMetric(predicted.probability?.[0], 3)}`
    : `${model.card.target} ${formatMetric(predicted.prediction[0], 4)}`;
  const scale = classifier ? 'log-odds' : model.card.target;
  return barChart(
    {
      labels: explained.contributions.map((entry) => entry.feature),
      values: Float64Array.from(explained.contributions, (entry) => entry.value),
    },
    {
      title: options.title ?? `Why row ${options.row}: ${outcome}`,
      subtitle: `bias ${formatMetric(explained.bias, 3)} + contributions = ${formatMetric(explained.margin, 3)} (${scale})`,
      valueAxis: { label: `Contribution to the ${classifier ? 'log-odds' : 'prediction'}` },
      sort: 'magnitude',
      ...(options.top !== undefined ? { limit: options.top } : {}),
      ...(classifier ? { positiveLabel: 'Raises failure risk', negativeLabel: 'Lowers failure risk' } : {}),
    },
  );
}

type ModelChart = (model: TrainedModel, frame: Frame, options: { target?: string; title?: string }) => string;

function registerModelChart(plot: Command, name: string, description: string, chart: ModelChart): void {
  plot
    .command(name)
    .description(description)
    .requiredOption('--model <dir>', 'model directory written by upkeep train')
    .requiredOption('--data <file>', 'labelled rows')
    .option('--format <format>', `data format (${DATA_FORMATS.join(', ')})`, 'csv')
    .option('--target <column>', 'the true values (default: the column the model was trained to predict)')
    .option('--title <text>', 'chart title')
    .requiredOption('--out <file>', 'chart file: .png or .svg')
    .action(
      action(async (options: ModelPlotOptions) => {
        const model = await loadTrainedModel(options.model);
        const frame = await readDataFrame(options.data, options.format);
        await writeChart(chart(model, frame, options), options.out);
        printLine(`wrote ${options.out}`);
      }),
    );
}

export function registerPlot(program: Command): Command {
  const plot = program.command('plot').description('draw a chart of a model or a data file to PNG or SVG');
  registerModelChart(plot, 'fit', 'data and fitted line (one input) or predicted against actual', fitChart);
  registerModelChart(plot, 'confusion', "confusion matrix at the model's threshold", confusionChart);
  registerModelChart(plot, 'roc', 'ROC curve with the operating point', rocCurveChart);
  registerModelChart(plot, 'pr', 'precision–recall curve with the operating point', prCurveChart);
  registerRulPlot(plot);
  plot
    .command('importance')
    .description("a tree model's feature importance (gain), largest at the top")
    .requiredOption('--model <dir>', 'model directory written by upkeep train (gbdt)')
    .option('--top <n>', 'at most this many features', integerOption('--top', 1, 1000))
    .option('--title <text>', 'chart title')
    .requiredOption('--out <file>', 'chart file: .png or .svg')
    .action(
      action(async (options: ImportancePlotOptions) => {
        const model = await loadTrainedModel(options.model);
        await writeChart(importanceChart(model, options), options.out);
        printLine(`wrote ${options.out}`);
      }),
    );
  plot
    .command('explain')
    .description("signed contributions of each feature to one row's prediction (gbdt, linear, logistic)")
    .requiredOption('--model <dir>', 'model directory written by upkeep train')
    .requiredOption('--data <file>', 'rows holding the model inputs')
    .option('--format <format>', `data format (${DATA_FORMATS.join(', ')})`, 'csv')
    .requiredOption('--row <n>', 'the data row to explain, counted from 1', integerOption('--row', 1))
    .option('--top <n>', 'at most this many features', integerOption('--top', 1, 1000))
    .option('--title <text>', 'chart title')
    .requiredOption('--out <file>', 'chart file: .png or .svg')
    .action(
      action(async (options: ExplainPlotOptions) => {
        const model = await loadTrainedModel(options.model);
        const frame = await readDataFrame(options.data, options.format);
        await writeChart(explainChart(model, frame, options), options.out);
        printLine(`wrote ${options.out}`);
      }),
    );
  plot
    .command('series')
    .description('one column over time, a line per asset')
    .requiredOption('--data <file>', 'data file')
    .option('--format <format>', `data format (${DATA_FORMATS.join(', ')})`, 'csv')
    .requiredOption('--column <name>', 'the column to draw')
    .option(
      '--time <column>',
      `time or cycle column (default: ${TIME_FIELDS.join(', ')} if present, else the row number)`,
    )
    .option('--asset <id>', 'only this asset')
    .option('--title <text>', 'chart title')
    .requiredOption('--out <file>', 'chart file: .png or .svg')
    .action(
      action(async (options: SeriesPlotOptions) => {
        const frame = await readDataFrame(options.data, options.format);
        await writeChart(seriesChart(frame, options), options.out);
        printLine(`wrote ${options.out}`);
      }),
    );
  return plot;
}
