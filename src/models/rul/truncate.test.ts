import { describe, expect, it } from 'vitest';
import { parseCmapss, parseCmapssRul, withRul } from '../../io/cmapss.js';
import { formatCmapss, formatCmapssRul, truncateUnit, truncateUnits } from './truncate.js';

/** A C-MAPSS line: unit, cycle, then 24 values where s1 (the 4th value) carries `marker`. */
function line(unit: number, cycle: number, marker: number): string {
  const values = Array.from({ length: 24 }, (_, index) => (index === 3 ? marker : index));
  return [unit, cycle, ...values].join(' ');
}

/** Unit 1 with cycles 1..10, unit 2 with cycles 1..4, s1 = 100·unit + cycle. */
const TEXT = [
  ...Array.from({ length: 10 }, (_, index) => line(1, index + 1, 101 + index)),
  ...Array.from({ length: 4 }, (_, index) => line(2, index + 1, 201 + index)),
].join('\n');

describe('truncateUnit', () => {
  it('keeps the first rows and sets the RUL to the cycles cut off', () => {
    const data = parseCmapss(TEXT);
    const cut = truncateUnit(data.units[0], 7, data.columns.length);
    expect(Array.from(cut.cycles)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Failure at cycle 10, last kept cycle 7: 3 cycles left.
    expect(cut.rulAtEnd).toBe(3);
    expect(cut.values[6 * 24 + 3]).toBe(107);
    expect(cut.values.length).toBe(7 * 24);
  });

  it('adds the RUL a test unit already had', () => {
    const data = withRul(parseCmapss(TEXT), Float64Array.from([5, 0]));
    // Cut at cycle 4 of 10 with 5 left after cycle 10: 6 + 5.
    expect(truncateUnit(data.units[0], 4, 24).rulAtEnd).toBe(11);
  });

  it('rejects a keep outside the unit', () => {
    const data = parseCmapss(TEXT);
    expect(() => truncateUnit(data.units[1], 5, 24)).toThrow(/unit 2: keep must be a whole number from 1 to 4, got 5/);
    expect(() => truncateUnit(data.units[1], 0, 24)).toThrow(/keep must be/);
  });
});

describe('truncateUnits', () => {
  it('cuts every unit within its bounds, seeded, and the RUL pairs with the cut rows', () => {
    const data = parseCmapss(TEXT);
    const cut = truncateUnits(data, { seed: 3, minCycles: 5 });
    expect(cut.units.map((unit) => unit.unit)).toEqual([1, 2]);
    const [first, second] = cut.units;
    // Unit 1 (10 rows) keeps 5..9 rows; unit 2 (4 rows) keeps min(5, 3) = 3 rows.
    expect(first.cycles.length).toBeGreaterThanOrEqual(5);
    expect(first.cycles.length).toBeLessThanOrEqual(9);
    expect(first.rulAtEnd).toBe(10 - first.cycles.length);
    expect(second.cycles.length).toBe(3);
    expect(second.rulAtEnd).toBe(1);
    expect(cut.rowCount).toBe(first.cycles.length + 3);
    expect(truncateUnits(data, { seed: 3, minCycles: 5 })).toEqual(cut);
  });

  it('round-trips through the file formats: the test file and RUL file pair back line by line', () => {
    const cut = truncateUnits(parseCmapss(TEXT), { seed: 1, minCycles: 2 });
    const text = formatCmapss(cut);
    const rul = formatCmapssRul(cut);
    expect(rul).toBe(`${cut.units[0].rulAtEnd}\n${cut.units[1].rulAtEnd}\n`);
    const paired = withRul(parseCmapss(text), parseCmapssRul(rul));
    expect(paired.units.map((unit) => unit.rulAtEnd)).toEqual(cut.units.map((unit) => unit.rulAtEnd));
    expect(paired.units.map((unit) => Array.from(unit.cycles))).toEqual(
      cut.units.map((unit) => Array.from(unit.cycles)),
    );
    expect(Array.from(paired.units[1].values)).toEqual(Array.from(cut.units[1].values));
    expect(text.split('\n')[0]).toBe(line(1, 1, 101));
  });

  it('limits the true RUL with maxRul where the unit is long enough', () => {
    const data = parseCmapss(TEXT);
    for (let seed = 0; seed < 20; seed++) {
      const [first, second] = truncateUnits(data, { seed, minCycles: 2, maxRul: 3 }).units;
      // Unit 1 (10 rows) keeps 7..9 rows: RUL 1..3; unit 2 (4 rows) keeps 2..3 rows (minCycles 2 wins over maxRul).
      expect(first.rulAtEnd).toBeGreaterThanOrEqual(1);
      expect(first.rulAtEnd).toBeLessThanOrEqual(3);
      expect(second.cycles.length).toBeGreaterThanOrEqual(2);
    }
    expect(() => truncateUnits(data, { maxRul: 0 })).toThrow(/maxRul must be a number ≥ 1, got 0/);
  });

  it('rejects a bad minCycles', () => {
    expect(() => truncateUnits(parseCmapss(TEXT), { minCycles: 0 })).toThrow(
      /minCycles must be a positive integer, got 0/,
    );
  });
});
