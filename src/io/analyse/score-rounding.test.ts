import { describe, expect, it } from 'vitest';
import { roundScore } from './score-rounding.js';

describe('roundScore', () => {
  it('rounds to 4 decimals exactly as Python round() does, ties to even', () => {
    // /usr/bin/python3 -c "for v in [0.6745*0.010000000000000009/0.020000000000000018, 0.03125, 0.09375, 0.15625,
    //   1.03125, 2.675, 1.00005, 0.00005, 0.00015, 1.01175, 12345.67885, 123456.78905, 3e-5, 6.5e-5, 0.5, 7.0,
    //   1e12+0.00005, 2.5e15]: print(repr(round(v,4)))"
    const cases: [number, number][] = [
      [(0.6745 * 0.010000000000000009) / 0.020000000000000018, 0.3372],
      [0.03125, 0.0312],
      [0.09375, 0.0938],
      [0.15625, 0.1562],
      [1.03125, 1.0312],
      [2.675, 2.675],
      [1.00005, 1.0001],
      [0.00005, 0.0001],
      [0.00015, 0.0001],
      [1.01175, 1.0117],
      [12345.67885, 12345.6789],
      [123456.78905, 123456.7891],
      [3e-5, 0],
      [6.5e-5, 0.0001],
      [0.5, 0.5],
      [7, 7],
      [1e12 + 0.00005, 1e12],
      [2.5e15, 2.5e15],
    ];
    for (const [value, expected] of cases) expect(roundScore(value), String(value)).toBe(expected);
  });
});
