import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import {
  type Fold,
  groupKFold,
  holdoutSplit,
  kFold,
  stratifiedKFold,
  timeOrderedSplit,
  timeSeriesFolds,
} from './splits.js';

/** Each fold's train and test are disjoint, ascending and (unless rows are left out on purpose) cover every row. */
function expectPartition(fold: Fold, rowCount: number, covering = true): void {
  const seen = new Uint8Array(rowCount);
  for (const part of [fold.train, fold.test]) {
    for (let i = 0; i < part.length; i++) {
      const row = part[i] as number;
      if (i > 0) expect(row).toBeGreaterThan(part[i - 1] as number);
      expect(seen[row]).toBe(0);
      seen[row] = 1;
    }
  }
  if (covering) expect(fold.train.length + fold.test.length).toBe(rowCount);
}

/** The test sets of k-fold style folds are disjoint and together cover every row exactly once. */
function expectTestSetsCover(folds: Fold[], rowCount: number): void {
  const timesTested = new Int32Array(rowCount);
  for (const fold of folds) {
    expectPartition(fold, rowCount);
    for (const row of fold.test) timesTested[row]++;
  }
  expect([...timesTested].every((count) => count === 1)).toBe(true);
}

function count(labels: ArrayLike<number>, rows: Int32Array, label: number): number {
  let total = 0;
  for (const row of rows) if (labels[row] === label) total++;
  return total;
}

describe('kFold', () => {
  it('partitions rows into folds whose sizes differ by at most one, the same for a seed', () => {
    const folds = kFold(23, { folds: 5, seed: 7 });
    expectTestSetsCover(folds, 23);
    expect(folds.map((fold) => fold.test.length)).toEqual([5, 5, 5, 4, 4]);
    expect(kFold(23, { folds: 5, seed: 7 })).toEqual(folds);
    expect(kFold(23, { folds: 5, seed: 8 })).not.toEqual(folds);
    expect([...kFold(6, { folds: 3, shuffle: false })[1]!.test]).toEqual([2, 3]);
  });

  it('rejects fewer than 2 folds or more folds than rows', () => {
    expect(() => kFold(10, { folds: 1 })).toThrow(/folds must be an integer ≥ 2, got 1/);
    expect(() => kFold(3, { folds: 4 })).toThrow(/folds \(4\) must not exceed the number of rows \(3\)/);
  });
});

describe('stratifiedKFold', () => {
  it('deals each class evenly over the folds (hand case, no shuffle)', () => {
    const folds = stratifiedKFold([0, 0, 0, 1, 1, 1], { folds: 3, shuffle: false });
    expect(folds.map((fold) => [...fold.test])).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  it('keeps every class within ±1 of its share in every fold, with rare failures', () => {
    const rng = new Rng(3);
    const labels = Float64Array.from({ length: 517 }, () => {
      const u = rng.next();
      return u < 0.035 ? 1 : u < 0.1 ? 2 : 0;
    });
    const folds = stratifiedKFold(labels, { folds: 5, seed: 11 });
    expectTestSetsCover(folds, labels.length);
    const sizes = folds.map((fold) => fold.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const label of [0, 1, 2]) {
      const share = count(labels, Int32Array.from(labels.keys()), label) / 5;
      for (const fold of folds) {
        const inFold = count(labels, fold.test, label);
        expect(inFold).toBeGreaterThanOrEqual(Math.floor(share));
        expect(inFold).toBeLessThanOrEqual(Math.ceil(share));
      }
    }
    expect(stratifiedKFold(labels, { folds: 5, seed: 11 })).toEqual(folds);
  });
});

describe('groupKFold', () => {
  it('never puts a group on both sides and balances fold sizes (hand case)', () => {
    // group sizes a5 b4 c3 d3 e2 f1, largest first into the lightest fold:
    // a→0 (5), b→1 (4), c→2 (3), d→2 (6), e→1 (6), f→0 (6)
    const groups = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'c', 'c', 'c', 'd', 'd', 'd', 'e', 'e', 'f'];
    const folds = groupKFold(groups, { folds: 3 });
    expectTestSetsCover(folds, groups.length);
    expect(folds.map((fold) => fold.test.length)).toEqual([6, 6, 6]);
    expect(folds.map((fold) => [...new Set([...fold.test].map((row) => groups[row]))].sort())).toEqual([
      ['a', 'f'],
      ['b', 'e'],
      ['c', 'd'],
    ]);
  });

  it('keeps engines whole over many uneven groups', () => {
    const rng = new Rng(5);
    const engines: number[] = [];
    for (let engine = 1; engine <= 40; engine++) {
      const cycles = 50 + rng.int(250);
      for (let cycle = 0; cycle < cycles; cycle++) engines.push(engine);
    }
    const folds = groupKFold(Float64Array.from(engines), { folds: 5 });
    expectTestSetsCover(folds, engines.length);
    for (const fold of folds) {
      const trainEngines = new Set([...fold.train].map((row) => engines[row]));
      for (const row of fold.test) expect(trainEngines.has(engines[row] as number)).toBe(false);
    }
    const sizes = folds.map((fold) => fold.test.length);
    // Greedy placement leaves folds within one group's size (at most 299 rows) of each other.
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(300);
  });

  it('needs at least as many groups as folds, and no missing group', () => {
    expect(() => groupKFold(['a', 'a', 'b'], { folds: 3 })).toThrow(
      /folds \(3\) must not exceed the number of groups \(2\)/,
    );
    expect(() => groupKFold(['a', '', 'b'], { folds: 2 })).toThrow(/groups\[1\] is missing/);
  });
});

describe('timeOrderedSplit', () => {
  // Times out of order, with a tie at 50 straddling the 80% cut.
  const times = [30, 10, 50, 90, 20, 50, 70, 40, 60, 80];

  it('trains strictly before it tests, keeping tied times together', () => {
    const fold = timeOrderedSplit(times, { testFraction: 0.2 });
    expectPartition(fold, times.length);
    expect([...fold.test].map((row) => times[row]).sort((a, b) => a! - b!)).toEqual([80, 90]);
    const tied = timeOrderedSplit(times, { testFraction: 0.55 });
    // cut at sorted position 4 = time 50: both rows with time 50 are tested
    expect([...tied.test].map((row) => times[row]).sort((a, b) => a! - b!)).toEqual([50, 50, 60, 70, 80, 90]);
  });

  it('leaves a gap before the test period', () => {
    const fold = timeOrderedSplit(times, { testFraction: 0.2, gap: 15 });
    expectPartition(fold, times.length, false);
    const trainTimes = [...fold.train].map((row) => times[row] as number);
    // test starts at 80; training needs time < 80 − 15, so only the row at 70 is left out
    expect(Math.max(...trainTimes)).toBe(60);
    expect(fold.train.length + fold.test.length).toBe(9);
  });

  it('rejects a missing time, a bad fraction and a negative gap', () => {
    expect(() => timeOrderedSplit([1, Number.NaN])).toThrow(/times\[1\] must be a finite number, got NaN/);
    expect(() => timeOrderedSplit(times, { testFraction: 1 })).toThrow(/testFraction must be between 0 and 1, got 1/);
    expect(() => timeOrderedSplit(times, { gap: -1 })).toThrow(/gap must be a number ≥ 0, got -1/);
  });
});

describe('timeSeriesFolds', () => {
  it('expands the training window and tests the next block (like sklearn TimeSeriesSplit)', () => {
    // 12 rows, 3 folds: blocks of 3 starting at sorted positions 3, 6, 9
    const times = [11, 0, 10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    const folds = timeSeriesFolds(times, { folds: 3 });
    const asTimes = (rows: Int32Array) => [...rows].map((row) => times[row]).sort((a, b) => a! - b!);
    expect(folds.map((fold) => asTimes(fold.test))).toEqual([
      [3, 4, 5],
      [6, 7, 8],
      [9, 10, 11],
    ]);
    expect(folds.map((fold) => asTimes(fold.train).length)).toEqual([3, 6, 9]);
    const withGap = timeSeriesFolds(times, { folds: 3, gap: 2 });
    expect(withGap.map((fold) => Math.max(...asTimes(fold.train).map(Number)))).toEqual([0, 3, 6]);
    expect(() => timeSeriesFolds([1, 2, 3], { folds: 3 })).toThrow(/3 time-series folds need at least 4 rows, got 3/);
  });
});

describe('holdoutSplit', () => {
  it('tests ceil(n × fraction) rows, reproducibly for a seed', () => {
    const fold = holdoutSplit(101, { testFraction: 0.25, seed: 1 });
    expectPartition(fold, 101);
    expect(fold.test.length).toBe(26);
    expect(holdoutSplit(101, { testFraction: 0.25, seed: 1 })).toEqual(fold);
  });

  it('keeps class shares within one row when stratified', () => {
    const labels = Float64Array.from({ length: 1000 }, (_, row) => (row % 29 === 0 ? 1 : 0));
    const fold = holdoutSplit(labels.length, { testFraction: 0.3, stratify: labels, seed: 4 });
    expectPartition(fold, labels.length);
    expect(fold.test.length).toBe(300);
    const positives = count(labels, Int32Array.from(labels.keys()), 1);
    const tested = count(labels, fold.test, 1);
    expect(Math.abs(tested - positives * 0.3)).toBeLessThanOrEqual(1);
  });

  it('refuses a split that leaves a side empty', () => {
    expect(() => holdoutSplit(1, { testFraction: 0.5 })).toThrow(/leaves one side empty/);
    expect(() => holdoutSplit(3, { stratify: [0, 1] })).toThrow(/stratify must have one label per row \(3\), got 2/);
  });
});
