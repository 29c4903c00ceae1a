import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { HalfSpaceTrees } from './half-space-trees.js';

const MINUTE = 60_000;

/** Temperature and current of one motor, strongly correlated, with N(0, 1) noise. */
function motor(count: number, seed: number) {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const load = rng.next();
    return { ts: i * MINUTE, metrics: { temperature: 40 + 20 * load + rng.normal(), current: 5 + 10 * load } };
  });
}

interface Masses {
  reference: number[];
  latest: number[];
  count: number;
}

describe('HalfSpaceTrees', () => {
  it('scores 0 until the first window is complete', () => {
    const detector = new HalfSpaceTrees({ windowSize: 50 });
    const points = motor(60, 1);
    const scores = points.map((point) => detector.scoreThenLearn(point));
    expect(scores.slice(0, 50).every((score) => score === 0)).toBe(true);
  });

  it('keeps node masses equal to a recount of the window: root = window size, each node = its two children', () => {
    const { trees, height, windowSize } = { trees: 3, height: 4, windowSize: 40 };
    const detector = new HalfSpaceTrees({ trees, height, windowSize });
    for (const point of motor(windowSize * 2 + 7, 2)) detector.learnOne(point);
    const state = detector.toJSON().state as unknown as Masses;
    const nodes = 2 ** (height + 1) - 1;
    const internal = 2 ** height - 1;
    for (let t = 0; t < trees; t++) {
      expect(state.reference[t * nodes]).toBe(windowSize);
      expect(state.latest[t * nodes]).toBe(7);
      for (let node = 0; node < internal; node++) {
        for (const masses of [state.reference, state.latest]) {
          expect(masses[t * nodes + node]).toBe(masses[t * nodes + 2 * node + 1] + masses[t * nodes + 2 * node + 2]);
        }
      }
    }
  });

  it('rates readings away from the data, or breaking the usual relation between metrics, above 90 % of typical ones', () => {
    const detector = new HalfSpaceTrees();
    for (const point of motor(1000, 3)) detector.learnOne(point);
    const typical = motor(50, 4)
      .map((point) => detector.scoreOne({ ts: 1000 * MINUTE, metrics: point.metrics }))
      .sort((a, b) => a - b);
    const percentile90 = typical[45];
    // Hot at almost no current (each value alone within its range), far too hot, far too much current.
    for (const metrics of [
      { temperature: 59, current: 5.5 },
      { temperature: 95, current: 10 },
      { temperature: 50, current: 40 },
    ]) {
      const score = detector.scoreOne({ ts: 1000 * MINUTE, metrics });
      expect(score).toBeGreaterThan(percentile90);
      expect(score).toBeGreaterThan(typical[25] + 1.5);
    }
  });
});
