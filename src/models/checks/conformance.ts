/**
 * One conformance suite for every model (River's `check_estimator`, scikit-learn's `check_estimator`): given a model
 * class and an option set, `conformanceChecks` returns named checks that each throw on failure. The test
 * `conformance.test.ts` runs them over every registered class, with a visible list of exemptions.
 *
 * Supervised models: unfitted use → NotFittedError; save/load (toJSON → JSON text → registry load) predicts
 * bit-identically; fitting twice equals fitting once; same options (same seed) → same output; named columns in any
 * order (plus an unseen one) give the same predictions and a missing one is a clear error; non-finite input is a
 * clear error (except NaN for classes declaring `acceptsMissing`, which must fit and predict with it). Streaming detectors: save/load mid-stream, determinism, non-finite input, and that an outlier scores
 * higher than a typical observation.
 */

import { NotFittedError, UnprocessableError, ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import {
  type AnyDetectorJSON,
  type AnyModel,
  Classifier,
  type ModelClass,
  MultivariateDetector,
  type StreamingDetector,
  type StreamPoint,
  SupervisedModel,
  type VectorPoint,
} from '../base.js';
import { type DesignMatrix, isSequenceBatch, type ModelInput, type SequenceBatch } from '../input.js';
import type { ModelRegistry } from '../registry.js';

/** A check: its name (used in the exemptions list) and a function that throws with a readable message on failure. */
export interface ConformanceCheck {
  readonly name: string;
  readonly run: () => void;
}

/** Optional static hints a model class can give the suite. */
interface ConformanceHints {
  /** 'sequence' models take `SequenceBatch` inputs (samples × steps × features); default 'tabular'. */
  readonly inputKind?: 'tabular' | 'sequence';
}

type AnySupervised = SupervisedModel<object, object, ModelInput>;
type AnyStreaming = StreamingDetector<StreamPoint | VectorPoint, object, unknown>;

/** A streaming detector class as `anomaly/factory.ts` registers it: built from options or from `toJSON()`. */
export interface StreamingDetectorClass {
  readonly className: string;
  new (options?: never): AnyStreaming;
  fromJSON(json: AnyDetectorJSON): AnyStreaming;
}

const featureNames = ['temperature', 'vibration', 'pressure', 'current'];

function createModel(cls: ModelClass, config: object): AnyModel {
  return new (cls as unknown as new (options: object) => AnyModel)(config);
}

/** Deterministic training data for the task and input kind: a noisy linear signal, thresholded for classifiers. */
function makeDataset(
  task: string,
  inputKind: 'tabular' | 'sequence',
  seed: number,
): { X: ModelInput; y: Float64Array } {
  const rng = new Rng(seed);
  const samples = 160;
  const features = featureNames.length;
  const steps = inputKind === 'sequence' ? 6 : 1;
  const data = new Float64Array(samples * steps * features);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const weights = [1.5, -2, 0.5, 1];
  const y = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let signal = 0;
    const last = (s * steps + steps - 1) * features;
    for (let f = 0; f < features; f++) signal += weights[f] * data[last + f];
    const noisy = signal + 0.5 * rng.normal();
    if (task === 'classification') y[s] = noisy > 0.3 ? 1 : 0;
    else if (task === 'rul') y[s] = Math.max(0, 40 + 8 * noisy);
    else y[s] = 3 + noisy;
  }
  const X: ModelInput =
    inputKind === 'sequence'
      ? ({ samples, steps, features, data, featureNames } satisfies SequenceBatch)
      : ({ rows: samples, cols: features, data, featureNames } satisfies DesignMatrix);
  return { X, y };
}

/** The same input with feature f moved to position order[f], plus (optionally) an extra, unseen column at the end. */
function permuteFeatures(X: ModelInput, order: readonly number[], extraColumn: boolean): ModelInput {
  const names = X.featureNames as readonly string[];
  const features = names.length;
  const width = order.length + (extraColumn ? 1 : 0);
  const rowCount = isSequenceBatch(X) ? X.samples * X.steps : X.rows;
  const data = new Float64Array(rowCount * width);
  for (let r = 0; r < rowCount; r++) {
    for (let j = 0; j < order.length; j++) data[r * width + j] = X.data[r * features + order[j]];
    if (extraColumn) data[r * width + order.length] = 1e6 * (r % 3);
  }
  const permutedNames = order.map((j) => names[j]);
  if (extraColumn) permutedNames.push('unseen_sensor');
  return isSequenceBatch(X)
    ? { samples: X.samples, steps: X.steps, features: width, data, featureNames: permutedNames }
    : { rows: X.rows, cols: width, data, featureNames: permutedNames };
}

function withValue(X: ModelInput, index: number, value: number): ModelInput {
  const data = Float64Array.from(X.data);
  data[index] = value;
  return { ...X, data } as ModelInput;
}

/** Exact equality of two float arrays, NaN and −0 included; the message names the first difference. */
export function assertBitIdentical(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  if (actual.length !== expected.length)
    throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${what}[${i}]: ${actual[i]} differs from ${expected[i]}`);
  }
}

/** |a − b| ≤ tolerance · max(1, |b|) entry by entry. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  if (actual.length !== expected.length)
    throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i])))) {
      throw new Error(`${what}[${i}]: ${actual[i]} is not within ${tolerance} of ${expected[i]}`);
    }
  }
}

function expectThrows(
  action: () => unknown,
  errorType: new (...args: never[]) => Error,
  pattern: RegExp,
  what: string,
): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof errorType)) {
      throw new Error(`${what}: expected ${errorType.name}, got ${(error as Error).name}: ${(error as Error).message}`);
    }
    if (!pattern.test((error as Error).message)) {
      throw new Error(`${what}: message ${JSON.stringify((error as Error).message)} does not match ${pattern}`);
    }
    return;
  }
  throw new Error(`${what}: expected ${errorType.name}, nothing was thrown`);
}

function outputs(model: AnySupervised, X: ModelInput): Float64Array[] {
  const result = [model.predict(X)];
  if (model instanceof Classifier) result.push((model as Classifier<object, object, ModelInput>).predictProba(X).data);
  return result;
}

function assertSameOutputs(actual: Float64Array[], expected: Float64Array[], what: string): void {
  for (const [k, values] of actual.entries()) {
    assertBitIdentical(values, expected[k], `${what} (${k === 0 ? 'predict' : 'predictProba'})`);
  }
}

function supervisedChecks(cls: ModelClass, config: object, registry: ModelRegistry): ConformanceCheck[] {
  const inputKind = (cls as ConformanceHints).inputKind ?? 'tabular';
  const fresh = () => createModel(cls, config) as AnySupervised;
  const task = fresh().task;
  const { X, y } = makeDataset(task, inputKind, 1);
  const other = makeDataset(task, inputKind, 2);
  const fitted = () => fresh().fit(X, y);

  return [
    {
      name: 'unfittedRaisesNotFitted',
      run: () => {
        const model = fresh();
        expectThrows(() => model.predict(X), NotFittedError, /is not fitted/, 'predict before fit');
        if (model instanceof Classifier) {
          expectThrows(() => model.predictProba(X), NotFittedError, /is not fitted/, 'predictProba before fit');
        }
        expectThrows(() => model.summary(), NotFittedError, /is not fitted/, 'summary before fit');
      },
    },
    {
      name: 'configRoundTrip',
      run: () => {
        const config_ = fresh().getConfig();
        const text = JSON.stringify(config_);
        const rebuilt = createModel(cls, JSON.parse(text) as object).getConfig();
        if (JSON.stringify(rebuilt) !== text)
          throw new Error(`getConfig() does not round-trip: ${text} → ${JSON.stringify(rebuilt)}`);
      },
    },
    {
      name: 'saveLoadRoundTrip',
      run: () => {
        const model = fitted();
        const text = JSON.stringify(model);
        const loaded = registry.load(JSON.parse(text)) as AnySupervised;
        if (loaded.className !== model.className)
          throw new Error(`loaded a ${loaded.className}, saved a ${model.className}`);
        assertSameOutputs(outputs(loaded, other.X), outputs(model, other.X), 'loaded model');
        if (JSON.stringify(loaded) !== text) throw new Error('saving the loaded model gives a different artifact');
      },
    },
    {
      name: 'fitIdempotent',
      run: () => {
        const once = fitted();
        const twice = fresh().fit(other.X, other.y).fit(X, y);
        assertSameOutputs(outputs(twice, other.X), outputs(once, other.X), 'refitted model');
        const again = once.fit(X, y);
        assertSameOutputs(outputs(again, other.X), outputs(fitted(), other.X), 'model fitted twice on the same data');
      },
    },
    {
      name: 'sameSeedSameOutput',
      run: () => {
        assertSameOutputs(outputs(fitted(), other.X), outputs(fitted(), other.X), 'second model with the same options');
      },
    },
    {
      name: 'columnOrderByName',
      run: () => {
        const model = fitted();
        const expected = outputs(model, other.X);
        const reversed = [3, 1, 0, 2];
        assertSameOutputs(
          outputs(model, permuteFeatures(other.X, reversed, true)),
          expected,
          'permuted columns + unseen',
        );
        // Training on permuted columns is the same model up to the order of floating-point operations.
        const trainedOnPermuted = outputs(fresh().fit(permuteFeatures(X, reversed, false), y), other.X);
        for (const [k, values] of trainedOnPermuted.entries()) {
          assertClose(values, expected[k], 1e-8, 'model trained on permuted columns');
        }
        expectThrows(
          () => model.predict(permuteFeatures(other.X, [0, 1, 3], false)),
          UnprocessableError,
          /missing feature 'pressure'/,
          'predict without a trained feature',
        );
      },
    },
    {
      name: 'nonFiniteInputRejected',
      run: () => {
        const perSample = isSequenceBatch(X) ? X.steps * X.features : X.cols;
        if (cls.acceptsMissing === true) {
          // NaN is a missing value for these models: fitting and predicting with one works; ±Infinity does not.
          const withMissing = fresh().fit(withValue(X, 2 * perSample + 1, Number.NaN), y);
          for (const values of outputs(withMissing, withValue(other.X, 1, Number.NaN))) {
            if (!values.every((value) => Number.isFinite(value))) {
              throw new Error('a model accepting missing values predicted a non-finite value for a row with NaN');
            }
          }
          expectThrows(
            () => fresh().fit(withValue(X, 2 * perSample + 1, Number.NEGATIVE_INFINITY), y),
            ValidationError,
            /^X\[2, (step 0, )?'vibration'\] must be a finite number, got -Infinity$/,
            'fit with -Infinity',
          );
        } else {
          expectThrows(
            () => fresh().fit(withValue(X, 2 * perSample + 1, Number.NaN), y),
            ValidationError,
            /^X\[2, (step 0, )?'vibration'\] must be a finite number, got NaN$/,
            'fit with NaN',
          );
        }
        const model = fitted();
        expectThrows(
          () => model.predict(withValue(other.X, 0, Number.POSITIVE_INFINITY)),
          ValidationError,
          /^X\[0, (step 0, )?'temperature'\] must be a finite number, got Infinity$/,
          'predict with Infinity',
        );
        const badTargets = Float64Array.from(y);
        badTargets[3] = Number.NaN;
        expectThrows(
          () => fresh().fit(X, badTargets),
          ValidationError,
          /^y\[3\] must be a finite number/,
          'fit with NaN target',
        );
      },
    },
  ];
}

/**
 * The checks every streaming detector passes (River's `check_estimator` for anomaly detectors): options and state
 * survive a JSON round trip mid-stream with bit-identical scores, the same options give the same scores, scoring does
 * not learn, no look-ahead (a point's score does not depend on later points), an outlier scores higher than a typical
 * observation, and non-finite input is a ValidationError naming the field. Detectors of one metric see
 * `{ts, value}`; multivariate ones (`MultivariateDetector`) `{ts, metrics: {temperature, vibration}}`.
 */
export function streamingConformanceChecks(cls: StreamingDetectorClass, config: object): ConformanceCheck[] {
  const fresh = () => new (cls as unknown as new (options: object) => AnyStreaming)(config);
  const multivariate = fresh() instanceof MultivariateDetector;
  const point = (ts: number, temperature: number, vibration: number): StreamPoint | VectorPoint =>
    multivariate ? { ts, metrics: { temperature, vibration } } : { ts, value: temperature };
  const rng = new Rng(5);
  const start = Date.UTC(2026, 0, 5);
  // A two-hour cycle under the noise, so detectors of periodic behaviour find a period as well.
  const stream = Array.from({ length: 400 }, (_, i) =>
    point(start + i * 300_000, 70 + 2 * Math.sin((2 * Math.PI * i) / 24) + rng.normal(), 0.5 + 0.05 * rng.normal()),
  );
  const next = start + stream.length * 300_000;
  const learnAll = (detector: AnyStreaming, observations: readonly (StreamPoint | VectorPoint)[]) => {
    for (const x of observations) detector.learnOne(x);
    return detector;
  };
  const scores = (detector: AnyStreaming, observations: readonly (StreamPoint | VectorPoint)[]) =>
    Float64Array.from(observations, (x) => detector.scoreOne(x));
  const streamed = (detector: AnyStreaming, observations: readonly (StreamPoint | VectorPoint)[]) =>
    Float64Array.from(observations, (x) => detector.scoreThenLearn(x));
  const badField = multivariate ? "metric 'temperature'" : "'value'";

  return [
    {
      name: 'configRoundTrip',
      run: () => {
        const text = JSON.stringify(fresh().getConfig());
        const rebuilt = JSON.stringify(
          new (cls as unknown as new (options: object) => AnyStreaming)(JSON.parse(text) as object).getConfig(),
        );
        if (rebuilt !== text) throw new Error(`getConfig() does not round-trip: ${text} → ${rebuilt}`);
      },
    },
    {
      name: 'saveLoadRoundTrip',
      run: () => {
        const detector = learnAll(fresh(), stream.slice(0, 250));
        const loaded = cls.fromJSON(JSON.parse(JSON.stringify(detector.toJSON())) as AnyDetectorJSON);
        const rest = stream.slice(250);
        assertBitIdentical(scores(loaded, rest), scores(detector, rest), 'loaded detector scores');
        assertBitIdentical(streamed(loaded, rest), streamed(detector, rest), 'scores after learning on after loading');
      },
    },
    {
      name: 'sameSeedSameOutput',
      run: () => {
        assertBitIdentical(streamed(fresh(), stream), streamed(fresh(), stream), 'second detector');
      },
    },
    {
      name: 'scoringDoesNotLearn',
      run: () => {
        const scored = learnAll(fresh(), stream.slice(0, 200));
        const untouched = learnAll(fresh(), stream.slice(0, 200));
        const rest = stream.slice(200);
        const first = scores(scored, rest);
        assertBitIdentical(scores(scored, rest), first, 'scores of the same points scored again');
        assertBitIdentical(streamed(scored, rest), streamed(untouched, rest), 'scores after scoring without learning');
      },
    },
    {
      name: 'noLookAhead',
      run: () => {
        const full = streamed(fresh(), stream);
        const prefix = streamed(fresh(), stream.slice(0, 300));
        assertBitIdentical(prefix, full.subarray(0, 300), 'scores of a prefix');
      },
    },
    {
      name: 'outlierScoresHigher',
      run: () => {
        const detector = learnAll(fresh(), stream);
        const typical = detector.scoreOne(point(next, 70, 0.5));
        const outlier = detector.scoreOne(point(next, 95, 3));
        if (!(outlier > typical))
          throw new Error(`outlier scored ${outlier}, not above a typical reading's ${typical}`);
      },
    },
    {
      name: 'nonFiniteInputRejected',
      run: () => {
        expectThrows(
          () => fresh().learnOne(point(next, Number.NaN, 0.5)),
          ValidationError,
          new RegExp(`^point: ${badField} must be a finite number, got NaN$`),
          'learnOne with NaN',
        );
        expectThrows(
          () => fresh().scoreOne(point(next, Number.POSITIVE_INFINITY, 0.5)),
          ValidationError,
          new RegExp(`^point: ${badField} must be a finite number, got Infinity$`),
          'scoreOne with Infinity',
        );
      },
    },
  ];
}

/** The checks that apply to a model class with one option set (streaming detectors: `streamingConformanceChecks`). */
export function conformanceChecks(cls: ModelClass, config: object, registry: ModelRegistry): ConformanceCheck[] {
  const probe = createModel(cls, config);
  if (probe instanceof SupervisedModel) return supervisedChecks(cls, config, registry);
  throw new Error(
    `${cls.className} is not a SupervisedModel: the suite cannot check it (streaming detectors: streamingConformanceChecks)`,
  );
}
