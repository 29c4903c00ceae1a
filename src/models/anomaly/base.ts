import { describeValue, ValidationError } from '../../core/errors.js';

/** One observation of one metric: epoch-ms time and a finite value. */
export interface StreamPoint {
  ts: number;
  value: number;
}

/** One observation of several metrics of one asset at one instant. */
export interface VectorPoint {
  ts: number;
  metrics: Record<string, number>;
}

/** A detector as JSON: enough to rebuild it without knowing its class (see `detectorFromJSON`). */
export interface DetectorJSON<TConfig = object, TState = unknown> {
  className: string;
  config: TConfig;
  state: TState;
}

/** Any detector's JSON, whatever its class. */
export type AnyDetectorJSON = DetectorJSON<object, unknown>;

/** The constructor side of a detector class, as the factory and `fromJSON` use it. */
export interface DetectorClass<TDetector> {
  new (config?: never): TDetector;
  readonly className: string;
}

/**
 * A streaming anomaly detector (River's `anomaly.base.AnomalyDetector`): it sees one observation at a time,
 * `scoreOne(x)` rates x against everything learned so far and `learnOne(x)` adds x to that history.
 *
 * **A higher score means more anomalous.** Scores are not alerts: thresholds and debouncing are separate rules.
 *
 * To process a stream without look-ahead, score each point before learning it (`scoreThenLearn`). Learned state is
 * a plain JSON-safe object (`toJSON()`), so a restarted process resumes with identical scores instead of warming up
 * again; `getConfig()` returns the options with their defaults filled in. Randomised detectors take a seed.
 *
 * Subclasses implement the protected hooks `learn`, `score`, `getState`, `setState`; the public methods validate.
 */
export abstract class StreamingDetector<TInput, TConfig extends object, TState> {
  static readonly className: string = 'StreamingDetector';
  protected readonly options: Readonly<TConfig>;

  protected constructor(options: TConfig) {
    this.options = Object.freeze({ ...options });
  }

  /** Adds x to the detector's history. */
  learnOne(x: TInput): this {
    this.learn(this.validate(x));
    return this;
  }

  /** How anomalous x is given the history so far (≥ 0; higher = more anomalous). Does not learn x. */
  scoreOne(x: TInput): number {
    return this.score(this.validate(x));
  }

  /** `scoreOne(x)` then `learnOne(x)`: the score of a point never depends on the point itself or later ones. */
  scoreThenLearn(x: TInput): number {
    return this.scoreAndLearn(this.validate(x));
  }

  /** The options with defaults filled in; `new Class(getConfig())` builds an equivalent untrained detector. */
  getConfig(): TConfig {
    return structuredClone(this.options) as TConfig;
  }

  /** Class name, resolved options and learned state, all JSON-safe. */
  toJSON(): DetectorJSON<TConfig, TState> {
    return {
      className: (this.constructor as DetectorClass<this>).className,
      config: this.getConfig(),
      state: structuredClone(this.getState()),
    };
  }

  /** Rebuilds a detector of this class from `toJSON()` output. */
  static fromJSON<TDetector extends StreamingDetector<unknown, object, unknown>>(
    this: DetectorClass<TDetector>,
    json: DetectorJSON,
  ): TDetector {
    // `this` is the subclass fromJSON is called on, so every detector class rebuilds its own kind.
    // biome-ignore lint/complexity/noThisInStatic: polymorphic static factory
    const expected = this.className;
    if (json?.className !== expected) {
      throw new ValidationError(
        `detector JSON: className must be ${describeValue(expected)}, got ${describeValue(json?.className)}`,
      );
    }
    const detector = new this(json.config as never);
    detector.setState(structuredClone(json.state));
    return detector;
  }

  /** Checks one input, returning it (possibly normalised); throws ValidationError naming the bad field. */
  protected abstract validate(x: TInput): TInput;
  protected abstract learn(x: TInput): void;
  protected abstract score(x: TInput): number;
  /** Scores then learns a validated x; detectors whose score and update share work override it. */
  protected scoreAndLearn(x: TInput): number {
    const result = this.score(x);
    this.learn(x);
    return result;
  }
  protected abstract getState(): TState;
  protected abstract setState(state: unknown): void;
}

/** Base of the single-metric detectors: validates `{ts, value}`. */
export abstract class UnivariateDetector<TConfig extends object, TState> extends StreamingDetector<
  StreamPoint,
  TConfig,
  TState
> {
  protected validate(x: StreamPoint): StreamPoint {
    if (typeof x !== 'object' || x === null)
      throw new ValidationError(`point must be an object {ts, value}, got ${describeValue(x)}`);
    if (typeof x.value !== 'number' || !Number.isFinite(x.value)) {
      throw new ValidationError(`point: 'value' must be a finite number, got ${describeValue(x.value)}`);
    }
    if (typeof x.ts !== 'number' || !Number.isFinite(x.ts)) {
      throw new ValidationError(`point: 'ts' must be epoch milliseconds, got ${describeValue(x.ts)}`);
    }
    return x;
  }
}

/**
 * Base of the detectors that score several metrics of one asset together: validates `{ts, metrics}` (a bare
 * `{ts, value}` is read as the single metric `value`) and returns a normalised copy.
 */
export abstract class MultivariateDetector<TConfig extends object, TState> extends StreamingDetector<
  VectorPoint,
  TConfig,
  TState
> {
  protected validate(x: VectorPoint): VectorPoint {
    if (typeof x !== 'object' || x === null) {
      throw new ValidationError(`point must be an object {ts, metrics}, got ${describeValue(x)}`);
    }
    const bare = x as unknown as { value?: unknown; metrics?: unknown };
    const metrics = bare.metrics === undefined && 'value' in bare ? { value: bare.value } : bare.metrics;
    if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
      throw new ValidationError(`point: 'metrics' must be an object of metric → number, got ${describeValue(metrics)}`);
    }
    const entries = Object.entries(metrics as Record<string, unknown>);
    if (entries.length === 0) throw new ValidationError("point: 'metrics' must hold at least one metric");
    for (const [metric, value] of entries) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ValidationError(`point: metric '${metric}' must be a finite number, got ${describeValue(value)}`);
      }
    }
    if (typeof x.ts !== 'number' || !Number.isFinite(x.ts)) {
      throw new ValidationError(`point: 'ts' must be epoch milliseconds, got ${describeValue(x.ts)}`);
    }
    return { ts: x.ts, metrics: metrics as Record<string, number> };
  }
}

/** Throws a ValidationError unless `state` is an object carrying every listed key. */
export function expectState(state: unknown, className: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof state !== 'object' || state === null) {
    throw new ValidationError(`${className} state must be an object, got ${describeValue(state)}`);
  }
  const record = state as Record<string, unknown>;
  for (const key of keys) {
    if (!(key in record)) throw new ValidationError(`${className} state: missing field '${key}'`);
  }
  return record;
}

/** Merges user options over defaults, rejecting unknown keys and non-finite numbers with the field named. */
export function resolveOptions<T extends object>(className: string, defaults: T, given: Partial<T> | undefined): T {
  const resolved = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(given ?? {})) {
    if (!(key in defaults)) throw new ValidationError(`${className}: unknown option '${key}'`);
    if (value === undefined) continue;
    const expected = typeof (defaults as Record<string, unknown>)[key];
    if (expected === 'number' && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new ValidationError(`${className}: option '${key}' must be a finite number, got ${describeValue(value)}`);
    }
    resolved[key] = value;
  }
  return resolved as T;
}

/** Throws a ValidationError unless `value` lies in [min, max] (and is an integer when asked). */
export function checkRange(
  className: string,
  name: string,
  value: number,
  min: number,
  max: number,
  integer = false,
): void {
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw new ValidationError(
      `${className}: option '${name}' must be ${kind} in [${min}, ${max}], got ${describeValue(value)}`,
    );
  }
}
