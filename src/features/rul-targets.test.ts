import { describe, expect, it } from 'vitest';
import { DEFAULT_RUL_CAP, rulTargets, unitRulTargets } from './rul-targets.js';

describe('rulTargets', () => {
  it('counts cycles to failure for a training unit and caps them', () => {
    const cycles = Float64Array.of(1, 2, 3, 4, 5);
    // last cycle 5: RUL = 5 - cycle → 4, 3, 2, 1, 0; capped at 3 → 3, 3, 2, 1, 0
    expect(Array.from(rulTargets(cycles, 0, { cap: 3 }))).toEqual([3, 3, 2, 1, 0]);
    expect(Array.from(rulTargets(cycles, 0, { cap: Number.POSITIVE_INFINITY }))).toEqual([4, 3, 2, 1, 0]);
  });

  it('offsets a test unit by the RUL at its last cycle', () => {
    // RUL file says 10 at cycle 5 → 14, 13, 12, 11, 10; cap 12 → 12, 12, 12, 11, 10
    const cycles = Float64Array.of(1, 2, 3, 4, 5);
    expect(Array.from(rulTargets(cycles, 10))).toEqual([14, 13, 12, 11, 10]);
    expect(Array.from(rulTargets(cycles, 10, { cap: 12 }))).toEqual([12, 12, 12, 11, 10]);
  });

  it('defaults the cap to 125 and counts the cycles in a gap', () => {
    expect(DEFAULT_RUL_CAP).toBe(125);
    const long = Float64Array.from({ length: 200 }, (_, index) => index + 1);
    const targets = rulTargets(long);
    // cycle 1 of 200 → 199, capped at 125; cycle 76 → 124
    expect(targets[0]).toBe(125);
    expect(targets[74]).toBe(125);
    expect(targets[75]).toBe(124);
    expect(targets[199]).toBe(0);
    expect(Array.from(rulTargets(Float64Array.of(1, 2, 5)))).toEqual([4, 3, 0]);
    expect(rulTargets(new Float64Array(0)).length).toBe(0);
  });

  it('maps several histories and rejects bad caps and offsets', () => {
    const targets = unitRulTargets(
      [
        { cycles: Float64Array.of(1, 2), rulAtEnd: 0 },
        { cycles: Float64Array.of(1, 2, 3), rulAtEnd: 5 },
      ],
      { cap: 6 },
    );
    expect(targets.map((item) => Array.from(item))).toEqual([
      [1, 0],
      [6, 6, 5],
    ]);
    expect(() => rulTargets(Float64Array.of(1), 0, { cap: 0 })).toThrow(/^cap must be a positive number, got 0$/);
    expect(() => rulTargets(Float64Array.of(1), 0, { cap: Number.NaN })).toThrow(
      /cap must be a positive number, got NaN/,
    );
    expect(() => rulTargets(Float64Array.of(1), -2)).toThrow(/^rulAtEnd must be a non-negative number, got -2$/);
  });
});
