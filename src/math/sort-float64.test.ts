import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { sortFloat64 } from './sort-float64.js';

function expectSortedLikeBuiltIn(values: Float64Array): void {
  const expected = Float64Array.from(values).sort();
  sortFloat64(values);
  expect(Object.is(values[0], expected[0])).toBe(true);
  expect(Array.from(values)).toEqual(Array.from(expected));
}

describe('sortFloat64', () => {
  const rng = new Rng(11);

  it('sorts like Float64Array.prototype.sort: normal values of every sign and scale', () => {
    expectSortedLikeBuiltIn(Float64Array.from({ length: 50_000 }, () => rng.normal() * 10 ** (rng.int(40) - 20)));
  });

  it('keeps −0 before +0 and places infinities, subnormals and extremes', () => {
    const special = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1];
    const values = Float64Array.from({ length: 2_000 }, (_, i) => special[i % special.length]);
    expectSortedLikeBuiltIn(values);
    const zeros = values.filter((value) => value === 0);
    expect(Object.is(zeros[0], -0)).toBe(true);
    expect(Object.is(zeros[zeros.length - 1], 0)).toBe(true);
  });

  it('sorts runs that share their upper 32 bits: short ones and long ones', () => {
    // 1 + k·2⁻⁴⁰: identical upper words, distinct lower words, shuffled.
    const long = Float64Array.from({ length: 3_000 }, (_, k) => 1 + k * 2 ** -40);
    rng.shuffle(long);
    expectSortedLikeBuiltIn(long);
    const short = Float64Array.from({ length: 3_000 }, (_, k) => Math.floor(k / 7) + (k % 7) * 2 ** -40);
    rng.shuffle(short);
    expectSortedLikeBuiltIn(short);
  });

  it('sorts heavily repeated values, and arrays too small for the radix passes', () => {
    expectSortedLikeBuiltIn(Float64Array.from({ length: 10_000 }, () => rng.int(5) - 2));
    expectSortedLikeBuiltIn(Float64Array.of(3, -1, 2));
    expectSortedLikeBuiltIn(new Float64Array(0));
  });

  it('sorts a view inside a larger buffer without touching what lies around it', () => {
    const buffer = Float64Array.from({ length: 1_200 }, () => rng.normal());
    const before = Float64Array.from(buffer);
    const view = buffer.subarray(100, 1_100);
    const expected = Float64Array.from(view).sort();
    sortFloat64(view);
    expect(Array.from(view)).toEqual(Array.from(expected));
    expect(Array.from(buffer.subarray(0, 100))).toEqual(Array.from(before.subarray(0, 100)));
    expect(Array.from(buffer.subarray(1_100))).toEqual(Array.from(before.subarray(1_100)));
  });
});
