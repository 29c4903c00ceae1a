import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataset } from '../../test/helpers/paths.js';
import { NotFittedError, UnprocessableError } from '../core/errors.js';
import { readCmapss } from '../io/cmapss.js';
import { SensorNormaliser, type SensorNormaliserState } from './normalise-sensors.js';

const TRAIN_FD001 = sharedDataset('cmapss', 'train_FD001.txt');

/** Two operating conditions (op ≈ 0 and op ≈ 10) with sensor x centred at 2 and 102, and a constant column k. */
const conditionColumns = ['op', 'x', 'k'];
const conditionBlocks = [Float64Array.of(0.001, 1, 7, 10.003, 100, 7), Float64Array.of(-0.002, 3, 7, 9.998, 104, 7)];

describe('SensorNormaliser', () => {
  it('drops constant columns and z-scores the rest with one condition', () => {
    const columns = ['c', 'a', 'b'];
    const block = Float64Array.of(5, 1, 10, 5, 2, 10, 5, 3, 20, 5, 4, 20);
    const normaliser = new SensorNormaliser().fit([block], columns);
    expect(normaliser.toJSON().dropped).toEqual(['c']);
    const result = normaliser.transform(block, columns);
    expect(result.columns).toEqual(['a', 'b']);
    // /usr/bin/python3 -c "import numpy as np; a=np.array([1.,2,3,4]); print((a-a.mean())/a.std())"
    // → [-1.34164079 -0.4472136 0.4472136 1.34164079]; b = [10,10,20,20] → [-1 -1 1 1]
    const expected = [-1.3416407864998738, -1, -0.4472135954999579, -1, 0.4472135954999579, 1, 1.3416407864998738, 1];
    for (const [index, value] of expected.entries()) expect(result.values[index]).toBeCloseTo(value, 12);
    expect(Array.from(result.conditions)).toEqual([0, 0, 0, 0]);
  });

  it('accepts the columns in another order at transform time', () => {
    const normaliser = new SensorNormaliser().fit([Float64Array.of(1, 10, 2, 30)], ['a', 'b']);
    const straight = normaliser.transform(Float64Array.of(1, 10, 2, 30), ['a', 'b']);
    const swapped = normaliser.transform(Float64Array.of(10, 1, 30, 2), ['b', 'a']);
    expect(Array.from(swapped.values)).toEqual(Array.from(straight.values));
  });

  it('normalises each grid condition with its own mean and std, and maps unseen cells to the nearest', () => {
    const normaliser = new SensorNormaliser({ conditionColumns: ['op'], conditions: { method: 'grid', step: 1 } });
    normaliser.fit(conditionBlocks, conditionColumns);
    const state = normaliser.toJSON();
    expect(state.centres).toEqual([[0], [10]]);
    expect(state.dropped).toEqual(['k']);
    // condition 0: x = 1, 3 → mean 2, std 1; condition 10: x = 100, 104 → mean 102, std 2
    expect(state.means.map((row) => row[1])).toEqual([2, 102]);
    expect(state.stds.map((row) => row[1])).toEqual([1, 2]);
    const result = normaliser.transform(Float64Array.of(0.2, 4, 7, 9.4, 101, 7), conditionColumns);
    expect(Array.from(result.conditions)).toEqual([0, 1]);
    // x: (4 - 2) / 1 = 2, (101 - 102) / 2 = -0.5
    expect([result.values[1], result.values[3]]).toEqual([2, -0.5]);
  });

  it('finds the same conditions with k-means', () => {
    const normaliser = new SensorNormaliser({ conditionColumns: ['op'], conditions: { method: 'kmeans', k: 2 } });
    normaliser.fit(conditionBlocks, conditionColumns);
    const result = normaliser.transform(conditionBlocks[0], conditionColumns);
    // rows (op 0.001, x 1) and (op 10.003, x 100): op is z-scored within its condition too — condition 0 has
    // op 0.001, -0.002 (mean -0.0005, std 0.0015) → 1; condition 10 has 10.003, 9.998 (mean 10.0005, std 0.0025) → 1;
    // x → (1 - 2) / 1 = -1, (100 - 102) / 2 = -1
    const expected = [1, -1, 1, -1];
    for (const [index, value] of expected.entries()) expect(result.values[index]).toBeCloseTo(value, 9);
    expect(result.conditions[0]).not.toBe(result.conditions[1]);
    expect(() =>
      new SensorNormaliser({ conditionColumns: ['op'], conditions: { method: 'kmeans', k: 5 } }).fit(
        conditionBlocks,
        conditionColumns,
      ),
    ).toThrow(/conditions\.k = 5 exceeds the 4 distinct operating conditions/);
  });

  it('round-trips through JSON and replays identically', () => {
    const normaliser = new SensorNormaliser({ conditionColumns: ['op'], conditions: { method: 'kmeans', k: 2 } });
    normaliser.fit(conditionBlocks, conditionColumns);
    const state = JSON.parse(JSON.stringify(normaliser.toJSON())) as SensorNormaliserState;
    const loaded = SensorNormaliser.fromJSON(state);
    const probe = Float64Array.of(0.3, 2.5, 7, 10.2, 99, 7, 5.2, 50, 7);
    const before = normaliser.transform(probe, conditionColumns);
    const after = loaded.transform(probe, conditionColumns);
    expect(Array.from(after.values)).toEqual(Array.from(before.values));
    expect(Array.from(after.conditions)).toEqual(Array.from(before.conditions));
    expect(() => SensorNormaliser.fromJSON({ ...state, means: [] })).toThrow(/SensorNormaliser state: malformed/);
  });

  it('gives the same state when fitted twice', () => {
    const options = { conditionColumns: ['op'], conditions: { method: 'grid', step: 1 } as const };
    const once = new SensorNormaliser(options).fit(conditionBlocks, conditionColumns).toJSON();
    const normaliser = new SensorNormaliser(options).fit([Float64Array.of(50, 1, 2, 60, 3, 4)], conditionColumns);
    expect(normaliser.fit(conditionBlocks, conditionColumns).toJSON()).toEqual(once);
  });

  it('refuses to transform before fitting, and names missing columns and bad options', () => {
    expect(() => new SensorNormaliser().transform(Float64Array.of(1), ['a'])).toThrow(NotFittedError);
    const normaliser = new SensorNormaliser().fit([Float64Array.of(1, 10, 2, 30)], ['a', 'b']);
    expect(() => normaliser.transform(Float64Array.of(1, 2), ['a', 'z'])).toThrow(UnprocessableError);
    expect(() => normaliser.transform(Float64Array.of(1, 2), ['a', 'z'])).toThrow(
      /column 'b' is not among the columns/,
    );
    expect(() => new SensorNormaliser({ conditions: { method: 'grid', step: 1 } }).fit([], ['a'])).toThrow(
      /conditionColumns must name at least one column for method 'grid'/,
    );
    expect(() => new SensorNormaliser().fit([Float64Array.of(1, 2, 3)], ['a', 'b'])).toThrow(
      /blocks\[0\]: length 3 is not a multiple of 2 columns/,
    );
  });
});

if (!existsSync(TRAIN_FD001)) console.warn(`skipping C-MAPSS normalisation test: ${TRAIN_FD001} is absent`);

describe.skipIf(!existsSync(TRAIN_FD001))('normalising train_FD001.txt', () => {
  it('drops exactly the constant FD001 columns and leaves each kept column with mean 0 and std 1', async () => {
    const data = await readCmapss(TRAIN_FD001);
    const blocks = data.units.map((unit) => unit.values);
    const normaliser = new SensorNormaliser().fit(blocks, data.columns);
    // /usr/bin/python3 -c "import numpy as np; d=np.loadtxt('train_FD001.txt')[:,2:]; \
    //   n=['setting1','setting2','setting3']+['s%d'%i for i in range(1,22)]; print([c for c,s in zip(n,d.std(0)) if s<1e-9])"
    // → ['setting3', 's1', 's5', 's10', 's16', 's18', 's19'] (the next smallest std is setting2's 2.9e-4)
    expect(normaliser.toJSON().dropped).toEqual(['setting3', 's1', 's5', 's10', 's16', 's18', 's19']);
    expect(normaliser.toJSON().kept).toHaveLength(17);
    const transformed = blocks.map((block) => normaliser.transform(block, data.columns).values);
    const width = 17;
    for (let column = 0; column < width; column++) {
      let sum = 0;
      let squares = 0;
      for (const block of transformed) {
        for (let offset = column; offset < block.length; offset += width) {
          sum += block[offset];
          squares += block[offset] ** 2;
        }
      }
      expect(sum / data.rowCount).toBeCloseTo(0, 10);
      expect(squares / data.rowCount).toBeCloseTo(1, 10);
    }
    // FD001 has one operating condition: k-means with k = 1 gives the same result
    const oneCluster = new SensorNormaliser({
      conditionColumns: ['setting1', 'setting2', 'setting3'],
      conditions: { method: 'kmeans', k: 1 },
    }).fit(blocks, data.columns);
    expect(Array.from(oneCluster.transform(blocks[0], data.columns).values)).toEqual(Array.from(transformed[0]));
  });
});
