import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDataset } from '../../test/helpers/paths.js';
import { CMAPSS_COLUMNS, parseCmapss, parseCmapssRul, readCmapss, withRul } from './cmapss.js';

const TRAIN_FD001 = sharedDataset('cmapss', 'train_FD001.txt');

/** A C-MAPSS line: unit, cycle, then 24 values `base + column index` (trailing spaces as in NASA's files). */
function line(unit: number, cycle: number, base: number): string {
  const values = Array.from({ length: 24 }, (_, column) => (base + column).toFixed(4));
  return `${unit} ${cycle} ${values.join(' ')}  `;
}

describe('parseCmapss', () => {
  it('splits rows into units with cycles and a row-major value matrix', () => {
    const text = [line(1, 1, 0), line(1, 2, 100), line(1, 3, 200), line(2, 1, 1000), line(2, 2, 2000), ''].join('\n');
    const data = parseCmapss(text);
    expect(data.columns).toEqual(CMAPSS_COLUMNS);
    expect(data.columns.slice(0, 4)).toEqual(['setting1', 'setting2', 'setting3', 's1']);
    expect(data.columns[23]).toBe('s21');
    expect(data.rowCount).toBe(5);
    expect(data.units.map((unit) => unit.unit)).toEqual([1, 2]);
    expect(Array.from(data.units[0].cycles)).toEqual([1, 2, 3]);
    expect(data.units[0].values.length).toBe(3 * 24);
    // row 1 (cycle 2) column 5 (s3) = 100 + 5
    expect(data.units[0].values[24 + 5]).toBe(105);
    expect(data.units[1].values[24 + 23]).toBe(2023);
    expect(data.units.every((unit) => unit.rulAtEnd === 0)).toBe(true);
  });

  it('reads CRLF line ends and tabs', () => {
    const data = parseCmapss(`${line(3, 1, 0).replaceAll(' ', '\t')}\r\n${line(3, 2, 1)}\r\n`);
    expect(data.units).toHaveLength(1);
    expect(data.units[0].unit).toBe(3);
    expect(data.units[0].values[24]).toBe(1);
  });

  it('names the line and field of bad input', () => {
    expect(() => parseCmapss('1 1 2 3\n', 'f.txt')).toThrow(
      /^f\.txt line 1: expected 26 space-separated numbers, got 4$/,
    );
    expect(() => parseCmapss(line(1, 1, 0).replace('3.0000', 'x'), 'f.txt')).toThrow(
      /^f\.txt line 1: 's1' must be a finite number, got "x"$/,
    );
    expect(() => parseCmapss(`${line(1, 1, 0)}\n${line(1, 1, 0)}`, 'f.txt')).toThrow(
      /f\.txt line 2: 'cycle' of unit 1 must increase, got 1 after 1/,
    );
    expect(() => parseCmapss(`${line(1, 1, 0)}\n${line(2, 1, 0)}\n${line(1, 2, 0)}`, 'f.txt')).toThrow(
      /f\.txt line 3: rows of unit 1 must be contiguous/,
    );
    expect(() => parseCmapss(line(0, 1, 0), 'f.txt')).toThrow(/'unit' must be a positive integer, got 0/);
    expect(() => parseCmapss('\n\n', 'f.txt')).toThrow(/f\.txt: no rows/);
  });
});

describe('RUL files', () => {
  it('pairs line i with the i-th unit', () => {
    const data = parseCmapss([line(1, 1, 0), line(2, 1, 0), line(2, 2, 0)].join('\n'));
    const paired = withRul(data, parseCmapssRul('112\n98\n'));
    expect(paired.units.map((unit) => unit.rulAtEnd)).toEqual([112, 98]);
    expect(data.units[0].rulAtEnd).toBe(0);
  });

  it('rejects bad values and count mismatches', () => {
    expect(() => parseCmapssRul('10\n-1\n', 'RUL.txt')).toThrow(
      /^RUL\.txt line 2: RUL must be a non-negative number, got "-1"$/,
    );
    const data = parseCmapss(line(1, 1, 0));
    expect(() => withRul(data, Float64Array.of(1, 2), 'RUL.txt')).toThrow(
      /RUL\.txt: has 2 RUL values but the data has 1 units/,
    );
  });

  it('reads a test file and its RUL file from disk', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cmapss-'));
    try {
      writeFileSync(join(folder, 'test.txt'), [line(1, 1, 0), line(1, 2, 0), line(2, 1, 0)].join('\n'));
      writeFileSync(join(folder, 'RUL.txt'), '7\n31\n');
      const data = await readCmapss(join(folder, 'test.txt'), join(folder, 'RUL.txt'));
      expect(data.units.map((unit) => [unit.unit, unit.cycles.length, unit.rulAtEnd])).toEqual([
        [1, 2, 7],
        [2, 1, 31],
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

if (!existsSync(TRAIN_FD001)) console.warn(`skipping C-MAPSS data tests: ${TRAIN_FD001} is absent`);

describe.skipIf(!existsSync(TRAIN_FD001))('train_FD001.txt on disk', () => {
  it('has 100 units, 20,631 rows and each unit runs from cycle 1 to its failure', async () => {
    const data = await readCmapss(TRAIN_FD001);
    // /usr/bin/python3 -c "import numpy as np; d=np.loadtxt('train_FD001.txt'); \
    //   mx=[int(d[d[:,0]==u,1].max()) for u in range(1,101)]; print(d.shape, mx[:3], mx[-1], min(mx), max(mx))"
    // → (20631, 26) [192, 287, 179] 200 128 362
    expect(data.units).toHaveLength(100);
    expect(data.rowCount).toBe(20631);
    const maxCycles = data.units.map((unit) => unit.cycles[unit.cycles.length - 1]);
    expect(maxCycles.slice(0, 3)).toEqual([192, 287, 179]);
    expect(maxCycles[99]).toBe(200);
    expect(Math.min(...maxCycles)).toBe(128);
    expect(Math.max(...maxCycles)).toBe(362);
    expect(data.units.map((unit) => unit.unit)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    // cycles are 1..max with no gaps, so the row count per unit equals its max cycle
    expect(data.units.every((unit) => unit.cycles.length === unit.cycles[unit.cycles.length - 1])).toBe(true);
    // first row of the file: "1 1 -0.0007 -0.0004 100.0 518.67 641.82 …"
    expect(Array.from(data.units[0].values.subarray(0, 5))).toEqual([-0.0007, -0.0004, 100, 518.67, 641.82]);
  });
});
