/**
 * Train/test splits of row indices for validation: k-fold, stratified k-fold, group k-fold (a machine never on both
 * sides), time-ordered splits (train strictly before test) and a holdout. Every split returns row indices in
 * ascending order; shuffling uses the injected `Rng`, so a seed gives the same folds every time.
 */
import { describeValue, ValidationError } from '../core/errors.js';
import { Rng } from '../core/rng.js';

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

export interface ShuffleOptions {
  /** Random source; defaults to `new Rng(seed)`. */
  rng?: Rng;
  /** Seed used when no `rng` is given (default 0). */
  seed?: number;
}

export interface KFoldOptions extends ShuffleOptions {
  /** Number of folds (default 5). */
  folds?: number;
  /** Shuffle rows before assigning folds (default true). */
  shuffle?: boolean;
}

function rngOf(options: ShuffleOptions): Rng {
  return options.rng ?? new Rng(options.seed ?? 0);
}

function checkFolds(folds: number, rowCount: number, unit = 'rows'): void {
  if (!Number.isInteger(folds) || folds < 2) {
    throw new ValidationError(`folds must be an integer ≥ 2, got ${describeValue(folds)}`);
  }
  if (folds > rowCount)
    throw new ValidationError(`folds (${folds}) must not exceed the number of ${unit} (${rowCount})`);
}

function checkFraction(name: string, value: number): void {
  if (!(value > 0 && value < 1))
    throw new ValidationError(`${name} must be between 0 and 1, got ${describeValue(value)}`);
}

/** Folds from a fold number per row: fold k tests the rows assigned to k and trains on the rest. O(n·k). */
function foldsFromAssignment(assignment: Int32Array, folds: number): Fold[] {
  const sizes = new Int32Array(folds);
  for (let row = 0; row < assignment.length; row++) sizes[assignment[row] as number]++;
  const result: Fold[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const test = new Int32Array(sizes[fold] as number);
    const train = new Int32Array(assignment.length - (sizes[fold] as number));
    let testCount = 0;
    let trainCount = 0;
    for (let row = 0; row < assignment.length; row++) {
      if (assignment[row] === fold) test[testCount++] = row;
      else train[trainCount++] = row;
    }
    result.push({ train, test });
  }
  return result;
}

function foldFromMask(isTest: Uint8Array, usable?: Uint8Array): Fold {
  const train: number[] = [];
  const test: number[] = [];
  for (let row = 0; row < isTest.length; row++) {
    if (isTest[row]) test.push(row);
    else if (!usable || usable[row]) train.push(row);
  }
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/** Plain k-fold: fold sizes differ by at most one (sklearn `KFold`). O(n·k). */
export function kFold(rowCount: number, options: KFoldOptions = {}): Fold[] {
  const folds = options.folds ?? 5;
  checkFolds(folds, rowCount);
  const order = new Int32Array(rowCount);
  for (let row = 0; row < rowCount; row++) order[row] = row;
  if (options.shuffle ?? true) rngOf(options).shuffle(order);
  const assignment = new Int32Array(rowCount);
  let position = 0;
  for (let fold = 0; fold < folds; fold++) {
    const size = Math.floor(rowCount / folds) + (fold < rowCount % folds ? 1 : 0);
    for (let i = 0; i < size; i++) assignment[order[position++] as number] = fold;
  }
  return foldsFromAssignment(assignment, folds);
}

/** Class index per row, classes numbered in order of first appearance, and the class sizes. */
function encodeClasses(labels: ArrayLike<number>, name: string): { classOf: Int32Array; sizes: number[] } {
  const indexOf = new Map<number, number>();
  const sizes: number[] = [];
  const classOf = new Int32Array(labels.length);
  for (let row = 0; row < labels.length; row++) {
    const label = labels[row] as number;
    if (Number.isNaN(label)) throw new ValidationError(`${name}[${row}] is missing`);
    let index = indexOf.get(label);
    if (index === undefined) {
      index = sizes.length;
      indexOf.set(label, index);
      sizes.push(0);
    }
    sizes[index]++;
    classOf[row] = index;
  }
  return { classOf, sizes };
}

/**
 * Stratified k-fold: each class is spread over the folds so that every fold holds its share of each class to
 * within one row, and fold sizes differ by at most one (the allocation of sklearn `StratifiedKFold`). O(n·k).
 */
export function stratifiedKFold(labels: ArrayLike<number>, options: KFoldOptions = {}): Fold[] {
  const folds = options.folds ?? 5;
  checkFolds(folds, labels.length);
  const { classOf, sizes } = encodeClasses(labels, 'labels');
  // Deal the rows, sorted by class, round-robin to the folds: allocation[fold][class].
  const allocation = Array.from({ length: folds }, () => new Int32Array(sizes.length));
  let dealt = 0;
  sizes.forEach((size, classIndex) => {
    for (let i = 0; i < size; i++) (allocation[(dealt + i) % folds] as Int32Array)[classIndex]++;
    dealt += size;
  });
  const shuffle = options.shuffle ?? true;
  const rng = rngOf(options);
  const assignment = new Int32Array(labels.length);
  sizes.forEach((size, classIndex) => {
    const foldOfMember = new Int32Array(size);
    let position = 0;
    for (let fold = 0; fold < folds; fold++) {
      const count = (allocation[fold] as Int32Array)[classIndex] as number;
      for (let i = 0; i < count; i++) foldOfMember[position++] = fold;
    }
    if (shuffle) rng.shuffle(foldOfMember);
    let member = 0;
    for (let row = 0; row < labels.length; row++) {
      if (classOf[row] === classIndex) assignment[row] = foldOfMember[member++] as number;
    }
  });
  return foldsFromAssignment(assignment, folds);
}

export type GroupKeys = ArrayLike<number> | readonly string[];

/**
 * Group k-fold: all rows of a group (a machine, an engine) land in the same fold, so no group is ever on both
 * sides. Groups are placed largest first into the fold with the fewest rows so far (sklearn `GroupKFold`), which
 * balances fold sizes. Deterministic. O(n·k + G log G).
 */
export function groupKFold(groups: GroupKeys, options: { folds?: number } = {}): Fold[] {
  const folds = options.folds ?? 5;
  const groupOf = new Int32Array(groups.length);
  const indexOf = new Map<string | number, number>();
  const sizes: number[] = [];
  for (let row = 0; row < groups.length; row++) {
    const key = groups[row] as string | number;
    if (key === undefined || key === null || (typeof key === 'number' && Number.isNaN(key)) || key === '') {
      throw new ValidationError(`groups[${row}] is missing`);
    }
    let index = indexOf.get(key);
    if (index === undefined) {
      index = sizes.length;
      indexOf.set(key, index);
      sizes.push(0);
    }
    sizes[index]++;
    groupOf[row] = index;
  }
  checkFolds(folds, sizes.length, 'groups');
  const order = sizes.map((_, index) => index).sort((a, b) => (sizes[b] as number) - (sizes[a] as number) || a - b);
  const foldRows = new Float64Array(folds);
  const foldOfGroup = new Int32Array(sizes.length);
  for (const group of order) {
    let lightest = 0;
    for (let fold = 1; fold < folds; fold++)
      if ((foldRows[fold] as number) < (foldRows[lightest] as number)) lightest = fold;
    foldOfGroup[group] = lightest;
    foldRows[lightest] += sizes[group] as number;
  }
  const assignment = new Int32Array(groups.length);
  for (let row = 0; row < groups.length; row++) assignment[row] = foldOfGroup[groupOf[row] as number] as number;
  return foldsFromAssignment(assignment, folds);
}

/** Row indices sorted by time (stable), rejecting missing times. */
function sortByTime(times: ArrayLike<number>): Int32Array {
  const order = new Int32Array(times.length);
  for (let row = 0; row < times.length; row++) {
    if (!Number.isFinite(times[row])) {
      throw new ValidationError(`times[${row}] must be a finite number, got ${describeValue(times[row])}`);
    }
    order[row] = row;
  }
  return order.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
}

function checkGap(gap: number): void {
  if (!(Number.isFinite(gap) && gap >= 0))
    throw new ValidationError(`gap must be a number ≥ 0, got ${describeValue(gap)}`);
}

/**
 * Train on rows strictly earlier than `testStart − gap`, test on rows from `testStart` to before `testEnd`.
 */
function timeFold(times: ArrayLike<number>, testStart: number, testEnd: number, gap: number): Fold {
  const isTest = new Uint8Array(times.length);
  const usable = new Uint8Array(times.length);
  for (let row = 0; row < times.length; row++) {
    const time = times[row] as number;
    isTest[row] = time >= testStart && time < testEnd ? 1 : 0;
    usable[row] = time < testStart - gap ? 1 : 0;
  }
  return foldFromMask(isTest, usable);
}

export interface TimeSplitOptions {
  /** Share of rows (by time order) to test on (default 0.2). */
  testFraction?: number;
  /** Rows with time in [testStart − gap, testStart) are left out of training, in the units of `times` (default 0). */
  gap?: number;
}

/**
 * One time-ordered split: the latest `testFraction` of rows is the test set and every training row is strictly
 * earlier than every test row (rows sharing a time stay together, on the test side). O(n log n).
 */
export function timeOrderedSplit(times: ArrayLike<number>, options: TimeSplitOptions = {}): Fold {
  const testFraction = options.testFraction ?? 0.2;
  const gap = options.gap ?? 0;
  checkFraction('testFraction', testFraction);
  checkGap(gap);
  const order = sortByTime(times);
  if (order.length < 2) throw new ValidationError(`a time-ordered split needs at least 2 rows, got ${order.length}`);
  const cut = Math.min(order.length - 1, Math.max(1, Math.floor(order.length * (1 - testFraction))));
  const testStart = times[order[cut] as number] as number;
  return timeFold(times, testStart, Number.POSITIVE_INFINITY, gap);
}

export interface TimeSeriesFoldsOptions {
  /** Number of folds (default 5). */
  folds?: number;
  /** As in `timeOrderedSplit`. */
  gap?: number;
}

/**
 * Expanding-window time-series folds (like sklearn `TimeSeriesSplit`): rows sorted by time are cut into
 * folds + 1 blocks; fold i tests block i + 1 and trains on everything strictly earlier (less the gap). Block
 * boundaries never separate rows sharing a time. Blocks that vanish because of ties are skipped. O(n·k + n log n).
 */
export function timeSeriesFolds(times: ArrayLike<number>, options: TimeSeriesFoldsOptions = {}): Fold[] {
  const folds = options.folds ?? 5;
  const gap = options.gap ?? 0;
  checkGap(gap);
  if (!Number.isInteger(folds) || folds < 2) {
    throw new ValidationError(`folds must be an integer ≥ 2, got ${describeValue(folds)}`);
  }
  if (times.length < folds + 1) {
    throw new ValidationError(`${folds} time-series folds need at least ${folds + 1} rows, got ${times.length}`);
  }
  const order = sortByTime(times);
  const rowCount = order.length;
  const starts: number[] = [];
  for (let block = 1; block <= folds; block++) {
    // The first block gets the remainder, as in TimeSeriesSplit.
    const position = rowCount - (folds + 1 - block) * Math.floor(rowCount / (folds + 1));
    starts.push(times[order[position] as number] as number);
  }
  const result: Fold[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] as number;
    const end = i + 1 < starts.length ? (starts[i + 1] as number) : Number.POSITIVE_INFINITY;
    if (end <= start) continue;
    const fold = timeFold(times, start, end, gap);
    if (fold.train.length > 0 && fold.test.length > 0) result.push(fold);
  }
  return result;
}

export interface HoldoutOptions extends ShuffleOptions {
  /** Share of rows to test on (default 0.2); the test set has ceil(n × testFraction) rows, as in sklearn. */
  testFraction?: number;
  /** Class labels: keep each class's share in both sides (to within one row). */
  stratify?: ArrayLike<number>;
}

/** A random train/test holdout, optionally stratified (sklearn `train_test_split`). O(n). */
export function holdoutSplit(rowCount: number, options: HoldoutOptions = {}): Fold {
  const testFraction = options.testFraction ?? 0.2;
  checkFraction('testFraction', testFraction);
  const testCount = Math.ceil(rowCount * testFraction);
  if (testCount < 1 || testCount > rowCount - 1) {
    throw new ValidationError(`a holdout of ${testFraction} of ${rowCount} rows leaves one side empty`);
  }
  const rng = rngOf(options);
  const isTest = new Uint8Array(rowCount);
  if (!options.stratify) {
    const order = new Int32Array(rowCount);
    for (let row = 0; row < rowCount; row++) order[row] = row;
    rng.shuffle(order);
    for (let i = 0; i < testCount; i++) isTest[order[i] as number] = 1;
    return foldFromMask(isTest);
  }
  const labels = options.stratify;
  if (labels.length !== rowCount) {
    throw new ValidationError(`stratify must have one label per row (${rowCount}), got ${labels.length}`);
  }
  const { classOf, sizes } = encodeClasses(labels, 'stratify');
  // Largest-remainder allocation of the test rows to classes.
  const shares = sizes.map((size) => (size * testCount) / rowCount);
  const counts = shares.map(Math.floor);
  let remaining = testCount - counts.reduce((total, count) => total + count, 0);
  const byRemainder = shares
    .map((share, index) => ({ index, remainder: share - Math.floor(share) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (remaining === 0) break;
    counts[index]++;
    remaining--;
  }
  sizes.forEach((size, classIndex) => {
    const members = new Int32Array(size);
    let member = 0;
    for (let row = 0; row < rowCount; row++) if (classOf[row] === classIndex) members[member++] = row;
    rng.shuffle(members);
    for (let i = 0; i < (counts[classIndex] as number); i++) isTest[members[i] as number] = 1;
  });
  return foldFromMask(isTest);
}
