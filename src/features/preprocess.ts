/**
 * The tabular preprocessing pipeline: fitted once on a training frame, replayed identically on new data, saved as
 * JSON inside a model artifact. Steps per input column, in order: selection (drop list and target removed),
 * imputation (median for numbers, mode for categories, optionally a `<column>_missing` 0/1 indicator for columns
 * that had gaps in training), encoding of categories (one-hot `Type=L` columns, or ordinal codes), and
 * standardisation of numeric and ordinal columns with the training mean and population standard deviation
 * (as scikit-learn's SimpleImputer → OneHotEncoder/OrdinalEncoder → StandardScaler).
 *
 * At prediction, input columns are found by name (order irrelevant, extra columns ignored); a missing column is an
 * `UnprocessableError`; a category never seen in training becomes an all-zero one-hot row or ordinal code −1.
 */
import { z } from 'zod';
import { describeValue, NotFittedError, UnprocessableError, ValidationError } from '../core/errors.js';
import { type Column, type Frame, parseBooleanText, parseNumberText } from '../io/frame.js';
import type { Matrix } from '../math/linalg.js';
import { type Interaction, InteractionSchema, withInteractions } from './interactions.js';

/** A row-major design matrix with one name per column. */
export interface FeatureMatrix extends Matrix {
  readonly featureNames: readonly string[];
}

export interface PreprocessOptions {
  /** Column to predict; never a feature. */
  target?: string;
  /** Columns to leave out (identifiers, leaky labels); each must exist in the training data. */
  drop?: readonly string[];
  /** How text columns become numbers (default `onehot`). */
  encoding?: 'onehot' | 'ordinal';
  /** Add a `<column>_missing` 0/1 feature for every column with missing values in training (default false). */
  missingIndicator?: boolean;
  /** Centre and scale numeric and ordinal features (default true). */
  standardize?: boolean;
  /** Most categories a one-hot-encoded column may have (default 100): more usually means an identifier. */
  maxLevels?: number;
  /** Derived numeric columns computed from the input before all other steps (see interactions.ts). */
  interactions?: readonly Interaction[];
}

/** The ordinal code of a category not seen in training. */
export const UNSEEN_CODE = -1;

const NumericStepSchema = z.object({
  kind: z.literal('numeric'),
  name: z.string(),
  fill: z.number(),
  indicator: z.boolean(),
  center: z.number(),
  scale: z.number().positive(),
});

const CategoryStepSchema = z.object({
  kind: z.literal('category'),
  name: z.string(),
  levels: z.array(z.string()).min(1),
  /** Index into levels of the mode, used for missing values. */
  fill: z.number().int().nonnegative(),
  indicator: z.boolean(),
  encoding: z.enum(['onehot', 'ordinal']),
  /** Ordinal encoding only; 0 and 1 for one-hot. */
  center: z.number(),
  scale: z.number().positive(),
});

const PreprocessStateSchema = z.object({
  version: z.literal(1),
  options: z.object({
    target: z.string().nullable(),
    drop: z.array(z.string()),
    encoding: z.enum(['onehot', 'ordinal']),
    missingIndicator: z.boolean(),
    standardize: z.boolean(),
    maxLevels: z.number().int().positive(),
    interactions: z.array(InteractionSchema).default([]),
  }),
  steps: z.array(z.discriminatedUnion('kind', [NumericStepSchema, CategoryStepSchema])),
  featureNames: z.array(z.string()),
});

type NumericStep = z.infer<typeof NumericStepSchema>;
type CategoryStep = z.infer<typeof CategoryStepSchema>;
type Step = NumericStep | CategoryStep;

/** The fitted pipeline as plain JSON (what a model artifact stores). */
export type PreprocessState = z.infer<typeof PreprocessStateSchema>;

function stepWidth(step: Step): number {
  const base = step.kind === 'category' && step.encoding === 'onehot' ? step.levels.length : 1;
  return base + (step.indicator ? 1 : 0);
}

function stepFeatureNames(step: Step): string[] {
  const names =
    step.kind === 'category' && step.encoding === 'onehot'
      ? step.levels.map((level) => `${step.name}=${level}`)
      : [step.name];
  if (step.indicator) names.push(`${step.name}_missing`);
  return names;
}

/** Median of the non-missing values, or undefined when all are missing. O(n log n). */
function medianOf(values: Float64Array): number | undefined {
  let present = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present++;
  if (present === 0) return undefined;
  const sorted = new Float64Array(present);
  let position = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) sorted[position++] = values[i] as number;
  sorted.sort();
  const middle = present >> 1;
  return present % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Mean and population standard deviation (two-pass) of values with missing ones replaced by `fill`. O(n). */
function momentsWithFill(values: ArrayLike<number>, fill: number): { mean: number; std: number } {
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    total += Number.isNaN(value) ? fill : value;
  }
  const mean = total / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    const deviation = (Number.isNaN(value) ? fill : value) - mean;
    squares += deviation * deviation;
  }
  return { mean, std: Math.sqrt(squares / values.length) };
}

function hasMissing(column: Column): boolean {
  if (column.kind === 'numeric') {
    for (let i = 0; i < column.values.length; i++) if (Number.isNaN(column.values[i])) return true;
    return false;
  }
  for (let i = 0; i < column.codes.length; i++) if ((column.codes[i] as number) < 0) return true;
  return false;
}

/** A column's values as numbers; text must be numbers or boolean words. */
function numericValues(column: Column): Float64Array {
  if (column.kind === 'numeric') return column.values;
  const levelValues = column.levels.map((level) => {
    const value = parseNumberText(level) ?? parseBooleanText(level);
    if (value === undefined) {
      const row = column.codes.indexOf(column.levels.indexOf(level));
      throw new UnprocessableError(
        `column '${column.name}' must be numeric, got ${describeValue(level)} (row ${row})`,
        [{ path: column.name, message: 'not numeric' }],
      );
    }
    return value;
  });
  const values = new Float64Array(column.codes.length);
  for (let i = 0; i < values.length; i++) {
    const code = column.codes[i] as number;
    values[i] = code < 0 ? Number.NaN : (levelValues[code] as number);
  }
  return values;
}

/**
 * For each row, the index of its category among the training levels; -1 missing, -2 unseen. Numbers arriving for
 * a text column (a small JSON batch is inferred as numeric) match training levels that read as the same number
 * or boolean. O(n + L).
 */
const MISSING_INDEX = -1;
const UNSEEN_INDEX = -2;

function levelIndices(column: Column, levels: readonly string[]): Int32Array {
  const indexOf = new Map<string, number>();
  levels.forEach((level, index) => {
    indexOf.set(level, index);
  });
  const indices = new Int32Array(column.kind === 'numeric' ? column.values.length : column.codes.length);
  if (column.kind === 'category') {
    const remap = column.levels.map((level) => indexOf.get(level) ?? UNSEEN_INDEX);
    for (let i = 0; i < indices.length; i++) {
      const code = column.codes[i] as number;
      indices[i] = code < 0 ? MISSING_INDEX : (remap[code] as number);
    }
    return indices;
  }
  const byNumber = new Map<number, number>();
  levels.forEach((level, index) => {
    const value = column.boolean ? parseBooleanText(level) : parseNumberText(level);
    if (value !== undefined && !byNumber.has(value)) byNumber.set(value, index);
  });
  for (let i = 0; i < indices.length; i++) {
    const value = column.values[i] as number;
    if (Number.isNaN(value)) indices[i] = MISSING_INDEX;
    else indices[i] = byNumber.get(value) ?? indexOf.get(String(value)) ?? UNSEEN_INDEX;
  }
  return indices;
}

function resolvedOptions(options: PreprocessOptions): PreprocessState['options'] {
  const maxLevels = options.maxLevels ?? 100;
  if (!Number.isInteger(maxLevels) || maxLevels < 1) {
    throw new ValidationError(`maxLevels must be a positive integer, got ${describeValue(maxLevels)}`);
  }
  return {
    target: options.target ?? null,
    drop: [...(options.drop ?? [])],
    encoding: options.encoding ?? 'onehot',
    missingIndicator: options.missingIndicator ?? false,
    standardize: options.standardize ?? true,
    maxLevels,
    interactions: [...(options.interactions ?? [])],
  };
}

/**
 * Fits and replays the preprocessing of a frame into a feature matrix.
 *
 * @example
 * const pipeline = new Preprocessor({ target: 'Machine failure', drop: ['UDI', 'Product ID'] }).fit(train);
 * const X = pipeline.transform(test); // X.featureNames: ['Type=H', 'Type=L', 'Type=M', 'Air temperature [K]', …]
 */
export class Preprocessor {
  static readonly className = 'Preprocessor';
  readonly options: PreprocessOptions;
  private state: PreprocessState | undefined;

  constructor(options: PreprocessOptions = {}) {
    this.options = options;
  }

  /** Restores a fitted pipeline saved with `toJSON`; throws `ValidationError` for a damaged state. */
  static fromJSON(value: unknown): Preprocessor {
    const parsed = PreprocessStateSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue ? issue.path.join('.') : '';
      throw new ValidationError(`preprocessing state is invalid at '${path}': ${issue?.message ?? 'unknown problem'}`);
    }
    const state = parsed.data;
    for (const step of state.steps) {
      if (step.kind === 'category' && step.fill >= step.levels.length) {
        throw new ValidationError(
          `preprocessing state is invalid: fill of column '${step.name}' is not one of its levels`,
        );
      }
    }
    const expected = state.steps.flatMap(stepFeatureNames);
    if (expected.join('\u0000') !== state.featureNames.join('\u0000')) {
      throw new ValidationError('preprocessing state is invalid: featureNames do not match the steps');
    }
    const { target, ...rest } = state.options;
    const pipeline = new Preprocessor(target === null ? rest : { ...rest, target });
    pipeline.state = state;
    return pipeline;
  }

  get fitted(): boolean {
    return this.state !== undefined;
  }

  /** Names of the output columns, in order. */
  get featureNames(): readonly string[] {
    return this.fittedState().featureNames;
  }

  /** Names of the input columns the pipeline reads, in order (the sources of interactions, not the derived names). */
  get inputColumns(): readonly string[] {
    const { steps, options } = this.fittedState();
    const derived = new Set(options.interactions.map((spec) => spec.name));
    const names = steps.map((step) => step.name).filter((name) => !derived.has(name));
    for (const spec of options.interactions) {
      for (const source of [spec.left, spec.right]) if (!names.includes(source)) names.push(source);
    }
    return names;
  }

  /** Learns medians, modes, categories, means and scales from a training frame. O(rows × columns · log rows). */
  fit(input: Frame): this {
    const options = resolvedOptions(this.options);
    const frame = withInteractions(input, options.interactions);
    for (const name of options.drop) {
      if (!frame.has(name)) {
        throw new UnprocessableError(`drop column '${name}' is not in the data (columns: ${frame.names.join(', ')})`, [
          { path: 'drop', message: `unknown column '${name}'` },
        ]);
      }
    }
    if (frame.rowCount === 0) throw new UnprocessableError('cannot fit preprocessing on 0 rows');
    const excluded = new Set(options.drop);
    if (options.target !== null) excluded.add(options.target);
    const columns = frame.columns.filter((column) => !excluded.has(column.name));
    if (columns.length === 0) {
      throw new UnprocessableError('no feature columns left after removing the target and the dropped columns');
    }
    const steps = columns.map((column) => this.fitColumn(column, options));
    const featureNames = steps.flatMap(stepFeatureNames);
    const seen = new Set<string>();
    for (const name of featureNames) {
      if (seen.has(name)) {
        throw new UnprocessableError(`feature name '${name}' would appear twice: rename or drop a column`, [
          { path: name, message: 'duplicate feature name' },
        ]);
      }
      seen.add(name);
    }
    this.state = { version: 1, options, steps, featureNames };
    return this;
  }

  private fitColumn(column: Column, options: PreprocessState['options']): Step {
    const indicator = options.missingIndicator && hasMissing(column);
    if (column.kind === 'numeric') {
      const fill = medianOf(column.values);
      if (fill === undefined) {
        throw new UnprocessableError(`column '${column.name}' has no values in the training data: drop it`, [
          { path: column.name, message: 'all values missing' },
        ]);
      }
      const { mean, std } = momentsWithFill(column.values, fill);
      return {
        kind: 'numeric',
        name: column.name,
        fill,
        indicator,
        center: options.standardize ? mean : 0,
        scale: options.standardize && std > 0 ? std : 1,
      };
    }
    // Keep only the levels present in these rows (a split may lack some), still sorted.
    const counts = new Float64Array(column.levels.length);
    for (let i = 0; i < column.codes.length; i++) {
      const code = column.codes[i] as number;
      if (code >= 0) counts[code]++;
    }
    const levels = column.levels.filter((_, code) => (counts[code] as number) > 0);
    if (levels.length === 0) {
      throw new UnprocessableError(`column '${column.name}' has no values in the training data: drop it`, [
        { path: column.name, message: 'all values missing' },
      ]);
    }
    if (options.encoding === 'onehot' && levels.length > options.maxLevels) {
      throw new UnprocessableError(
        `column '${column.name}' has ${levels.length} distinct values, more than maxLevels ${options.maxLevels}: drop it if it is an identifier`,
        [{ path: column.name, message: 'too many categories' }],
      );
    }
    let mode = 0;
    let modeCount = -1;
    for (let code = 0; code < counts.length; code++) {
      if ((counts[code] as number) > modeCount) {
        modeCount = counts[code] as number;
        mode = code;
      }
    }
    const fill = levels.indexOf(column.levels[mode] as string);
    let center = 0;
    let scale = 1;
    if (options.encoding === 'ordinal' && options.standardize) {
      const indices = levelIndices(column, levels);
      const codes = Float64Array.from(indices, (index) => (index < 0 ? Number.NaN : index));
      const { mean, std } = momentsWithFill(codes, fill);
      center = mean;
      scale = std > 0 ? std : 1;
    }
    return { kind: 'category', name: column.name, levels, fill, indicator, encoding: options.encoding, center, scale };
  }

  /**
   * Applies the fitted steps to a frame with (at least) the training columns, in any order. O(rows × features).
   */
  transform(input: Frame): FeatureMatrix {
    const state = this.fittedState();
    const frame = withInteractions(input, state.options.interactions);
    const absent = state.steps.filter((step) => !frame.has(step.name)).map((step) => step.name);
    if (absent.length > 0) {
      throw new UnprocessableError(
        `input is missing column${absent.length > 1 ? 's' : ''} ${absent.map((name) => `'${name}'`).join(', ')}`,
        absent.map((name) => ({ path: name, message: 'missing column' })),
      );
    }
    const rows = frame.rowCount;
    const cols = state.featureNames.length;
    const data = new Float64Array(rows * cols);
    let offset = 0;
    for (const step of state.steps) {
      const column = frame.column(step.name);
      if (step.kind === 'numeric') this.writeNumeric(step, column, data, rows, cols, offset);
      else this.writeCategory(step, column, data, rows, cols, offset);
      offset += stepWidth(step);
    }
    return { rows, cols, data, featureNames: state.featureNames };
  }

  /** `fit` then `transform` on the same frame. */
  fitTransform(frame: Frame): FeatureMatrix {
    return this.fit(frame).transform(frame);
  }

  /** The fitted state as JSON-safe data (all numbers finite). */
  toJSON(): PreprocessState {
    return structuredClone(this.fittedState());
  }

  private fittedState(): PreprocessState {
    if (!this.state) throw new NotFittedError(Preprocessor.className);
    return this.state;
  }

  private writeNumeric(
    step: NumericStep,
    column: Column,
    data: Float64Array,
    rows: number,
    cols: number,
    offset: number,
  ): void {
    const values = numericValues(column);
    const { fill, center, scale, indicator } = step;
    for (let row = 0; row < rows; row++) {
      const value = values[row] as number;
      const missing = Number.isNaN(value);
      const base = row * cols + offset;
      data[base] = ((missing ? fill : value) - center) / scale;
      if (indicator) data[base + 1] = missing ? 1 : 0;
    }
  }

  private writeCategory(
    step: CategoryStep,
    column: Column,
    data: Float64Array,
    rows: number,
    cols: number,
    offset: number,
  ): void {
    const indices = levelIndices(column, step.levels);
    const width = step.encoding === 'onehot' ? step.levels.length : 1;
    for (let row = 0; row < rows; row++) {
      const found = indices[row] as number;
      const missing = found === MISSING_INDEX;
      const index = missing ? step.fill : found;
      const base = row * cols + offset;
      if (step.encoding === 'onehot') {
        if (index >= 0) data[base + index] = 1;
      } else {
        data[base] = ((index >= 0 ? index : UNSEEN_CODE) - step.center) / step.scale;
      }
      if (step.indicator) data[base + width] = missing ? 1 : 0;
    }
  }
}
