import { describeValue, ValidationError } from '../../core/errors.js';
import type { DetectorJSON, StreamingDetector, StreamPoint } from './base.js';
import { Cusum } from './cusum.js';
import { AnomalyEnsemble } from './ensemble.js';
import { Ewma } from './ewma.js';
import { HoltResidual } from './holt-residual.js';
import { PageHinkley } from './page-hinkley.js';
import { Periodic } from './periodic.js';
import { RollingModifiedZScore } from './rolling-modified-z-score.js';
import { Seasonal } from './seasonal.js';

/** A detector of one metric, whatever its class. */
export type AnyUnivariateDetector = StreamingDetector<StreamPoint, object, unknown>;

type UnivariateFactory = {
  readonly className: string;
  new (options?: object): AnyUnivariateDetector;
  fromJSON(json: DetectorJSON): AnyUnivariateDetector;
};

/** Detector names as the CLI and API take them → classes. */
const UNIVARIATE: Record<string, UnivariateFactory> = {
  default: AnomalyEnsemble,
  'rolling-mzscore': RollingModifiedZScore,
  ewma: Ewma,
  cusum: Cusum,
  'page-hinkley': PageHinkley,
  seasonal: Seasonal,
  periodic: Periodic,
  'holt-residual': HoltResidual,
};

export const DEFAULT_DETECTOR = 'default';

/** Names accepted by `createDetector`, the default first. */
export function detectorNames(): string[] {
  return [DEFAULT_DETECTOR, ...Object.keys(UNIVARIATE).filter((name) => name !== DEFAULT_DETECTOR)];
}

/** A fresh detector by name, with the shared default configuration unless options are given. */
export function createDetector(name: string = DEFAULT_DETECTOR, options?: object): AnyUnivariateDetector {
  const factory = UNIVARIATE[name];
  if (!factory) {
    throw new ValidationError(`detector must be one of ${detectorNames().join(', ')}, got ${describeValue(name)}`);
  }
  return new factory(options);
}

/** Rebuilds any registered detector from its `toJSON()` output. */
export function detectorFromJSON(json: DetectorJSON): AnyUnivariateDetector {
  const factory = Object.values(UNIVARIATE).find((candidate) => candidate.className === json?.className);
  if (!factory) throw new ValidationError(`detector JSON: unknown className ${describeValue(json?.className)}`);
  return factory.fromJSON(json);
}
