import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { streamingConformanceChecks } from '../checks/conformance.js';
import type { StreamPoint } from './base.js';
import {
  createDetector,
  createMultivariateDetector,
  detectorClass,
  detectorFromJSON,
  detectorNames,
  isMultivariate,
  scoreSeries,
} from './factory.js';

/**
 * One conformance suite over every registered detector (River's `check_estimator` for anomaly detectors): no
 * look-ahead, a JSON round trip mid-stream continues with identical scores, the same configuration gives the same
 * scores, scoring does not learn, and bad input is a ValidationError naming the field.
 */

const FIVE_MINUTES = 300_000;
const START = Date.UTC(2026, 0, 5);

/** Three thousand 5-minute points: a daily sine, noise rounded to 0.5 (so values repeat), a spike and a level shift. */
function syntheticSeries(): { timestamps: Float64Array; values: Float64Array } {
  const rng = new Rng(7);
  const count = 3000;
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    timestamps[i] = START + i * FIVE_MINUTES;
    const daily = 10 * Math.sin((2 * Math.PI * i) / 288);
    values[i] = Math.round((50 + daily + rng.normal()) * 2) / 2 + (i === 2500 ? 30 : 0) + (i >= 2700 ? 8 : 0);
  }
  return { timestamps, values };
}

const { timestamps, values } = syntheticSeries();

function detectorFor(name: string) {
  if (isMultivariate(name)) {
    const detector = createMultivariateDetector(name);
    return {
      detector,
      step: (i: number) => detector.scoreThenLearn({ ts: timestamps[i], metrics: { value: values[i] } }),
    };
  }
  const detector = createDetector(name);
  return { detector, step: (i: number) => detector.scoreThenLearn({ ts: timestamps[i], value: values[i] }) };
}

/**
 * Options for the shared suite where the defaults need more than its 400 points: the periodic detector scores only
 * after `learnPoints` points (600 by default).
 */
const suiteOptions: Record<string, object> = {
  periodic: { learnPoints: 200, maxPeriod: 60 },
};

describe.each(detectorNames())('shared streaming conformance suite: %s', (name) => {
  for (const check of streamingConformanceChecks(detectorClass(name), suiteOptions[name] ?? {})) {
    it(check.name, () => check.run());
  }
});

describe.each(detectorNames())('detector %s', (name) => {
  it('gives finite, non-negative scores (the default within [0, 1])', () => {
    const scores = scoreSeries(name, timestamps, values);
    for (const score of scores) {
      expect(Number.isFinite(score)).toBe(true);
      expect(score).toBeGreaterThanOrEqual(0);
      if (name === 'default') expect(score).toBeLessThanOrEqual(1);
    }
  });

  it('has no look-ahead: appending future points leaves earlier scores unchanged', () => {
    const full = scoreSeries(name, timestamps, values);
    const prefix = scoreSeries(name, timestamps.subarray(0, 2000), values.subarray(0, 2000));
    expect(Array.from(prefix)).toEqual(Array.from(full.subarray(0, 2000)));
  });

  it('continues with identical scores after a JSON round trip mid-stream', () => {
    const { detector, step } = detectorFor(name);
    for (let i = 0; i < 1500; i++) step(i);
    const restored = detectorFromJSON(JSON.parse(JSON.stringify(detector.toJSON())));
    expect(restored.constructor).toBe(detector.constructor);
    for (let i = 1500; i < values.length; i++) {
      const expected = step(i);
      const point = isMultivariate(name)
        ? { ts: timestamps[i], metrics: { value: values[i] } }
        : { ts: timestamps[i], value: values[i] };
      expect((restored as { scoreThenLearn(x: unknown): number }).scoreThenLearn(point)).toBe(expected);
    }
  });

  it('scores the same with a detector built from getConfig(), and batch equals one at a time', () => {
    const { detector, step } = detectorFor(name);
    const copy = isMultivariate(name)
      ? createMultivariateDetector(name, detector.getConfig())
      : createDetector(name, detector.getConfig());
    const batch = scoreSeries(name, timestamps, values, detector.getConfig());
    for (let i = 0; i < values.length; i++) {
      const point = isMultivariate(name)
        ? { ts: timestamps[i], metrics: { value: values[i] } }
        : { ts: timestamps[i], value: values[i] };
      const typed = copy as { scoreOne(x: unknown): number; learnOne(x: unknown): unknown };
      const scored = typed.scoreOne(point);
      expect(typed.scoreOne(point)).toBe(scored);
      typed.learnOne(point);
      expect(step(i)).toBe(scored);
      expect(batch[i]).toBe(scored);
    }
  });
});

describe('bad input', () => {
  it('names the field of a bad point', () => {
    const detector = createDetector('default');
    expect(() => detector.learnOne({ ts: 0, value: Number.NaN })).toThrow(ValidationError);
    expect(() => detector.learnOne({ ts: 0, value: Number.NaN })).toThrow(
      /^point: 'value' must be a finite number, got NaN$/,
    );
    expect(() => detector.scoreOne({ ts: Number.POSITIVE_INFINITY, value: 1 } as StreamPoint)).toThrow(
      /'ts' must be epoch milliseconds, got Infinity/,
    );
    const multivariate = createMultivariateDetector('mahalanobis');
    expect(() => multivariate.learnOne({ ts: 0, metrics: { temperature: Number.NaN } })).toThrow(
      /metric 'temperature' must be a finite number, got NaN/,
    );
  });

  it('rejects unknown detectors, unknown options and out-of-range options', () => {
    expect(() => createDetector('magic')).toThrow(/detector must be one of default, .*got "magic"/);
    expect(() => createDetector('ewma', { alhpa: 0.1 })).toThrow(/Ewma: unknown option 'alhpa'/);
    expect(() => createDetector('ewma', { alpha: 2 })).toThrow(/option 'alpha' must be a number in \[.*, 1\], got 2/);
    expect(() => createDetector('rolling-mzscore', { windowSize: 0 })).toThrow(/'windowSize' must be an integer/);
    expect(() => createDetector('default', { components: ['seasonal', 'oracle'] })).toThrow(/got 'oracle'/);
    expect(() => createDetector('mahalanobis')).toThrow(/use createMultivariateDetector/);
    expect(() => detectorFromJSON({ className: 'Nope', config: {}, state: {} })).toThrow(/unknown className "Nope"/);
  });

  it('rejects JSON of another class', async () => {
    const { Ewma } = await import('./ewma.js');
    const json = createDetector('cusum').toJSON();
    expect(() => Ewma.fromJSON(json)).toThrow(/className must be "Ewma", got "Cusum"/);
  });
});
