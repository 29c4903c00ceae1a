import { describe, expect, it } from 'vitest';
import { Frame, frameFromRows, inferColumn, numericColumn, parseNumberText } from './frame.js';

describe('parseNumberText', () => {
  it('reads decimal literals only', () => {
    expect(['42', ' -0.5 ', '.5', '+.5e-3', '1E6', '007'].map(parseNumberText)).toEqual([
      42, -0.5, 0.5, 0.0005, 1e6, 7,
    ]);
    for (const text of [
      '',
      ' ',
      '0x10',
      '0b1',
      '1_000',
      'Infinity',
      'NaN',
      '1e',
      '.',
      '1.2.3',
      '--1',
      '1e999',
      '4 2',
    ]) {
      expect(parseNumberText(text)).toBeUndefined();
    }
  });
});

describe('inferColumn', () => {
  it('reads numbers, including exponent notation, with missing tokens as NaN', () => {
    const column = inferColumn('torque', ['42.8', ' 1e3 ', '', 'NA', '-0.5', 'nan', null]);
    expect(column.kind).toBe('numeric');
    if (column.kind !== 'numeric') return;
    expect([...column.values]).toEqual([42.8, 1000, Number.NaN, Number.NaN, -0.5, Number.NaN, Number.NaN]);
    expect(column.boolean).toBe(false);
  });

  it('parses a whole column of True/False or yes/no words as 0/1', () => {
    const words = inferColumn('failed', ['True', 'false', 'TRUE', '', 'False']);
    expect(words).toMatchObject({ kind: 'numeric', boolean: true });
    if (words.kind === 'numeric') expect([...words.values]).toEqual([1, 0, 1, Number.NaN, 0]);
    const answers = inferColumn('serviced', ['yes', 'no', 'Yes']);
    if (answers.kind === 'numeric') expect([...answers.values]).toEqual([1, 0, 1]);
    else expect.fail('expected a numeric column');
    const json = inferColumn('flag', [true, false, null]);
    if (json.kind === 'numeric') expect([...json.values]).toEqual([1, 0, Number.NaN]);
    else expect.fail('expected a numeric column');
  });

  it('keeps a column with any non-numeric, non-boolean text as sorted categories with -1 for missing', () => {
    const column = inferColumn('Type', ['M', 'L', ' H ', '', 'L', 'M']);
    expect(column.kind).toBe('category');
    if (column.kind !== 'category') return;
    expect(column.levels).toEqual(['H', 'L', 'M']);
    expect([...column.codes]).toEqual([2, 1, 0, -1, 1, 2]);
  });

  it('treats numbers mixed with words or booleans mixed with numbers as text', () => {
    const mixed = inferColumn('id', ['001', '002', 'A03']);
    expect(mixed).toMatchObject({ kind: 'category', levels: ['001', '002', 'A03'] });
    const boolAndNumber = inferColumn('flag', ['true', '1']);
    expect(boolAndNumber.kind).toBe('category');
    expect(inferColumn('x', ['1', 'Infinity']).kind).toBe('category');
  });

  it('makes an all-missing column numeric NaN', () => {
    const column = inferColumn('empty', ['', 'NA']);
    expect(column.kind).toBe('numeric');
  });
});

describe('Frame', () => {
  const frame = new Frame([
    numericColumn('a', [1, 2, 3, 4]),
    inferColumn('b', ['x', 'y', 'x', '']),
    numericColumn('c', [10, 20, 30, 40]),
  ]);

  it('counts rows and lists names', () => {
    expect(frame.rowCount).toBe(4);
    expect(frame.names).toEqual(['a', 'b', 'c']);
  });

  it('selects and drops columns', () => {
    expect(frame.select(['c', 'a']).names).toEqual(['c', 'a']);
    expect(frame.drop(['b', 'nope']).names).toEqual(['a', 'c']);
    expect(() => frame.select(['zzz'])).toThrow(/column 'zzz' is not in the data/);
  });

  it('takes rows by index, keeping category levels', () => {
    const taken = frame.take([3, 0, 0]);
    expect(taken.rowCount).toBe(3);
    expect([...taken.numeric('a')]).toEqual([4, 1, 1]);
    expect(taken.value('b', 0)).toBeNull();
    expect(taken.value('b', 1)).toBe('x');
    expect(() => frame.take([4])).toThrow(/row index 4 at position 0 is outside 0..3/);
  });

  it('rejects unequal columns, duplicates, and numeric access to text', () => {
    expect(() => new Frame([numericColumn('a', [1]), numericColumn('b', [1, 2])])).toThrow(
      /column 'b' has 2 rows, expected 1/,
    );
    expect(() => new Frame([numericColumn('a', [1]), numericColumn('a', [2])])).toThrow(/'a' appears more than once/);
    expect(() => frame.numeric('b')).toThrow(/column 'b' must be numeric, got text such as "x"/);
  });
});

describe('frameFromRows', () => {
  it('unions keys in order of appearance, missing keys as missing values', () => {
    const frame = frameFromRows([
      { Type: 'L', torque: 40.1 },
      { torque: '42', wear: 3, broken: true },
      { Type: 'M', torque: null, broken: false },
    ]);
    expect(frame.names).toEqual(['Type', 'torque', 'wear', 'broken']);
    expect([...frame.numeric('torque')]).toEqual([40.1, 42, Number.NaN]);
    expect([...frame.numeric('wear')]).toEqual([Number.NaN, 3, Number.NaN]);
    expect([...frame.numeric('broken')]).toEqual([Number.NaN, 1, 0]);
    expect(frame.value('Type', 1)).toBeNull();
  });

  it('rejects rows that are not objects and nested values, naming the row', () => {
    expect(() => frameFromRows([{ a: 1 }, 5])).toThrow(/row 1: must be an object, got 5/);
    expect(() => frameFromRows([{ a: { b: 1 } }])).toThrow(/row 0: 'a' must be a string, number, boolean or null/);
  });
});
