import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { fromRows, multiply, transpose } from './linalg.js';
import {
  applyQ,
  applyQTransposed,
  householderQr,
  StreamingQr,
  solveTriangularLeastSquares,
  upperFactor,
} from './qr.js';

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: rows * cols }, () => rng.normal());
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

describe('householderQr', () => {
  it('factors a small matrix into Q R with R upper triangular and Q orthogonal', () => {
    const A = fromRows([
      [12, -51, 4],
      [6, 167, -68],
      [-4, 24, -41],
    ]);
    const qr = householderQr(A);
    const R = upperFactor(qr);
    // Classic example (Wikipedia "QR decomposition", Householder section): |R| diagonal is 14, 175, 35.
    expect(Math.abs(R[0])).toBeCloseTo(14, 12);
    expect(Math.abs(R[4])).toBeCloseTo(175, 12);
    expect(Math.abs(R[8])).toBeCloseTo(35, 12);
    // Q (Qᵀ e_j) reproduces e_j, and Q R reproduces A column by column.
    for (let j = 0; j < 3; j++) {
      const column = [0, 1, 2].map((i) => R[i * 3 + j]);
      const rebuilt = applyQ(qr, column);
      expect(maxAbsDifference(rebuilt, [A.data[j], A.data[3 + j], A.data[6 + j]])).toBeLessThan(1e-12);
      const unit = [0, 0, 0];
      unit[j] = 1;
      expect(maxAbsDifference(applyQ(qr, applyQTransposed(qr, unit)), unit)).toBeLessThan(1e-15);
    }
  });

  it('with pivoting orders |R_kk| decreasingly and records the permutation', () => {
    const A = { rows: 6, cols: 4, data: randomMatrix(6, 4, 3) };
    for (let i = 0; i < 6; i++) A.data[i * 4 + 2] *= 100; // make column 2 the largest
    const qr = householderQr(A, { pivoting: true });
    expect(qr.permutation[0]).toBe(2);
    const diagonal = [0, 1, 2, 3].map((k) => Math.abs(qr.factors[k * 4 + k]));
    for (let k = 1; k < 4; k++) expect(diagonal[k]).toBeLessThanOrEqual(diagonal[k - 1]);
  });
});

describe('StreamingQr', () => {
  it('gives RᵀR = AᵀA whatever the block size, and equals the dense R up to row signs', () => {
    const rows = 1000;
    const cols = 5;
    const data = randomMatrix(rows, cols, 11);
    const A = { rows, cols, data };
    const gram = multiply(transpose(A), A);
    const dense = upperFactor(householderQr(A));
    for (const blockRows of [1, 7, 64, 1000, 4096]) {
      const streaming = new StreamingQr(cols, blockRows);
      streaming.absorbRows(data, rows);
      expect(streaming.rowsAbsorbed).toBe(rows);
      const R = { rows: cols, cols, data: streaming.upper };
      const rebuilt = multiply(transpose(R), R);
      expect(maxAbsDifference(rebuilt.data, gram.data) / 1000).toBeLessThan(1e-13);
      for (let i = 0; i < cols; i++) {
        const sign = Math.sign(streaming.upper[i * cols + i]) * Math.sign(dense[i * cols + i]);
        for (let j = i; j < cols; j++) {
          expect(Math.abs(streaming.upper[i * cols + j] - sign * dense[i * cols + j])).toBeLessThan(1e-11);
        }
      }
    }
  });

  it('keeps zero columns zero instead of dividing by zero', () => {
    const streaming = new StreamingQr(3, 4);
    streaming.absorbRows([1, 0, 2, 3, 0, 4, 5, 0, 6], 3);
    expect(Array.from(streaming.upper).every(Number.isFinite)).toBe(true);
    expect(streaming.upper[1 * 3 + 1]).toBe(0);
  });
});

describe('solveTriangularLeastSquares', () => {
  it('solves a full-rank system exactly (to rounding)', () => {
    // R = [[2, 1], [0, 4]], z = [4, 8] → x = [1, 2]
    const result = solveTriangularLeastSquares(Float64Array.from([2, 1, 0, 4]), 2, [4, 8], 1e-12);
    expect(result.rank).toBe(2);
    expect(result.solution[0]).toBeCloseTo(1, 14);
    expect(result.solution[1]).toBeCloseTo(2, 14);
    expect(result.dependentColumns).toEqual([]);
  });

  it('returns the minimum-norm solution for duplicated columns', () => {
    // A = [[1, 1], [1, 1]] (two equal columns), b = [2, 2]: x₀ + x₁ = 2 with minimum norm → x = [1, 1].
    const streaming = new StreamingQr(3, 8);
    streaming.absorbRows([1, 1, 2, 1, 1, 2], 2);
    const R = streaming.upper;
    const featureFactor = Float64Array.from([R[0], R[1], 0, R[4]]);
    const result = solveTriangularLeastSquares(featureFactor, 2, [R[2], R[5]], 1e-12);
    expect(result.rank).toBe(1);
    expect(result.dependentColumns.length).toBe(1);
    expect(result.solution[0]).toBeCloseTo(1, 14);
    expect(result.solution[1]).toBeCloseTo(1, 14);
  });

  it('returns zeros when everything is zero', () => {
    const result = solveTriangularLeastSquares(new Float64Array(4), 2, [0, 0], 1e-12);
    expect(result.rank).toBe(0);
    expect(Array.from(result.solution)).toEqual([0, 0]);
  });
});
