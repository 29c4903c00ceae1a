/**
 * The model registry: trained models kept in the store, as numbered versions per task name (`failure-risk@1`,
 * `failure-risk@2`, …) with exactly one active version per name once the name has any version. The registry keeps
 * a model's card and its serialised form as opaque JSON, plus the few fields it lists and filters by (kind, task,
 * metrics); building and loading models is the caller's business.
 */
import { describeValue, ValidationError } from '../core/errors.js';
import { formatTimestamp } from '../core/time.js';

/** A value `JSON.stringify` writes and `JSON.parse` reads back unchanged. */
export type StoredJson = null | boolean | number | string | StoredJson[] | { [key: string]: StoredJson };
export type StoredJsonObject = { [key: string]: StoredJson };

/** A new version to store: what `saveVersion` takes. */
export interface NewModelVersion {
  /** The task the model serves (e.g. `failure-risk`): versions are numbered per name. */
  name: string;
  /** The model's class or kind (e.g. `LogisticRegression`). */
  kind: string;
  /** `classification`, `regression` or `rul`. */
  task: string;
  /** Validation metrics, metric name → value (finite numbers only). */
  metrics: Record<string, number>;
  /** The model card. */
  card: StoredJsonObject;
  /** The serialised trained model (preprocessing + model), as its `toJSON()` gives it. */
  model: StoredJsonObject;
  /** Epoch milliseconds. */
  createdAt: number;
  /**
   * Make this version the active one of its name. Default: only when the name has no active version yet (so the
   * first version of a name is active and later ones wait for a promotion).
   */
  activate?: boolean;
}

/** One version as listed: everything but the card and the model. */
export interface ModelVersionSummary {
  /** `<name>@<version>`. */
  id: string;
  name: string;
  /** 1, 2, 3, … per name. */
  version: number;
  kind: string;
  task: string;
  metrics: Record<string, number>;
  createdAt: number;
  active: boolean;
}

/** A version as `GET /v1/models` and `upkeep models … --json` show it (snake case, ISO time). */
export function modelVersionJson(version: ModelVersionSummary) {
  return {
    id: version.id,
    name: version.name,
    version: version.version,
    kind: version.kind,
    task: version.task,
    metrics: version.metrics,
    created_at: formatTimestamp(version.createdAt),
    active: version.active,
  };
}

/** One version with its card and serialised model. */
export interface ModelVersion extends ModelVersionSummary {
  card: StoredJsonObject;
  model: StoredJsonObject;
}

export interface ModelVersionQuery {
  /** Only the versions of this name. */
  name?: string;
}

/**
 * Where trained models are kept. Versions are immutable once saved; only the active flag moves, atomically, so a
 * reader never sees a name with two active versions (nor, after the first save, with none).
 */
export interface ModelRegistry {
  /** Stores a new version, numbered one above the name's highest so far; returns its summary. */
  saveVersion(input: NewModelVersion): Promise<ModelVersionSummary>;
  /** Versions ordered by name, then version ascending. */
  listVersions(query?: ModelVersionQuery): Promise<ModelVersionSummary[]>;
  /** One version by id (`name@version`); undefined when there is none. */
  getVersion(id: string): Promise<ModelVersion | undefined>;
  /** Makes a version the active one of its name (every other version of the name inactive); `NotFoundError` when unknown. */
  promote(id: string): Promise<ModelVersionSummary>;
  /** The active version of a name; undefined when the name has no version. */
  getActive(name: string): Promise<ModelVersion | undefined>;
}

/** Task names: letters, digits, `.`, `_`, `-`; starting with a letter or digit; at most 100 characters. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Checks a task name; `ValidationError` naming the field otherwise. */
export function checkModelName(name: unknown, path = 'name'): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new ValidationError(
      `'${path}' must be 1-100 letters, digits, '.', '_' or '-' starting with a letter or digit, got ${describeValue(name)}`,
      [{ path, message: "must be 1-100 letters, digits, '.', '_' or '-' starting with a letter or digit" }],
    );
  }
  return name;
}

/** The id of a version: `name@version`. */
export function modelVersionId(name: string, version: number): string {
  return `${name}@${version}`;
}

/** Splits `name@version`; undefined when the text is not a well-formed id (so that lookups answer "not found"). */
export function parseModelVersionId(id: string): { name: string; version: number } | undefined {
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  const name = id.slice(0, at);
  const versionText = id.slice(at + 1);
  if (!NAME_PATTERN.test(name) || !/^[1-9][0-9]{0,8}$/.test(versionText)) return undefined;
  return { name, version: Number(versionText) };
}

/** Checks what `saveVersion` receives; `ValidationError` naming the first bad field. */
export function checkNewModelVersion(input: NewModelVersion): void {
  checkModelName(input.name);
  for (const field of ['kind', 'task'] as const) {
    if (typeof input[field] !== 'string' || input[field].length === 0) {
      throw new ValidationError(`'${field}' must be a non-empty string, got ${describeValue(input[field])}`, [
        { path: field, message: 'must be a non-empty string' },
      ]);
    }
  }
  if (typeof input.metrics !== 'object' || input.metrics === null || Array.isArray(input.metrics)) {
    throw new ValidationError(`'metrics' must be an object of numbers, got ${describeValue(input.metrics)}`, [
      { path: 'metrics', message: 'must be an object of numbers' },
    ]);
  }
  for (const [metric, value] of Object.entries(input.metrics)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(`metric '${metric}' must be a finite number, got ${describeValue(value)}`, [
        { path: `metrics.${metric}`, message: 'must be a finite number' },
      ]);
    }
  }
  for (const field of ['card', 'model'] as const) {
    const value = input[field];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ValidationError(`'${field}' must be a JSON object, got ${describeValue(value)}`, [
        { path: field, message: 'must be a JSON object' },
      ]);
    }
  }
  if (!Number.isFinite(input.createdAt)) {
    throw new ValidationError(`'createdAt' must be finite epoch milliseconds, got ${describeValue(input.createdAt)}`, [
      { path: 'createdAt', message: 'must be finite epoch milliseconds' },
    ]);
  }
}
