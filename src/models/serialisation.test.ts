import { describe, expect, it } from 'vitest';
import { decodeState, encodeState } from './serialisation.js';

describe('state encoding', () => {
  it('round-trips typed arrays and special numbers bit for bit through JSON text', () => {
    const state = {
      weights: Float64Array.from([0.1 + 0.2, -0, Number.NaN, Number.POSITIVE_INFINITY, 5e-324, Number.MAX_VALUE]),
      counts: Int32Array.from([1, -2, 2147483647]),
      single: Float32Array.from([Math.fround(0.1)]),
      flags: Uint8Array.from([0, 255]),
      nested: { bias: -0, missing: Number.NaN, list: [1.5, Number.NEGATIVE_INFINITY] },
      name: 'pump',
      ok: true,
      nothing: null,
    };
    const decoded = decodeState(JSON.parse(JSON.stringify(encodeState(state)))) as typeof state;
    expect(new Uint8Array(decoded.weights.buffer)).toEqual(new Uint8Array(state.weights.buffer));
    expect(decoded.counts).toEqual(state.counts);
    expect(decoded.single).toEqual(state.single);
    expect(decoded.flags).toEqual(state.flags);
    expect(Object.is(decoded.nested.bias, -0)).toBe(true);
    expect(decoded.nested.missing).toBeNaN();
    expect(decoded.nested.list).toEqual([1.5, Number.NEGATIVE_INFINITY]);
    expect(decoded.name).toBe('pump');
    expect(decoded.ok).toBe(true);
    expect(decoded.nothing).toBeNull();
  });

  it('encodes a subarray view without the rest of its buffer', () => {
    const view = Float64Array.from([1, 2, 3, 4]).subarray(1, 3);
    expect(decodeState(encodeState(view))).toEqual(Float64Array.from([2, 3]));
  });

  it('rejects malformed tags with the path of the bad field', () => {
    expect(() => decodeState({ coefficients: { $float64: 'AAA=' } })).toThrow(
      /^state\.coefficients: \$float64 data has 2 bytes, not a multiple of 8$/,
    );
    expect(() => decodeState({ bias: { $number: 'big' } })).toThrow(/^state\.bias: unknown \$number value "big"$/);
  });
});
