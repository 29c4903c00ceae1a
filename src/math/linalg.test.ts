import { describe, expect, it } from 'vitest';
import {
  choleskySolve,
  choleskyUpper,
  fromRows,
  identity,
  invertUpperTriangular,
  multiply,
  multiplyVector,
  solveUpperTriangular,
  solveUpperTriangularTransposed,
  toRows,
  transpose,
} from './linalg.js';

describe('dense helpers', () => {
  it('multiplies and transposes', () => {
    const A = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    // by hand: A Aᵀ = [[14, 32], [32, 77]]
    expect(toRows(multiply(A, transpose(A)))).toEqual([
      [14, 32],
      [32, 77],
    ]);
    expect(Array.from(multiplyVector(A, [1, 0, -1]))).toEqual([-2, -2]);
    expect(toRows(multiply(identity(2), A))).toEqual(toRows(A));
    expect(() => multiply(A, A)).toThrow(/cannot multiply 2×3 by 2×3/);
  });

  it('solves triangular systems and inverts triangular matrices', () => {
    // U = [[2, 1, 0], [0, 3, 1], [0, 0, 4]]; U x = [3, 4, 4] → x = [1, 1, 1]; Uᵀ x = [2, 4, 5] → x = [1, 1, 1]
    const U = Float64Array.from([2, 1, 0, 0, 3, 1, 0, 0, 4]);
    expect(Array.from(solveUpperTriangular(U, 3, [3, 4, 4]))).toEqual([1, 1, 1]);
    expect(Array.from(solveUpperTriangularTransposed(U, 3, [2, 4, 5]))).toEqual([1, 1, 1]);
    const inverse = invertUpperTriangular(U, 3);
    const product = multiply({ rows: 3, cols: 3, data: U }, { rows: 3, cols: 3, data: inverse });
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(product.data[i * 3 + j]).toBeCloseTo(i === j ? 1 : 0, 15);
  });

  it('factors a symmetric positive-definite matrix and refuses an indefinite one', () => {
    // A = [[4, 2], [2, 3]] = Uᵀ U with U = [[2, 1], [0, √2]]
    const upper = choleskyUpper(Float64Array.from([4, 2, 2, 3]), 2);
    expect(upper).toBeDefined();
    expect(Array.from(upper as Float64Array)).toEqual([2, 1, 0, Math.SQRT2]);
    // A x = [6, 5] → x = [1, 1]
    const x = choleskySolve(upper as Float64Array, 2, [6, 5]);
    expect(x[0]).toBeCloseTo(1, 15);
    expect(x[1]).toBeCloseTo(1, 15);
    expect(choleskyUpper(Float64Array.from([1, 2, 2, 1]), 2)).toBeUndefined();
  });
});
