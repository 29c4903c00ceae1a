import { describeValue, ValidationError } from '../../core/errors.js';
import type { AnyDetectorJSON, StreamingDetector, StreamPoint, VectorPoint } from './base.js';
import { Cusum } from './cusum.js';
import { AnomalyEnsemble } from './ensemble.js';
import { Ewma } from './ewma.js';
import { HalfSpaceTrees } from './half-space-trees.js';
import { HoltResidual } from './holt-residual.js';
import { PageHinkley } from './page-hinkley.js';
import { Periodic } from './periodic.js';
import { RobustMahalanobis } from './robust-mahalanobis.js';
import { RollingModifiedZScore } from './rolling-modified-z-score.js';
import { Seasonal } from './seasonal.js';

/** A detector of one metric, whatever its class. */
export type AnyUnivariateDetector = StreamingDetector<StreamPoint, object, unknown>;
/** A detector of several metrics of one asset, whatever its class. */
export type AnyMultivariateDetector = StreamingDetector<VectorPoint, object, unknown>;

export interface DetectorFactory<TDetector> {
  readonly className: string;
  new (options?: object): TDetector;
  fromJSON(json: AnyDetectorJSON): TDetector;
}

/** Detector names as the CLI and API take them → classes. */
const UNIVARIATE: Record<string, DetectorFactory<AnyUnivariateDetector>> = {
  default: AnomalyEnsemble,
  'rolling-mzscore': RollingModifiedZScore,
  ewma: Ewma,
  cusum: Cusum,
  'page-hinkley': PageHinkley,
  seasonal: Seasonal,
  periodic: Periodic,
  'holt-residual': HoltResidual,
};

const MULTIVARIATE: Record<string, DetectorFactory<AnyMultivariateDetector>> = {
  mahalanobis: RobustMahalanobis,
  'half-space-trees': HalfSpaceTrees,
};

export const DEFAULT_DETECTOR = 'default';

/** Every detector name, the default first; multivariate ones last. */
export function detectorNames(): string[] {
  return [...Object.keys(UNIVARIATE), ...Object.keys(MULTIVARIATE)];
}

/** True for detectors that score several metrics of an asset together. */
export function isMultivariate(name: string): boolean {
  return Object.hasOwn(MULTIVARIATE, name);
}

function unknownName(name: unknown): ValidationError {
  return new ValidationError(`detector must be one of ${detectorNames().join(', ')}, got ${describeValue(name)}`);
}

/** The class registered under a detector name (for suites that run over every detector). */
export function detectorClass(
  name: string,
): DetectorFactory<AnyUnivariateDetector> | DetectorFactory<AnyMultivariateDetector> {
  if (Object.hasOwn(UNIVARIATE, name)) return UNIVARIATE[name];
  if (Object.hasOwn(MULTIVARIATE, name)) return MULTIVARIATE[name];
  throw unknownName(name);
}

/** A fresh single-metric detector by name, with the shared default configuration unless options are given. */
export function createDetector(name: string = DEFAULT_DETECTOR, options?: object): AnyUnivariateDetector {
  if (isMultivariate(name)) {
    throw new ValidationError(`detector '${name}' scores several metrics together: use createMultivariateDetector`);
  }
  if (!Object.hasOwn(UNIVARIATE, name)) throw unknownName(name);
  return new UNIVARIATE[name](options);
}

/** A fresh multi-metric detector by name. */
export function createMultivariateDetector(name = 'mahalanobis', options?: object): AnyMultivariateDetector {
  if (!Object.hasOwn(MULTIVARIATE, name)) throw unknownName(name);
  return new MULTIVARIATE[name](options);
}

/** Rebuilds any registered detector from its `toJSON()` output (or the JSON-parsed form of it). */
export function detectorFromJSON(json: AnyDetectorJSON): AnyUnivariateDetector | AnyMultivariateDetector {
  const className = (json as { className?: unknown } | null)?.className;
  const factory = [...Object.values(UNIVARIATE), ...Object.values(MULTIVARIATE)].find(
    (candidate) => candidate.className === className,
  );
  if (!factory) throw new ValidationError(`detector JSON: unknown className ${describeValue(className)}`);
  return factory.fromJSON(json);
}

/**
 * Scores one series with a fresh detector, each point before it is learned (no look-ahead). Multivariate detectors
 * see the series as their single metric `value`. O(n) detector steps.
 */
export function scoreSeries(
  name: string,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  options?: object,
): Float64Array {
  if (timestamps.length !== values.length) {
    throw new ValidationError(`timestamps has ${timestamps.length} points but values has ${values.length}`);
  }
  const scores = new Float64Array(values.length);
  if (isMultivariate(name)) {
    const detector = createMultivariateDetector(name, options);
    for (let i = 0; i < scores.length; i++) {
      scores[i] = detector.scoreThenLearn({ ts: timestamps[i], metrics: { value: values[i] } });
    }
    return scores;
  }
  const detector = createDetector(name, options);
  for (let i = 0; i < scores.length; i++) scores[i] = detector.scoreThenLearn({ ts: timestamps[i], value: values[i] });
  return scores;
}
