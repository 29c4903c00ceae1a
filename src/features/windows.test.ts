import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataset } from '../../test/helpers/paths.js';
import { readCmapss } from '../io/cmapss.js';
import { rulTargets } from './rul-targets.js';
import { makeWindows, windowEnds } from './windows.js';

const TRAIN_FD001 = sharedDataset('cmapss', 'train_FD001.txt');

/** Unit with `rows` rows of two features [r, 10·r + unit] and target 100·unit + r. */
function unit(id: number, rows: number) {
  const values = new Float64Array(rows * 2);
  const targets = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    values[row * 2] = row;
    values[row * 2 + 1] = 10 * row + id;
    targets[row] = 100 * id + row;
  }
  return { unit: id, values, targets };
}

/** The batch as nested arrays: window → step → feature. */
function nested(batch: ReturnType<typeof makeWindows>): number[][][] {
  const result: number[][][] = [];
  for (let sample = 0; sample < batch.samples; sample++) {
    const steps: number[][] = [];
    for (let step = 0; step < batch.steps; step++) {
      const offset = (sample * batch.steps + step) * batch.features;
      steps.push(Array.from(batch.data.subarray(offset, offset + batch.features)));
    }
    result.push(steps);
  }
  return result;
}

describe('windowEnds', () => {
  it('aligns windows to the last row and steps back by the stride', () => {
    // 5 rows, length 3: ends 2, 3, 4 (stride 1); 4, 2 (stride 2); 4 only (stride 3, since 1 < 2)
    expect(windowEnds(5, { length: 3, stride: 1, lastOnly: false })).toEqual({ padding: 0, ends: [2, 3, 4] });
    expect(windowEnds(5, { length: 3, stride: 2, lastOnly: false })).toEqual({ padding: 0, ends: [2, 4] });
    expect(windowEnds(5, { length: 3, stride: 3, lastOnly: false })).toEqual({ padding: 0, ends: [4] });
    // 2 rows, length 3: one copy of row 0 in front, one window ending at padded position 2
    expect(windowEnds(2, { length: 3, stride: 1, lastOnly: false })).toEqual({ padding: 1, ends: [2] });
    expect(windowEnds(0, { length: 3, stride: 1, lastOnly: false })).toEqual({ padding: 0, ends: [] });
  });
});

describe('makeWindows', () => {
  it('cuts stride-1 windows with the target at the last step and the unit per window', () => {
    const batch = makeWindows([unit(1, 5)], 2, { length: 3 });
    expect(batch.samples).toBe(3);
    expect(batch.data).toBeInstanceOf(Float64Array);
    expect(nested(batch)).toEqual([
      [
        [0, 1],
        [1, 11],
        [2, 21],
      ],
      [
        [1, 11],
        [2, 21],
        [3, 31],
      ],
      [
        [2, 21],
        [3, 31],
        [4, 41],
      ],
    ]);
    // targets 100·1 + end row: 102, 103, 104
    expect(Array.from(batch.targets)).toEqual([102, 103, 104]);
    expect(Array.from(batch.units)).toEqual([1, 1, 1]);
    expect(Array.from(batch.endRows)).toEqual([2, 3, 4]);
  });

  it('pads a short unit at the front with its first row and keeps the longer unit end-aligned with a stride', () => {
    const batch = makeWindows([unit(1, 5), unit(2, 2)], 2, { length: 3, stride: 2, dtype: 'float32' });
    expect(batch.data).toBeInstanceOf(Float32Array);
    // unit 1 ends at rows 2 and 4; unit 2 (rows [0, 2], [1, 12]) → [row0, row0, row1]
    expect(nested(batch)).toEqual([
      [
        [0, 1],
        [1, 11],
        [2, 21],
      ],
      [
        [2, 21],
        [3, 31],
        [4, 41],
      ],
      [
        [0, 2],
        [0, 2],
        [1, 12],
      ],
    ]);
    expect(Array.from(batch.targets)).toEqual([102, 104, 201]);
    expect(Array.from(batch.units)).toEqual([1, 1, 2]);
    expect(Array.from(batch.endRows)).toEqual([2, 4, 1]);
  });

  it('gives one window per unit ending at its last row with lastOnly, NaN targets without targets', () => {
    const { targets: _, ...noTargets } = unit(3, 4);
    const batch = makeWindows([noTargets], 2, { length: 2, lastOnly: true });
    expect(nested(batch)).toEqual([
      [
        [2, 23],
        [3, 33],
      ],
    ]);
    expect(Number.isNaN(batch.targets[0])).toBe(true);
    expect(Array.from(batch.units)).toEqual([3]);
  });

  it('rejects bad options and ragged series', () => {
    expect(() => makeWindows([unit(1, 3)], 2, { length: 0 })).toThrow(
      /^window length must be a positive integer, got 0$/,
    );
    expect(() => makeWindows([unit(1, 3)], 2, { length: 2, stride: 1.5 })).toThrow(
      /^window stride must be a positive integer, got 1\.5$/,
    );
    expect(() => makeWindows([{ unit: 4, values: new Float64Array(5) }], 2, { length: 2 })).toThrow(
      /series\[0\] \(unit 4\): values length 5 is not a multiple of 2 features/,
    );
    expect(() =>
      makeWindows([{ unit: 4, values: new Float64Array(4), targets: new Float64Array(3) }], 2, { length: 2 }),
    ).toThrow(/series\[0\] \(unit 4\): has 3 targets for 2 rows/);
  });
});

if (!existsSync(TRAIN_FD001)) console.warn(`skipping C-MAPSS windows test: ${TRAIN_FD001} is absent`);

describe.skipIf(!existsSync(TRAIN_FD001))('windows of train_FD001.txt', () => {
  it('cuts 30-cycle windows with capped RUL targets', async () => {
    const data = await readCmapss(TRAIN_FD001);
    const series = data.units.map((unit) => ({
      unit: unit.unit,
      values: unit.values,
      targets: rulTargets(unit.cycles, unit.rulAtEnd),
    }));
    const batch = makeWindows(series, data.columns.length, { length: 30, dtype: 'float32' });
    // every unit has ≥ 128 cycles, so no padding: Σ(rows − 29) = 20631 − 100·29 = 17731 windows
    expect(batch.samples).toBe(17731);
    expect(batch.data.length).toBe(17731 * 30 * 24);
    // unit 1 (192 cycles): first window ends at cycle 30 → RUL 162, capped at 125; its last window → 0
    expect(batch.targets[0]).toBe(125);
    expect(batch.targets[162]).toBe(0);
    expect(batch.units[162]).toBe(1);
    expect(batch.units[163]).toBe(2);
    // first step of the first window is the file's first row, rounded to float32
    expect(batch.data[3]).toBe(Math.fround(518.67));
    const last = makeWindows(series, data.columns.length, { length: 30, lastOnly: true });
    expect(last.samples).toBe(100);
    expect(Array.from(last.targets).every((target) => target === 0)).toBe(true);
  });
});
