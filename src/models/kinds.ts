/**
 * Model kinds as the CLI and API name them (`--model linear|logistic|gbdt|auto`): which registered class each is for
 * a task (gbdt: GbdtClassifier for classification, GbdtRegressor for regression and RUL), which tasks it serves, which options a user may set, and the small grid `auto` searches. A new model family (trees,
 * sequence models) becomes trainable by adding one entry here.
 */
import { describeValue, ValidationError } from '../core/errors.js';
import type { Task } from './base.js';

/** One value of a model option in a search grid or a training request. */
export type ParamValue = number | string | boolean | null;

export interface ModelKind {
  /** The name users type: `--model linear`. */
  readonly name: string;
  /** The registered class (registry.ts) that serves `task`. */
  readonly classNameFor: (task: Task) => string;
  readonly tasks: readonly Task[];
  /** Options a training request may set, e.g. `ridge`, `C`, `classWeight`. */
  readonly parameters: readonly string[];
  /** Options of `parameters` only the classification class takes (left out for other tasks). */
  readonly classificationParameters?: readonly string[];
  /** Options implied by the task (LinearRegression clips RUL predictions at 0). */
  readonly taskOptions?: (task: Task) => Record<string, ParamValue>;
  /** Candidates `--model auto` scores out of fold; options the user fixed are taken out of the grid. */
  readonly autoGrid: Readonly<Record<string, readonly ParamValue[]>>;
  /** The model is linear in its features: the card lists its intercept and coefficients. */
  readonly linear: boolean;
  /** One line for `--help` and docs. */
  readonly description: string;
}

export const modelKinds: readonly ModelKind[] = [
  {
    name: 'linear',
    classNameFor: () => 'LinearRegression',
    tasks: ['regression', 'rul'],
    parameters: ['ridge', 'fitIntercept'],
    taskOptions: (task): Record<string, ParamValue> => (task === 'rul' ? { task: 'rul' } : {}),
    autoGrid: { ridge: [0, 1, 10, 100] },
    linear: true,
    description: 'least squares (optionally ridge) on the standardised features',
  },
  {
    name: 'logistic',
    classNameFor: () => 'LogisticRegression',
    tasks: ['classification'],
    parameters: ['C', 'classWeight', 'penalty', 'fitIntercept', 'tol', 'maxIterations'],
    autoGrid: { C: [0.01, 0.1, 1, 10] },
    linear: true,
    description: 'L2-regularised logistic regression on the standardised features',
  },
  {
    name: 'gbdt',
    classNameFor: (task): string => (task === 'classification' ? 'GbdtClassifier' : 'GbdtRegressor'),
    tasks: ['classification', 'regression', 'rul'],
    parameters: [
      'nEstimators',
      'maxDepth',
      'learningRate',
      'minChildWeight',
      'subsample',
      'colsampleByTree',
      'lambda',
      'alpha',
      'gamma',
      'maxBins',
      'seed',
      'classWeight',
      'scalePosWeight',
    ],
    classificationParameters: ['classWeight', 'scalePosWeight'],
    taskOptions: (task): Record<string, ParamValue> => (task === 'rul' ? { task: 'rul' } : {}),
    // Shallow and deeper trees at the default 100 rounds and learning rate 0.3: two candidates keep `auto` cheap.
    autoGrid: { maxDepth: [3, 6] },
    linear: false,
    description: 'gradient-boosted trees (histogram, XGBoost-style) with exact TreeSHAP explanations',
  },
];

/** Whether `kind` takes option `name` for `task`. */
export function takesParameter(kind: ModelKind, task: Task, name: string): boolean {
  if (!kind.parameters.includes(name)) return false;
  return task === 'classification' || !kind.classificationParameters?.includes(name);
}

/** The kind named `name`; a `ValidationError` listing the known kinds otherwise. */
export function modelKind(name: string): ModelKind {
  const kind = modelKinds.find((candidate) => candidate.name === name);
  if (!kind) {
    throw new ValidationError(
      `model must be one of ${[...modelKinds.map((k) => k.name), 'auto'].join(', ')}, got ${describeValue(name)}`,
      [{ path: 'model', message: 'unknown model kind' }],
    );
  }
  return kind;
}

/** The kind of a registered class, for cards of models trained elsewhere. */
export function kindOfClass(className: string): ModelKind | undefined {
  return modelKinds.find((kind) => kind.tasks.some((task) => kind.classNameFor(task) === className));
}
