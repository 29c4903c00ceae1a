import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataset } from '../../test/helpers/paths.js';
import { Rng } from '../core/rng.js';
import { readCmapss } from '../io/cmapss.js';
import { WINDOW_STATS, type WindowStatsOptions, windowStatistics } from './window-stats.js';
import { makeWindows, type UnitSeries } from './windows.js';

const TRAIN_FD001 = sharedDataset('cmapss', 'train_FD001.txt');

/** Plain recomputation over one window's values: two-pass moments, centred least squares, the EWMA recursion. */
function reference(window: number[], alpha: number): Record<string, number> {
  const count = window.length;
  let sum = 0;
  for (const value of window) sum += value;
  const mean = sum / count;
  let squares = 0;
  for (const value of window) squares += (value - mean) ** 2;
  const indexMean = (count - 1) / 2;
  let covariance = 0;
  let indexSquares = 0;
  for (let index = 0; index < count; index++) {
    covariance += (index - indexMean) * (window[index] - mean);
    indexSquares += (index - indexMean) ** 2;
  }
  let ewma = window[0];
  for (let index = 1; index < count; index++) ewma = alpha * window[index] + (1 - alpha) * ewma;
  return {
    mean,
    std: Math.sqrt(squares / count),
    min: Math.min(...window),
    max: Math.max(...window),
    last: window[count - 1],
    slope: count > 1 ? covariance / indexSquares : 0,
    ewma,
  };
}

/** Checks every statistic of every window against `reference` over the windows `makeWindows` cuts. */
function expectMatchesRecomputation(series: UnitSeries[], sensors: string[], options: WindowStatsOptions): number {
  const alpha = options.ewmaAlpha ?? 0.3;
  const stats = windowStatistics(series, sensors, options);
  const batch = makeWindows(series, sensors.length, options);
  expect(stats.rows).toBe(batch.samples);
  expect(Array.from(stats.units)).toEqual(Array.from(batch.units));
  expect(Array.from(stats.endRows)).toEqual(Array.from(batch.endRows));
  expect(Array.from(stats.targets)).toEqual(Array.from(batch.targets));
  let worst = 0;
  for (let sample = 0; sample < batch.samples; sample++) {
    for (let sensor = 0; sensor < sensors.length; sensor++) {
      const window: number[] = [];
      for (let step = 0; step < batch.steps; step++) {
        window.push(batch.data[(sample * batch.steps + step) * batch.features + sensor]);
      }
      const expected = reference(window, alpha);
      WINDOW_STATS.forEach((stat, offset) => {
        const got = stats.values[sample * stats.names.length + sensor * WINDOW_STATS.length + offset];
        const error = Math.abs(got - expected[stat]);
        worst = Math.max(worst, error);
        if (!(error <= 1e-10)) {
          expect.fail(`sample ${sample} ${sensors[sensor]}_${stat}: ${got} vs ${expected[stat]} (error ${error})`);
        }
      });
    }
  }
  return worst;
}

/** Units of random lengths (some shorter than the window) whose sensors drift around large offsets. */
function randomSeries(seed: number, units: number, sensors: number): UnitSeries[] {
  const rng = new Rng(seed);
  const offsets = [9050, 0.03, -2.5, 642];
  return Array.from({ length: units }, (_, index) => {
    const rows = 1 + rng.int(120);
    const values = new Float64Array(rows * sensors);
    for (let row = 0; row < rows; row++) {
      for (let sensor = 0; sensor < sensors; sensor++) {
        values[row * sensors + sensor] = offsets[sensor % offsets.length] + 0.05 * row + rng.normal();
      }
    }
    const targets = Float64Array.from({ length: rows }, (_, row) => rows - 1 - row);
    return { unit: index + 1, values, targets };
  });
}

describe('windowStatistics', () => {
  it('computes a hand-worked window', () => {
    const series = [{ unit: 7, values: Float64Array.of(1, 2, 4) }];
    const stats = windowStatistics(series, ['s2'], { length: 3, ewmaAlpha: 0.5 });
    expect(stats.names).toEqual(['s2_mean', 's2_std', 's2_min', 's2_max', 's2_last', 's2_slope', 's2_ewma']);
    expect(stats.rows).toBe(1);
    // /usr/bin/python3 -c "import numpy as np; y=np.array([1.,2,4]); print(y.mean(), y.std(), np.polyfit(np.arange(3),y,1)[0])"
    // → 2.3333333333333335 1.247219128924647 1.5000000000000004; EWMA α=0.5: 1 → 1.5 → 2.75
    const expected = [2.3333333333333335, 1.247219128924647, 1, 4, 4, 1.5, 2.75];
    for (const [index, value] of expected.entries()) expect(stats.values[index]).toBeCloseTo(value, 12);
    expect(Array.from(stats.units)).toEqual([7]);
  });

  it('names features sensor-major for the chosen statistics and pads short units like makeWindows', () => {
    const series = [{ unit: 1, values: Float64Array.of(5, 50, 7, 70), targets: Float64Array.of(1, 0) }];
    const stats = windowStatistics(series, ['a', 'b'], { length: 3, stats: ['min', 'last', 'mean'] });
    expect(stats.names).toEqual(['a_min', 'a_last', 'a_mean', 'b_min', 'b_last', 'b_mean']);
    // padded window of a: 5, 5, 7 → min 5, last 7, mean 17/3; of b: 50, 50, 70 → 50, 70, 170/3
    const expected = [5, 7, 17 / 3, 50, 70, 170 / 3];
    for (const [index, value] of expected.entries()) expect(stats.values[index]).toBeCloseTo(value, 12);
    expect(Array.from(stats.targets)).toEqual([0]);
  });

  it('matches a plain recomputation over every window (stride 1, several lengths)', () => {
    const series = randomSeries(11, 12, 4);
    const sensors = ['s9', 's16', 'x', 's3'];
    for (const length of [1, 2, 7, 30]) {
      const worst = expectMatchesRecomputation(series, sensors, { length });
      expect(worst).toBeLessThanOrEqual(1e-10);
    }
  });

  it('matches a plain recomputation with strides, lastOnly and other EWMA factors', () => {
    const series = randomSeries(5, 8, 3);
    const sensors = ['a', 'b', 'c'];
    expectMatchesRecomputation(series, sensors, { length: 15, stride: 4, ewmaAlpha: 0.05 });
    expectMatchesRecomputation(series, sensors, { length: 20, lastOnly: true, ewmaAlpha: 1 });
    expectMatchesRecomputation(series, sensors, { length: 9, stride: 2, ewmaAlpha: 0.9 });
  });

  it('rejects unknown statistics and bad factors', () => {
    const series = [{ unit: 1, values: Float64Array.of(1, 2) }];
    expect(() => windowStatistics(series, ['a'], { length: 2, ewmaAlpha: 0 })).toThrow(
      /^ewmaAlpha must be in \(0, 1\], got 0$/,
    );
    expect(() => windowStatistics(series, ['a'], { length: 2, stats: ['median' as unknown as 'mean'] })).toThrow(
      /stats: unknown statistic "median"/,
    );
    expect(() => windowStatistics(series, [], { length: 2 })).toThrow(/sensors: at least one sensor column/);
  });
});

if (!existsSync(TRAIN_FD001)) console.warn(`skipping C-MAPSS window statistics test: ${TRAIN_FD001} is absent`);

describe.skipIf(!existsSync(TRAIN_FD001))('window statistics of train_FD001.txt', () => {
  it('match a plain recomputation over all 30-cycle windows of the first 20 engines', async () => {
    const data = await readCmapss(TRAIN_FD001);
    const series = data.units.slice(0, 20).map((unit) => ({ unit: unit.unit, values: unit.values }));
    const worst = expectMatchesRecomputation(series, [...data.columns], { length: 30 });
    expect(worst).toBeLessThanOrEqual(1e-10);
  });
});
