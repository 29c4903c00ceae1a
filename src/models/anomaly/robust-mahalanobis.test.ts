import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { RobustMahalanobis } from './robust-mahalanobis.js';

/** Correlated pairs: b follows a closely; values rounded to 0.1 so some repeat. */
function correlatedPairs(count: number, seed: number): Array<{ a: number; b: number }> {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const a = rng.normal();
    return { a: Math.round(a * 10) / 10, b: Math.round((0.8 * a + 0.3 * rng.normal()) * 10) / 10 };
  });
}

describe('RobustMahalanobis', () => {
  it('equals √(d²/p) under the running mean and population covariance recomputed from the past (rel tol 1e-9)', () => {
    // Tiny alpha: the first 1/α weights are 1/n, i.e. plain running estimates; a huge cut-off disables Huber weights.
    const detector = new RobustMahalanobis({ alpha: 1e-4, huberCutoff: 1e9, minCount: 10, ridge: 1e-6 });
    const data = correlatedPairs(200, 4);
    for (let t = 0; t < data.length; t++) {
      const score = detector.scoreThenLearn({ ts: t, metrics: data[t] });
      if (t < 10) {
        expect(score).toBe(0);
        continue;
      }
      const past = data.slice(0, t);
      const meanA = past.reduce((s, p) => s + p.a, 0) / t;
      const meanB = past.reduce((s, p) => s + p.b, 0) / t;
      let saa = 0;
      let sab = 0;
      let sbb = 0;
      for (const p of past) {
        saa += (p.a - meanA) ** 2 / t;
        sab += ((p.a - meanA) * (p.b - meanB)) / t;
        sbb += (p.b - meanB) ** 2 / t;
      }
      const ridge = (1e-6 * (saa + sbb)) / 2;
      const [caa, cbb] = [saa + ridge, sbb + ridge];
      const determinant = caa * cbb - sab * sab;
      const [da, db] = [data[t].a - meanA, data[t].b - meanB];
      const squared = (cbb * da * da - 2 * sab * da * db + caa * db * db) / determinant;
      const expected = Math.sqrt(squared / 2);
      expect(Math.abs(score - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, expected));
    }
  });

  it('flags a point that breaks the correlation even though each metric alone is ordinary', () => {
    const detector = new RobustMahalanobis();
    correlatedPairs(2000, 5).forEach((metrics, t) => {
      detector.learnOne({ ts: t, metrics });
    });
    const together = detector.scoreOne({ ts: 2000, metrics: { a: 1.5, b: 1.2 } });
    const apart = detector.scoreOne({ ts: 2000, metrics: { a: 1.5, b: -1.2 } });
    expect(together).toBeLessThan(1.5);
    expect(apart).toBeGreaterThan(4);
  });

  it('lets a burst of outliers move the baseline less than plain exponential weighting would', () => {
    const robust = new RobustMahalanobis({ alpha: 0.05 });
    const plain = new RobustMahalanobis({ alpha: 0.05, huberCutoff: 1e9 });
    const data = correlatedPairs(500, 6);
    for (const detector of [robust, plain]) {
      data.forEach((metrics, t) => {
        detector.learnOne({ ts: t, metrics });
      });
      for (let t = 0; t < 10; t++) detector.learnOne({ ts: 500 + t, metrics: { a: 30, b: 30 } });
    }
    const normal = { ts: 600, metrics: { a: 0, b: 0 } };
    expect(robust.scoreOne(normal)).toBeLessThan(plain.scoreOne(normal));
    expect(robust.scoreOne(normal)).toBeLessThan(1);
  });

  it('fixes its metrics at the first point, imputes missing ones and reads a bare value', () => {
    const detector = new RobustMahalanobis({ minCount: 3 });
    for (let t = 0; t < 10; t++) detector.learnOne({ ts: t, metrics: { b: t % 3, a: t % 2 } });
    expect(detector.metrics).toEqual(['a', 'b']);
    // b missing → imputed at its mean → only a's deviation counts; an unknown metric is ignored.
    expect(detector.scoreOne({ ts: 10, metrics: { a: 0.5, c: 99 } })).toBeLessThan(1);
    const single = new RobustMahalanobis({ minCount: 3 });
    for (let t = 0; t < 10; t++) single.learnOne({ ts: t, value: t % 2 } as never);
    expect(single.metrics).toEqual(['value']);
  });
});
