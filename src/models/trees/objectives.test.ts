import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { binaryLogistic, sigmoid, softmax, squaredError } from './objectives.js';

describe('binary logistic gradients', () => {
  it('give σ(z) to within a few ulp of Math.exp over the whole range of margins', () => {
    const rng = new Rng(3);
    const margins: number[] = [0, -0, 1e-300, -1e-300, 1e-9, -1e-9, 0.5, -0.5, 36, -36, 700, -700, 744, -744, 745];
    margins.push(-745.2, 746, -746, 800, -800, 1e6, -1e6);
    for (let i = 0; i < 20_000; i++) margins.push(rng.normal() * 10 ** rng.int(3));
    const rows = margins.length;
    // Label 0 and weight 1: the gradient is σ(z) itself. Written to doubles here to check the arithmetic before
    // training stores it in single precision (the function writes to whatever array it is given).
    const pairs = [new Float64Array(2 * rows) as unknown as Float32Array];
    binaryLogistic.gradientRange(
      Float64Array.from(margins),
      new Float64Array(rows),
      new Float64Array(rows).fill(1),
      pairs,
      0,
      rows,
    );
    let worst = 0;
    for (let i = 0; i < rows; i++) {
      const expected = sigmoid(margins[i]);
      const error = Math.abs(pairs[0][2 * i] - expected);
      worst = Math.max(worst, expected === 0 ? error / Number.MIN_VALUE : error / expected);
    }
    expect(worst).toBeLessThan(4 * Number.EPSILON);
    expect(pairs[0][2 * margins.indexOf(-1e6)]).toBe(0);
    expect(pairs[0][2 * margins.indexOf(1e6)]).toBe(1);
  });

  it('weigh p − y and the floored p(1 − p) by the row weight, for the rows asked for only', () => {
    const pairs = [new Float32Array(10).fill(7)];
    const margins = Float64Array.of(0, 0, Math.log(3), -800, 0);
    binaryLogistic.gradientRange(margins, Float64Array.of(1, 1, 0, 1, 1), Float64Array.of(1, 2, 1, 3, 1), pairs, 1, 4);
    // σ(0) = 1/2; σ(log 3) = 3/4; σ(−800) = 0, whose hessian is floored at 1e-16.
    const expected = [7, 7, -1, 0.5, 0.75, 0.1875, -3, 3e-16, 7, 7];
    for (const [i, value] of expected.entries()) expect(pairs[0][i]).toBe(Math.fround(value));
  });

  it('weigh every row 1 when the weights are empty, for every objective', () => {
    const rng = new Rng(6);
    const rows = 50;
    for (const objective of [binaryLogistic, squaredError, softmax(3)]) {
      const margins = Float64Array.from({ length: rows * objective.outputs }, () => rng.normal());
      const labels = Float64Array.from({ length: rows }, () => rng.int(objective.outputs === 1 ? 2 : 3));
      const pairs = () => Array.from({ length: objective.outputs }, () => new Float32Array(2 * rows));
      const ones = pairs();
      const empty = pairs();
      objective.gradientRange(margins, labels, new Float64Array(rows).fill(1), ones, 0, rows);
      objective.gradientRange(margins, labels, new Float64Array(0), empty, 0, rows);
      expect(empty.map((pair) => Array.from(pair))).toEqual(ones.map((pair) => Array.from(pair)));
      expect(ones[0].some((value) => value !== 0)).toBe(true);
    }
  });
});
