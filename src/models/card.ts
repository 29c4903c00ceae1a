/**
 * The model card: what a trained model is, what it was trained on and how well it did, saved with the model and shown
 * by `upkeep train`. Fields: kind and class, task, library version, creation time (from the injected clock), model
 * parameters, preprocessing, feature names, target, training-data fingerprint (rows, columns, SHA-256 over the
 * values), validation metrics, the decision threshold of classifiers and, for linear models, the intercept and
 * coefficients in the units of the input file (the standardisation of the pipeline folded back in).
 */
import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { ValidationError } from '../core/errors.js';
import type { PreprocessState } from '../features/preprocess.js';
import type { Frame } from '../io/frame.js';

/** Version of the card layout. */
export const CARD_FORMAT_VERSION = 1;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const coefficientMap = z.record(z.string(), finite);

export const BinaryMetricsSchema = z.object({
  count: z.number().int().nonnegative(),
  positives: z.number().int().nonnegative(),
  threshold: z.number(),
  accuracy: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  rocAuc: z.number().nullable(),
  averagePrecision: z.number(),
  logLoss: z.number(),
  brier: z.number(),
  confusion: z.object({
    truePositives: z.number().int().nonnegative(),
    falsePositives: z.number().int().nonnegative(),
    trueNegatives: z.number().int().nonnegative(),
    falseNegatives: z.number().int().nonnegative(),
  }),
});

export const RegressionMetricsSchema = z.object({
  count: z.number().int().nonnegative(),
  mae: z.number(),
  rmse: z.number(),
  r2: z.number(),
});

export const ValidationSchema = z.object({
  /** 'kfold': out-of-fold predictions over all rows; 'holdout': one held-out part; 'none': too little data. */
  method: z.enum(['kfold', 'holdout', 'none']),
  folds: z.number().int().positive().optional(),
  testFraction: z.number().optional(),
  /** Folds keep each class's share (classification). */
  stratified: z.boolean(),
  /** Rows of one group (an asset) were never on both sides of a split. */
  groupColumn: z.string().optional(),
  seed: z.number().int(),
  /** Rows that received a validation prediction. */
  rows: z.number().int().nonnegative(),
  metrics: z.union([BinaryMetricsSchema, RegressionMetricsSchema]).nullable(),
});

export const SearchTrialSchema = z.object({
  kind: z.string(),
  params: z.record(z.string(), z.unknown()),
  score: z.number().nullable(),
  error: z.string().optional(),
});

export const ModelCardSchema = z
  .object({
    formatVersion: z.literal(CARD_FORMAT_VERSION),
    /** The model kind as the CLI names it: linear, logistic, … */
    kind: z.string().min(1),
    /** The registered model class. */
    className: z.string().min(1),
    task: z.enum(['classification', 'regression', 'rul']),
    libraryVersion: z.string(),
    /** ISO 8601 time the model was trained. */
    created: z.string(),
    /** The model's options (`getConfig()`). */
    parameters: z.record(z.string(), z.unknown()),
    preprocessing: z.object({
      drop: z.array(z.string()),
      /** Asset-id columns left out of the features without being asked (a machine's name predicts nothing). */
      autoDropped: z.array(z.string()),
      encoding: z.enum(['onehot', 'ordinal']),
      missingIndicator: z.boolean(),
      standardize: z.boolean(),
      /** Columns the pipeline reads from new data. */
      inputColumns: z.array(z.string()),
      /** `--interactions`: the out-of-fold search for derived columns, what it kept and every candidate's score. */
      interactions: z
        .object({
          scoring: z.string(),
          baseline: z.number(),
          score: z.number(),
          kept: z.array(z.string()),
          trials: z.array(z.object({ name: z.string(), score: z.number().nullable(), kept: z.boolean() })),
        })
        .optional(),
    }),
    featureNames: z.array(z.string()),
    target: z.string(),
    /** Classification: the two labels, ascending; the second is the positive class. */
    classes: z.array(z.number()).length(2).optional(),
    /** Columns copied to prediction output to say which row is which (asset ids, identifiers). */
    idColumns: z.array(z.string()),
    trainingData: z.object({
      source: z.string().optional(),
      rows: z.number().int().nonnegative(),
      columns: z.number().int().nonnegative(),
      /** SHA-256 (hex) over the column names, types and values. */
      hash: z.string().regex(/^[0-9a-f]{64}$/),
      /** Rows left out because the target was missing. */
      rowsWithoutTarget: z.number().int().nonnegative(),
    }),
    validation: ValidationSchema,
    /** Classifiers: predict the positive class when its probability ≥ threshold (maximum F1 on validation). */
    threshold: z.number().optional(),
    /** Linear models: in the units of the input columns (log-odds for logistic regression). */
    intercept: finite.optional(),
    coefficients: coefficientMap.optional(),
    /** Linear models: per standard deviation of each feature, comparable across features. */
    standardizedCoefficients: coefficientMap.optional(),
    /** Fit diagnostics from the model (R², iterations, convergence, …). */
    diagnostics: z.record(z.string(), z.unknown()),
    /** Model selection (`--model auto`): every candidate and its out-of-fold score. */
    search: z
      .object({
        scoring: z.string(),
        trials: z.array(SearchTrialSchema),
      })
      .optional(),
    warnings: z.array(z.string()),
    /**
     * Training distribution of each numeric input column (decile bins: interior edges and row counts), against
     * which serving measures feature drift (population stability index). Absent in cards written before it.
     */
    featureHistograms: z
      .record(z.string(), z.object({ edges: z.array(finite), counts: z.array(z.number().int().nonnegative()) }))
      .optional(),
  })
  .openapi('ModelCard');

export type ModelCard = z.infer<typeof ModelCardSchema>;
export type BinaryMetrics = z.infer<typeof BinaryMetricsSchema>;
export type RegressionMetrics = z.infer<typeof RegressionMetricsSchema>;

/** Checks a parsed card; `ValidationError` naming the first bad field. */
export function parseModelCard(value: unknown, path = 'card'): ModelCard {
  const parsed = ModelCardSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = [path, ...(issue?.path ?? []).map(String)].join('.');
    throw new ValidationError(`${where}: ${issue?.message ?? 'invalid'}`, [
      { path: where, message: issue?.message ?? 'invalid' },
    ]);
  }
  return parsed.data;
}

/**
 * SHA-256 over a frame: for each column its name, kind and values (numbers as their little-endian float64 bytes,
 * text as its levels and per-row codes). The same data read from the same file always gives the same hash. O(cells).
 */
export function frameFingerprint(frame: Frame): { rows: number; columns: number; hash: string } {
  const hash = createHash('sha256');
  hash.update(`rows:${frame.rowCount}\n`);
  for (const column of frame.columns) {
    hash.update(`${JSON.stringify(column.name)}:${column.kind}\n`);
    if (column.kind === 'numeric') {
      hash.update(new Uint8Array(column.values.buffer, column.values.byteOffset, column.values.byteLength));
    } else {
      hash.update(`${JSON.stringify(column.levels)}\n`);
      hash.update(new Uint8Array(column.codes.buffer, column.codes.byteOffset, column.codes.byteLength));
    }
  }
  return { rows: frame.rowCount, columns: frame.columns.length, hash: hash.digest('hex') };
}

/** How each output feature of a fitted pipeline was made from its input: feature = (input − center) / scale. */
export function featureScaling(state: PreprocessState): { name: string; center: number; scale: number }[] {
  const scaling: { name: string; center: number; scale: number }[] = [];
  for (const step of state.steps) {
    if (step.kind === 'category' && step.encoding === 'onehot') {
      for (const level of step.levels) scaling.push({ name: `${step.name}=${level}`, center: 0, scale: 1 });
    } else {
      scaling.push({ name: step.name, center: step.center, scale: step.scale });
    }
    if (step.indicator) scaling.push({ name: `${step.name}_missing`, center: 0, scale: 1 });
  }
  return scaling;
}

/**
 * Folds the pipeline's standardisation into a linear model: with feature zⱼ = (xⱼ − cⱼ)/sⱼ,
 * b₀ + Σ bⱼ zⱼ = (b₀ − Σ bⱼ cⱼ/sⱼ) + Σ (bⱼ/sⱼ) xⱼ, so the returned intercept and coefficients apply to the raw
 * columns (one-hot and indicator columns are unscaled; ordinal ones are per category code). O(features).
 */
export function originalUnits(
  intercept: number,
  coefficients: Readonly<Record<string, number>>,
  scaling: readonly { name: string; center: number; scale: number }[],
): { intercept: number; coefficients: Record<string, number> } {
  let rawIntercept = intercept;
  const raw: Record<string, number> = {};
  for (const { name, center, scale } of scaling) {
    const coefficient = coefficients[name];
    if (coefficient === undefined) throw new ValidationError(`coefficients has no value for feature '${name}'`);
    raw[name] = coefficient / scale;
    rawIntercept -= (coefficient * center) / scale;
  }
  return { intercept: rawIntercept, coefficients: raw };
}
