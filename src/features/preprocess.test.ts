import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Frame, frameFromRows, inferColumn, numericColumn } from '../io/frame.js';
import { type FeatureMatrix, Preprocessor } from './preprocess.js';

function rowsOf(matrix: FeatureMatrix): number[][] {
  return Array.from({ length: matrix.rows }, (_, row) => [
    ...matrix.data.subarray(row * matrix.cols, (row + 1) * matrix.cols),
  ]);
}

// temp 1 2 _ 5: median 2 → 1 2 2 5, mean 2.5, population std √(9/4) = 1.5
// Type L M L _: mode L; levels H? no — only L and M occur
const training = new Frame([
  numericColumn('id', [101, 102, 103, 104]),
  numericColumn('temp', [1, 2, Number.NaN, 5]),
  inferColumn('Type', ['L', 'M', 'L', '']),
  inferColumn('serviced', ['yes', 'no', 'no', 'no']),
  numericColumn('const', [7, 7, 7, 7]),
  numericColumn('failed', [0, 1, 0, 1]),
]);

describe('Preprocessor (hand-computed)', () => {
  const pipeline = new Preprocessor({ target: 'failed', drop: ['id'] }).fit(training);

  it('names output features: numeric by name, one-hot as column=level', () => {
    expect(pipeline.featureNames).toEqual(['temp', 'Type=L', 'Type=M', 'serviced', 'const']);
    expect(pipeline.inputColumns).toEqual(['temp', 'Type', 'serviced', 'const']);
  });

  it('imputes, one-hot encodes, standardises, and only centres a constant column', () => {
    // serviced 1 0 0 0: mean ¼, std √(3/16)
    const servicedStd = Math.sqrt(3 / 16);
    const matrix = pipeline.transform(training);
    expect(matrix.rows).toBe(4);
    expect(matrix.cols).toBe(5);
    const expected = [
      [(1 - 2.5) / 1.5, 1, 0, 0.75 / servicedStd, 0],
      [(2 - 2.5) / 1.5, 0, 1, -0.25 / servicedStd, 0],
      [(2 - 2.5) / 1.5, 1, 0, -0.25 / servicedStd, 0],
      [(5 - 2.5) / 1.5, 1, 0, -0.25 / servicedStd, 0],
    ];
    rowsOf(matrix).forEach((row, i) => {
      row.forEach((value, j) => {
        expect(value).toBeCloseTo(expected[i]![j]!, 14);
      });
    });
  });

  it('replays on new rows: any column order, extra columns ignored, unseen category all-zero, gaps filled', () => {
    const incoming = frameFromRows([
      { const: 7, serviced: 'yes', Type: 'H', temp: 4, comment: 'extra' },
      { const: 9, serviced: null, Type: null, temp: null },
    ]);
    const rows = rowsOf(pipeline.transform(incoming));
    const servicedStd = Math.sqrt(3 / 16);
    expect(rows[0]![0]).toBeCloseTo((4 - 2.5) / 1.5, 14);
    expect(rows[0]!.slice(1, 3)).toEqual([0, 0]);
    expect(rows[0]![3]).toBeCloseTo(0.75 / servicedStd, 14);
    expect(rows[1]![0]).toBeCloseTo((2 - 2.5) / 1.5, 14);
    expect(rows[1]!.slice(1, 3)).toEqual([1, 0]);
    // serviced missing → median 0
    expect(rows[1]![3]).toBeCloseTo(-0.25 / servicedStd, 14);
    expect(rows[1]![4]).toBe(2);
  });

  it('matches a one-row JSON batch whose text column reads as a boolean to the training words', () => {
    const trained = new Preprocessor({ standardize: false }).fit(
      new Frame([inferColumn('state', ['yes', 'no', 'unknown'])]),
    );
    expect(trained.featureNames).toEqual(['state=no', 'state=unknown', 'state=yes']);
    expect(rowsOf(trained.transform(frameFromRows([{ state: 'yes' }])))).toEqual([[0, 0, 1]]);
    const codes = new Preprocessor().fit(new Frame([inferColumn('code', ['1', '2', 'A'])]));
    expect(rowsOf(codes.transform(frameFromRows([{ code: 2 }])))).toEqual([[0, 1, 0]]);
  });

  it('names the missing column at prediction, and text in a numeric column', () => {
    const incomplete = frameFromRows([{ temp: 3, Type: 'L', serviced: 'no' }]);
    expect(() => pipeline.transform(incomplete)).toThrow(/^input is missing column 'const'$/);
    const wrong = frameFromRows([{ temp: 'hot', Type: 'L', serviced: 'no', const: 7 }]);
    expect(() => pipeline.transform(wrong)).toThrow(/column 'temp' must be numeric, got "hot" \(row 0\)/);
  });

  it('adds missing indicators only for columns with gaps in training', () => {
    const withIndicators = new Preprocessor({ target: 'failed', drop: ['id'], missingIndicator: true }).fit(training);
    expect(withIndicators.featureNames).toEqual([
      'temp',
      'temp_missing',
      'Type=L',
      'Type=M',
      'Type_missing',
      'serviced',
      'const',
    ]);
    const rows = rowsOf(withIndicators.transform(training));
    expect(rows.map((row) => row[1])).toEqual([0, 0, 1, 0]);
    expect(rows.map((row) => row[4])).toEqual([0, 0, 0, 1]);
  });

  it('encodes ordinally, with code −1 for an unseen category', () => {
    const ordinal = new Preprocessor({ encoding: 'ordinal', standardize: false }).fit(
      new Frame([inferColumn('grade', ['B', 'A', 'C', 'A'])]),
    );
    expect(ordinal.featureNames).toEqual(['grade']);
    expect(rowsOf(ordinal.transform(frameFromRows([{ grade: 'C' }, { grade: 'Z' }, { grade: null }])))).toEqual([
      [2],
      [-1],
      [0],
    ]);
    // standardised: codes 1 0 2 0 → mean ¾, std √(11/16)
    const scaled = new Preprocessor({ encoding: 'ordinal' }).fit(
      new Frame([inferColumn('grade', ['B', 'A', 'C', 'A'])]),
    );
    expect(scaled.transform(frameFromRows([{ grade: 'C' }])).data[0]).toBeCloseTo(1.25 / Math.sqrt(11 / 16), 14);
  });

  it('rejects an unknown drop column, an identifier-like text column, an empty column and use before fit', () => {
    expect(() => new Preprocessor({ drop: ['UID'] }).fit(training)).toThrow(/drop column 'UID' is not in the data/);
    const ids = new Frame([inferColumn('serial', ['a1', 'a2', 'a3'])]);
    expect(() => new Preprocessor({ maxLevels: 2 }).fit(ids)).toThrow(
      /column 'serial' has 3 distinct values, more than maxLevels 2/,
    );
    const empty = new Frame([numericColumn('gone', [Number.NaN, Number.NaN])]);
    expect(() => new Preprocessor().fit(empty)).toThrow(/column 'gone' has no values in the training data/);
    expect(() => new Preprocessor().transform(training)).toThrow(/Preprocessor is not fitted/);
  });

  it('keeps only the categories present in the training rows of a split', () => {
    const subset = new Preprocessor({ target: 'failed' }).fit(training.take([0, 2]));
    expect(subset.featureNames).toContain('Type=L');
    expect(subset.featureNames).not.toContain('Type=M');
  });
});

describe('Preprocessor serialisation', () => {
  it('restores from JSON to bit-identical output', () => {
    const pipeline = new Preprocessor({ target: 'failed', missingIndicator: true }).fit(training);
    const restored = Preprocessor.fromJSON(JSON.parse(JSON.stringify(pipeline.toJSON())));
    expect(restored.featureNames).toEqual(pipeline.featureNames);
    const incoming = frameFromRows([{ id: 1, temp: 3.3, Type: 'M', serviced: true, const: 7 }]);
    expect(restored.transform(incoming).data).toEqual(pipeline.transform(incoming).data);
    expect(restored.options.target).toBe('failed');
  });

  it('rejects a damaged state, naming where', () => {
    const state = new Preprocessor().fit(training).toJSON() as unknown as { steps: { scale: number }[] };
    (state.steps[0] as { scale: number }).scale = -1;
    expect(() => Preprocessor.fromJSON(state)).toThrow(/preprocessing state is invalid at 'steps.0.scale'/);
    expect(() => Preprocessor.fromJSON({ version: 2 })).toThrow(/preprocessing state is invalid/);
  });
});

interface PreprocessGolden {
  options: { target: string; missingIndicator: boolean };
  train: Record<string, string | number | null>[];
  test: Record<string, string | number | null>[];
  levels: string[];
  trainFeatures: number[][];
  testFeatures: number[][];
}

// Produced by scikit-learn 1.2.1 (SimpleImputer, MissingIndicator, StandardScaler, OneHotEncoder):
// /usr/bin/python3 test/fixtures/golden/preprocess.py > test/fixtures/golden/preprocess.json
const golden = JSON.parse(
  readFileSync(new URL('../../test/fixtures/golden/preprocess.json', import.meta.url), 'utf8'),
) as PreprocessGolden;

describe('agreement with scikit-learn (golden file)', () => {
  it('gives the same training and test matrices, including an unseen category', () => {
    const pipeline = new Preprocessor(golden.options).fit(frameFromRows(golden.train));
    expect(pipeline.featureNames).toEqual([
      'torque',
      'torque_missing',
      'speed',
      ...golden.levels.map((level) => `Type=${level}`),
      'Type_missing',
      'wear',
    ]);
    for (const [rows, expected] of [
      [golden.train, golden.trainFeatures],
      [golden.test, golden.testFeatures],
    ] as const) {
      const actual = rowsOf(pipeline.transform(frameFromRows(rows)));
      expect(actual.length).toBe(expected.length);
      actual.forEach((row, i) => {
        row.forEach((value, j) => {
          expect(Math.abs(value - expected[i]![j]!)).toBeLessThan(1e-12);
        });
      });
    }
  });
});
