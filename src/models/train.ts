/**
 * Training a model from a table, as `upkeep train` and the API do it: pick the target, leave out the dropped
 * columns, infer the task, validate out of fold (or on a holdout) with the preprocessing refitted inside every fold,
 * choose a decision threshold for classifiers (maximum F1 on the validation predictions), refit on all rows, and
 * write the model card. `--model auto` scores every registered kind that serves the task over a small grid and keeps
 * the best by out-of-fold score.
 */
import { z } from '@hono/zod-openapi';
import { type Clock, systemClock } from '../core/clock.js';
import { describeValue, UnprocessableError, UpkeepError, ValidationError } from '../core/errors.js';
import { ASSET_ID_FIELDS, TIME_FIELDS } from '../core/reading.js';
import { VERSION } from '../core/version.js';
import { summariseBinary, summariseRegression } from '../evaluate/metrics.js';
import {
  CLASSIFICATION_SCORINGS,
  gridCandidates,
  higherIsBetter,
  type Params,
  positiveScores,
  REGRESSION_SCORINGS,
  type Scoring,
  type SearchResult,
  searchCandidates,
} from '../evaluate/search.js';
import { type Fold, groupKFold, holdoutSplit, kFold, stratifiedKFold } from '../evaluate/splits.js';
import { maxF1Threshold } from '../evaluate/threshold.js';
import {
  type Interaction,
  type InteractionSearchResult,
  interactionCandidates,
  numericFeatureNames,
  searchInteractions,
} from '../features/interactions.js';
import { type PreprocessOptions, Preprocessor } from '../features/preprocess.js';
import type { Column, Frame } from '../io/frame.js';
import { trainingHistograms } from '../scoring/feature-drift.js';
import { type JsonObject, SupervisedModel, type Task } from './base.js';
import { CARD_FORMAT_VERSION, featureScaling, frameFingerprint, type ModelCard, originalUnits } from './card.js';
import { type ModelKind, modelKind, modelKinds, type ParamValue, takesParameter } from './kinds.js';
import { type ModelRegistry, modelRegistry } from './registry.js';
import { TrainedModel } from './trained-model.js';

const paramValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const TrainSpecSchema = z
  .object({
    /** Column to predict. */
    target: z.string().min(1),
    /** Columns to leave out: identifiers, leaky labels. */
    drop: z.array(z.string().min(1)).default([]),
    /** A model kind (linear, logistic, …) or auto. */
    model: z.string().default('auto'),
    /** Inferred when omitted: a 0/1 or true/false target is classification, anything else regression. */
    task: z.enum(['classification', 'regression', 'rul']).optional(),
    /** Model options: ridge, C, classWeight, … */
    params: z.record(z.string(), paramValue).default({}),
    validation: z
      .discriminatedUnion('method', [
        z.object({ method: z.literal('kfold'), folds: z.number().int().min(2).max(50).default(5) }),
        z.object({ method: z.literal('holdout'), testFraction: z.number().gt(0).lt(1).default(0.2) }),
        z.object({ method: z.literal('none') }),
      ])
      .default({ method: 'kfold', folds: 5 }),
    /** Keep each value's rows on one side of every split; default: the asset-id column if there is one; null: none. */
    groupColumn: z.string().min(1).nullable().optional(),
    /** Seed of the fold shuffle. */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** Out-of-fold score for `auto`; default average precision (classification) or RMSE. */
    scoring: z.enum([...CLASSIFICATION_SCORINGS, ...REGRESSION_SCORINGS] as [Scoring, ...Scoring[]]).optional(),
    encoding: z.enum(['onehot', 'ordinal']).default('onehot'),
    missingIndicator: z.boolean().default(false),
    standardize: z.boolean().default(true),
    /** Search products, differences and ratios of numeric column pairs; keep those that raise the OOF score. */
    interactions: z.boolean().default(false),
    /** Where the data came from, for the card (a file name). */
    source: z.string().optional(),
  })
  .openapi('TrainSpec');

export type TrainSpec = z.input<typeof TrainSpecSchema>;
type ResolvedSpec = z.output<typeof TrainSpecSchema>;

/** Progress of `trainModel`: fits done of the total (validation fits, then the final fit). */
export interface TrainProgress {
  stage: 'validate' | 'fit';
  completed: number;
  total: number;
  message: string;
}

export interface TrainOptions {
  onProgress?: (progress: TrainProgress) => void;
  /** Stamps the card's `created`; default the system clock. */
  clock?: Clock;
  registry?: ModelRegistry;
}

function parseSpec(spec: TrainSpec): ResolvedSpec {
  const parsed = TrainSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map(String).join('.') || 'spec';
    throw new ValidationError(`${path}: ${issue?.message ?? 'invalid'}`, [
      { path, message: issue?.message ?? 'invalid' },
    ]);
  }
  return parsed.data;
}

/** Distinct finite values of a column, ascending, stopping after `limit + 1`. O(n · limit). */
function distinctValues(values: Float64Array, limit: number): number[] {
  const seen: number[] = [];
  for (let i = 0; i < values.length && seen.length <= limit; i++) {
    const value = values[i] as number;
    if (!seen.includes(value)) seen.push(value);
  }
  return seen.sort((a, b) => a - b);
}

function chooseTask(spec: ResolvedSpec, target: Column & { kind: 'numeric' }, labels: number[]): Task {
  if (spec.task) return spec.task;
  if (spec.model !== 'auto') {
    const kind = modelKind(spec.model);
    if (kind.tasks.length === 1 || !(kind.tasks as string[]).includes('classification')) return kind.tasks[0] as Task;
  }
  const binary = labels.length === 2 && (target.boolean || (labels[0] === 0 && labels[1] === 1));
  return binary ? 'classification' : 'regression';
}

/** A dropped column that says which row is which: an asset id or time field, or a column with (nearly) unique values. */
function isIdentifier(column: Column, rows: number): boolean {
  if ((ASSET_ID_FIELDS as readonly string[]).includes(column.name)) return true;
  if ((TIME_FIELDS as readonly string[]).includes(column.name)) return true;
  if (column.kind === 'category') return column.levels.length > rows / 2;
  const distinct = new Set<number>();
  for (let i = 0; i < column.values.length; i++) {
    const value = column.values[i] as number;
    if (!Number.isInteger(value)) return false;
    distinct.add(value);
  }
  return distinct.size === rows;
}

function groupKeys(column: Column): number[] | string[] {
  if (column.kind === 'numeric') return Array.from(column.values);
  return Array.from(column.codes, (code) => (code < 0 ? '' : (column.levels[code] as string)));
}

function distinctCount(keys: readonly (number | string)[]): number {
  return new Set(keys).size;
}

interface ValidationPlan {
  folds: Fold[];
  card: ModelCard['validation'];
  warnings: string[];
}

function planValidation(
  spec: ResolvedSpec,
  task: Task,
  labels01: Float64Array | undefined,
  rows: number,
  groups: { column: string; keys: number[] | string[] } | undefined,
): ValidationPlan {
  const seed = spec.seed;
  const warnings: string[] = [];
  const validation = spec.validation;
  const classification = task === 'classification';
  let minority = rows;
  if (labels01) {
    let positives = 0;
    for (let i = 0; i < labels01.length; i++) positives += labels01[i] as number;
    minority = Math.min(positives, rows - positives);
  }
  const none = (reason: string): ValidationPlan => {
    if (reason) warnings.push(reason);
    return { folds: [], card: { method: 'none', stratified: false, seed, rows: 0, metrics: null }, warnings };
  };
  if (validation.method === 'none') return none('');
  if (validation.method === 'holdout') {
    const testRows = Math.ceil(rows * validation.testFraction);
    if (testRows < 2 || rows - testRows < 2 || (classification && minority < 2)) {
      return none(`too little data for a ${validation.testFraction} holdout (${rows} rows): not validated`);
    }
    if (groups)
      warnings.push(`holdout split ignores the groups of '${groups.column}': use k-fold to keep assets apart`);
    const fold = holdoutSplit(rows, { testFraction: validation.testFraction, seed, stratify: labels01 });
    return {
      folds: [fold],
      card: {
        method: 'holdout',
        testFraction: validation.testFraction,
        stratified: classification,
        seed,
        rows: fold.test.length,
        metrics: null,
      },
      warnings,
    };
  }
  let folds = validation.folds;
  if (groups) {
    const count = distinctCount(groups.keys);
    if (count < 2) return none(`'${groups.column}' has one value only: cannot validate by group`);
    if (count < folds) {
      warnings.push(`'${groups.column}' has ${count} values: using ${count} folds instead of ${folds}`);
      folds = count;
    }
    const split = groupKFold(groups.keys, { folds });
    return {
      folds: split,
      card: { method: 'kfold', folds, stratified: false, groupColumn: groups.column, seed, rows, metrics: null },
      warnings,
    };
  }
  if (rows < 2 * folds) return none(`too little data for ${folds}-fold validation (${rows} rows): not validated`);
  if (classification && minority < folds) {
    if (minority < 2) return none(`the rarer class has ${minority} row(s): not validated`);
    warnings.push(`the rarer class has ${minority} rows: using ${minority} folds instead of ${folds}`);
    folds = minority;
  }
  const split = classification
    ? stratifiedKFold(labels01 as Float64Array, { folds, seed })
    : kFold(rows, { folds, seed });
  return {
    folds: split,
    card: { method: 'kfold', folds, stratified: classification, seed, rows, metrics: null },
    warnings,
  };
}

function gather(values: Float64Array, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i] as number] as number;
  return out;
}

/** Options of one candidate: task options, then the user's (those the kind takes), then the grid's. */
function candidatesFor(kind: ModelKind, task: Task, userParams: Params, auto: boolean): Params[] {
  const fixed: Params = { ...(kind.taskOptions?.(task) ?? {}) };
  for (const [name, value] of Object.entries(userParams)) if (takesParameter(kind, task, name)) fixed[name] = value;
  if (!auto) return [fixed];
  const grid: Record<string, readonly ParamValue[]> = {};
  for (const [name, values] of Object.entries(kind.autoGrid)) if (!(name in userParams)) grid[name] = values;
  return gridCandidates(grid).map((candidate) => ({ ...fixed, ...candidate }));
}

function checkParams(kinds: readonly ModelKind[], task: Task, params: Params, auto: boolean): void {
  for (const name of Object.keys(params)) {
    if (!kinds.some((kind) => takesParameter(kind, task, name))) {
      const accepted = [
        ...new Set(kinds.flatMap((kind) => kind.parameters.filter((option) => takesParameter(kind, task, option)))),
      ].join(', ');
      const which = auto ? `any model for this task` : `model '${kinds[0]?.name}'`;
      throw new ValidationError(`parameter '${name}' is not an option of ${which} (options: ${accepted})`, [
        { path: `params.${name}`, message: 'unknown option' },
      ]);
    }
  }
}

/** Validation metrics on the rows some fold tested, and the classifier threshold. */
function validationMetrics(
  task: Task,
  y: Float64Array,
  labels01: Float64Array | undefined,
  result: SearchResult,
  warnings: string[],
): { metrics: ModelCard['validation']['metrics']; threshold?: number } {
  const predicted = gather(result.predictions, result.testedRows);
  if (task === 'classification') {
    const truth = gather(labels01 as Float64Array, result.testedRows);
    let threshold = 0.5;
    let positives = 0;
    for (let i = 0; i < truth.length; i++) positives += truth[i] as number;
    if (positives > 0) threshold = maxF1Threshold(truth, predicted).threshold;
    else warnings.push('no positive row was validated: threshold left at 0.5');
    return { metrics: summariseBinary(truth, predicted, threshold), threshold };
  }
  return { metrics: summariseRegression(gather(y, result.testedRows), predicted) };
}

/** The numeric value of a summary field, if it is a finite number. */
function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function linearTerms(
  summary: JsonObject,
  pipeline: Preprocessor,
): Pick<ModelCard, 'intercept' | 'coefficients' | 'standardizedCoefficients'> {
  const intercept = finiteNumber(summary.intercept);
  const coefficients = summary.coefficients;
  if (
    intercept === undefined ||
    coefficients === null ||
    typeof coefficients !== 'object' ||
    Array.isArray(coefficients)
  ) {
    return {};
  }
  const standardized: Record<string, number> = {};
  for (const [name, value] of Object.entries(coefficients)) {
    const number = finiteNumber(value);
    if (number === undefined) return {};
    standardized[name] = number;
  }
  const raw = originalUnits(intercept, standardized, featureScaling(pipeline.toJSON()));
  return { intercept: raw.intercept, coefficients: raw.coefficients, standardizedCoefficients: standardized };
}

/**
 * Trains a model on a frame according to `spec` and returns it with its card. Bad specs and data give
 * `ValidationError`/`UnprocessableError` naming the field or column. Cost: (candidates × folds + 1) model fits.
 *
 * @example
 * const trained = trainModel(frame, { target: 'Machine failure', drop: ['UDI', 'Product ID'], model: 'logistic' });
 * trained.card.validation.metrics; // { rocAuc: 0.9…, averagePrecision: …, … } out of fold
 */
export function trainModel(frame: Frame, spec: TrainSpec, options: TrainOptions = {}): TrainedModel {
  const resolved = parseSpec(spec);
  const registry = options.registry ?? modelRegistry;
  const clock = options.clock ?? systemClock;
  const warnings: string[] = [];

  // Target and rows.
  const targetColumn = frame.column(resolved.target);
  if (targetColumn.kind !== 'numeric') {
    throw new UnprocessableError(
      `target '${resolved.target}' must be numeric or true/false, got text such as ${describeValue(targetColumn.levels[0])}`,
      [{ path: 'target', message: 'not numeric' }],
    );
  }
  for (const name of resolved.drop) {
    if (name === resolved.target)
      throw new ValidationError(`drop lists the target '${name}'`, [{ path: 'drop', message: 'is the target' }]);
    frame.column(name);
  }
  const kept: number[] = [];
  for (let i = 0; i < frame.rowCount; i++) if (!Number.isNaN(targetColumn.values[i])) kept.push(i);
  const rowsWithoutTarget = frame.rowCount - kept.length;
  if (kept.length === 0) {
    throw new UnprocessableError(`target '${resolved.target}' has no values`, [
      { path: 'target', message: 'all missing' },
    ]);
  }
  if (rowsWithoutTarget > 0)
    warnings.push(`${rowsWithoutTarget} rows without a value of '${resolved.target}' were left out`);
  const data = rowsWithoutTarget > 0 ? frame.take(kept) : frame;
  const y = data.numeric(resolved.target);
  const rows = data.rowCount;

  // Task and model kinds.
  const labels = distinctValues(y, 2);
  const task = chooseTask(resolved, targetColumn, labels);
  let labels01: Float64Array | undefined;
  let classes: [number, number] | undefined;
  if (task === 'classification') {
    if (labels.length !== 2) {
      const found = labels.length < 2 ? `only ${describeValue(labels[0])}` : 'more than two values';
      throw new UnprocessableError(
        `classification needs a target with two classes (0/1 or true/false); '${resolved.target}' has ${found}`,
        [{ path: 'target', message: 'not binary' }],
      );
    }
    classes = [labels[0] as number, labels[1] as number];
    labels01 = Float64Array.from(y, (label) => (label === classes?.[1] ? 1 : 0));
  }
  const auto = resolved.model === 'auto';
  const kinds = auto ? modelKinds.filter((kind) => kind.tasks.includes(task)) : [modelKind(resolved.model)];
  const [firstKind] = kinds;
  if (!firstKind) throw new ValidationError(`no model kind is available for task ${task}`);
  if (!auto && !firstKind.tasks.includes(task)) {
    const alternatives = modelKinds.filter((kind) => kind.tasks.includes(task)).map((kind) => kind.name);
    throw new ValidationError(
      `model '${firstKind.name}' does not do ${task}${alternatives.length ? ` (use ${alternatives.join(' or ')})` : ''}`,
      [{ path: 'model', message: `not a ${task} model` }],
    );
  }
  checkParams(kinds, task, resolved.params, auto);
  const scoring: Scoring = resolved.scoring ?? (task === 'classification' ? 'average-precision' : 'rmse');
  const allowedScorings = task === 'classification' ? CLASSIFICATION_SCORINGS : REGRESSION_SCORINGS;
  if (!allowedScorings.includes(scoring)) {
    throw new ValidationError(`scoring '${scoring}' does not fit ${task} (use ${allowedScorings.join(', ')})`);
  }

  // Features and identifiers.
  const autoDropped = ASSET_ID_FIELDS.filter(
    (name) => data.has(name) && name !== resolved.target && !resolved.drop.includes(name),
  );
  const left = new Set([...resolved.drop, ...autoDropped]);
  const idColumns = data.columns
    .filter((column) => left.has(column.name) && isIdentifier(column, rows))
    .map((c) => c.name);
  const features = data.drop([resolved.target, ...left]);
  if (features.columns.length === 0) {
    const leftOut = [...left].map((name) => `'${name}'`).join(', ');
    throw new UnprocessableError(
      `no feature columns left: the data holds only the target '${resolved.target}'${leftOut ? ` and the left-out columns ${leftOut}` : ''}`,
      [{ path: 'drop', message: 'no features left' }],
    );
  }
  let preprocessOptions: PreprocessOptions = {
    encoding: resolved.encoding,
    missingIndicator: resolved.missingIndicator,
    standardize: resolved.standardize,
  };

  // Validation folds (grouped by asset when the data names assets).
  let groups: { column: string; keys: number[] | string[] } | undefined;
  if (resolved.groupColumn) {
    groups = { column: resolved.groupColumn, keys: groupKeys(data.column(resolved.groupColumn)) };
  } else if (resolved.groupColumn === undefined) {
    const assetColumn = ASSET_ID_FIELDS.find((name) => data.has(name) && name !== resolved.target);
    if (assetColumn) {
      const keys = groupKeys(data.column(assetColumn));
      if (distinctCount(keys) >= 2) groups = { column: assetColumn, keys };
    }
  }
  const plan = planValidation(resolved, task, labels01, rows, groups);
  warnings.push(...plan.warnings);

  const candidateSets = kinds.map((kind) => ({ kind, candidates: candidatesFor(kind, task, resolved.params, auto) }));
  const validationFits = plan.folds.length * candidateSets.reduce((total, set) => total + set.candidates.length, 0);
  const totalFits = validationFits + 1;
  const report = options.onProgress ?? (() => {});

  const fitPipeline = (
    kind: ModelKind,
    params: Params,
    trainFrame: Frame,
    targets: Float64Array,
    options: PreprocessOptions = preprocessOptions,
  ) => {
    const pipeline = new Preprocessor(options).fit(trainFrame);
    const className = kind.classNameFor(task);
    const model = registry.create(className, params);
    if (!(model instanceof SupervisedModel)) throw new ValidationError(`${className} is not a supervised model`);
    model.fit(pipeline.transform(trainFrame), targets);
    return { pipeline, model };
  };

  // Interaction features: searched with the first kind's first candidate, then part of every fit's preprocessing.
  let interactionSearch: InteractionSearchResult | undefined;
  if (resolved.interactions) {
    if (plan.folds.length === 0) {
      warnings.push('interactions need validation folds to be judged: none searched');
    } else {
      const kind = firstKind;
      const params = candidatesFor(kind, task, resolved.params, auto)[0] ?? {};
      const candidates = interactionCandidates(numericFeatureNames(features));
      interactionSearch = searchInteractions(
        candidates,
        (interactions: readonly Interaction[]) => {
          const options = { ...preprocessOptions, interactions };
          const result = searchCandidates({
            candidates: [params],
            folds: plan.folds,
            yTrue: labels01 ?? y,
            scoring,
            predict: (candidate, fold) => {
              const { pipeline, model } = fitPipeline(
                kind,
                candidate,
                features.take(fold.train),
                gather(y, fold.train),
                options,
              );
              return positiveScores(model, pipeline.transform(features.take(fold.test)));
            },
          });
          return result.best.score ?? null;
        },
        { higherIsBetter: higherIsBetter(scoring) },
      );
      preprocessOptions = { ...preprocessOptions, interactions: interactionSearch.kept };
    }
  }

  // Out-of-fold scores of every candidate; keep the best.
  let chosen = { kind: firstKind, params: candidateSets[0]?.candidates[0] ?? {} };
  let best: SearchResult | undefined;
  const trials: NonNullable<ModelCard['search']>['trials'] = [];
  let offset = 0;
  let firstError: unknown;
  if (plan.folds.length > 0) {
    const foldCount = plan.folds.length;
    for (const { kind, candidates } of candidateSets) {
      let result: SearchResult;
      try {
        result = searchCandidates({
          candidates,
          folds: plan.folds,
          yTrue: labels01 ?? y,
          scoring,
          predict: (params, fold) => {
            const { pipeline, model } = fitPipeline(kind, params, features.take(fold.train), gather(y, fold.train));
            return positiveScores(model, pipeline.transform(features.take(fold.test)));
          },
          onProgress: (progress) => {
            if (progress.score !== undefined) return;
            report({
              stage: 'validate',
              completed: offset + progress.completedFits,
              total: totalFits,
              message: `${kind.name} ${JSON.stringify(progress.params)}: fold ${((progress.completedFits - 1) % foldCount) + 1} of ${foldCount}`,
            });
          },
        });
      } catch (error) {
        // With `auto`, a kind that cannot fit this data leaves the choice to the others.
        if (!auto || !(error instanceof UpkeepError)) throw error;
        firstError ??= error;
        for (const params of candidates) trials.push({ kind: kind.name, params, score: null, error: error.message });
        continue;
      } finally {
        offset += candidates.length * foldCount;
      }
      for (const trial of result.trials) {
        trials.push({
          kind: kind.name,
          params: trial.params,
          score: trial.score,
          ...(trial.error ? { error: trial.error } : {}),
        });
      }
      const bestScore = best?.best.score;
      const score = result.best.score as number;
      if (
        !best ||
        bestScore === null ||
        bestScore === undefined ||
        (higherIsBetter(scoring) ? score > bestScore : score < bestScore)
      ) {
        best = result;
        chosen = { kind, params: result.best.params };
      }
    }
    if (!best && firstError) throw firstError;
  }

  const validation: ModelCard['validation'] = { ...plan.card };
  let threshold: number | undefined;
  if (best) {
    const measured = validationMetrics(task, y, labels01, best, warnings);
    validation.metrics = measured.metrics;
    threshold = measured.threshold;
  } else if (task === 'classification') {
    threshold = 0.5;
  }

  // The final model on every row.
  report({ stage: 'fit', completed: validationFits, total: totalFits, message: `${chosen.kind.name} on ${rows} rows` });
  const { pipeline, model } = fitPipeline(chosen.kind, chosen.params, features, y);
  report({ stage: 'fit', completed: totalFits, total: totalFits, message: 'done' });

  const summary = model.summary();
  const {
    intercept: _i,
    coefficients: _c,
    intercepts: _is,
    standardErrors: _s,
    // Both refer to the standardised features: misleading next to coefficients in input units.
    interceptStandardError: _ise,
    warnings: modelWarnings,
    ...diagnostics
  } = summary;
  if (Array.isArray(modelWarnings))
    for (const warning of modelWarnings) if (typeof warning === 'string') warnings.push(warning);
  const card: ModelCard = {
    formatVersion: CARD_FORMAT_VERSION,
    kind: chosen.kind.name,
    className: model.className,
    task,
    libraryVersion: VERSION,
    created: new Date(clock.now()).toISOString(),
    parameters: model.getConfig() as Record<string, unknown>,
    preprocessing: {
      drop: [...resolved.drop],
      autoDropped: [...autoDropped],
      encoding: resolved.encoding,
      missingIndicator: resolved.missingIndicator,
      standardize: resolved.standardize,
      inputColumns: [...pipeline.inputColumns],
      ...(interactionSearch
        ? {
            interactions: {
              scoring,
              baseline: interactionSearch.baseline,
              score: interactionSearch.score,
              kept: interactionSearch.kept.map((spec) => spec.name),
              trials: interactionSearch.trials,
            },
          }
        : {}),
    },
    featureNames: [...pipeline.featureNames],
    target: resolved.target,
    ...(classes ? { classes } : {}),
    idColumns,
    trainingData: {
      ...(resolved.source ? { source: resolved.source } : {}),
      ...frameFingerprint(frame),
      rowsWithoutTarget,
    },
    validation,
    ...(threshold !== undefined ? { threshold } : {}),
    ...(chosen.kind.linear ? linearTerms(summary, pipeline) : {}),
    diagnostics,
    ...(auto ? { search: { scoring, trials } } : {}),
    warnings,
    featureHistograms: trainingHistograms(frame, pipeline.inputColumns),
  };
  return new TrainedModel(pipeline, model, card);
}
