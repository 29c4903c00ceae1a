/**
 * Model kinds as the CLI and API name them (`--model linear|logistic|auto`): which registered class each is, which
 * tasks it serves, which options a user may set, and the small grid `auto` searches. A new model family (trees,
 * sequence models) becomes trainable by adding one entry here.
 */
import { describeValue, ValidationError } from '../core/errors.js';
import type { Task } from './base.js';

/** One value of a model option in a search grid or a training request. */
export type ParamValue = number | string | boolean | null;

export interface ModelKind {
  /** The name users type: `--model linear`. */
  readonly name: string;
  /** The registered class (registry.ts). */
  readonly className: string;
  readonly tasks: readonly Task[];
  /** Options a training request may set, e.g. `ridge`, `C`, `classWeight`. */
  readonly parameters: readonly string[];
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
    className: 'LinearRegression',
    tasks: ['regression', 'rul'],
    parameters: ['ridge', 'fitIntercept'],
    taskOptions: (task): Record<string, ParamValue> => (task === 'rul' ? { task: 'rul' } : {}),
    autoGrid: { ridge: [0, 1, 10, 100] },
    linear: true,
    description: 'least squares (optionally ridge) on the standardised features',
  },
  {
    name: 'logistic',
    className: 'LogisticRegression',
    tasks: ['classification'],
    parameters: ['C', 'classWeight', 'penalty', 'fitIntercept', 'tol', 'maxIterations'],
    autoGrid: { C: [0.01, 0.1, 1, 10] },
    linear: true,
    description: 'L2-regularised logistic regression on the standardised features',
  },
];

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
  return modelKinds.find((kind) => kind.className === className);
}
