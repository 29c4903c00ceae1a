/**
 * Householder QR factorisations on `Float64Array`s:
 *
 * - `householderQr`: dense QR of a small row-major matrix, optionally with column pivoting (rank revealing);
 * - `StreamingQr`: tall-skinny QR (TSQR) that absorbs rows block by block into an n × n triangular factor,
 *   so least squares over millions of rows needs O(n²) memory beyond the data and one pass over it;
 * - `solveTriangularLeastSquares`: the minimum-norm solution of R x ≈ z with a rank decision, which turns the
 *   factor of a (possibly collinear) design into coefficients.
 *
 * References: Golub & Van Loan, Matrix Computations (4th ed.), sections 5.1–5.5 (Householder QR, column pivoting,
 * complete orthogonal decompositions); Demmel, Grigori, Hoemmen & Langou, "Communication-optimal parallel and
 * sequential QR and LU factorizations" (2012) for TSQR; LAPACK `dtpqrt` for the triangular-pentagonal update.
 */

import { solveUpperTriangular, solveUpperTriangularTransposed } from './linalg.js';

/** A QR factorisation A P = Q R in LAPACK's compact form. */
export interface QrFactorization {
  readonly rows: number;
  readonly cols: number;
  /** Row-major `rows × cols`: R on and above the diagonal, the Householder vectors (unit leading entry implied) below. */
  readonly factors: Float64Array;
  /** Householder scalars: H_k = I − tau_k v_k v_kᵀ. */
  readonly tau: Float64Array;
  /** Column k of R corresponds to column `permutation[k]` of A (the identity without pivoting). */
  readonly permutation: Int32Array;
}

/**
 * Householder QR of a `rows × cols` row-major matrix (copied, not modified). With `pivoting`, each step moves the
 * remaining column of largest norm to the front (Businger–Golub), so |R₀₀| ≥ |R₁₁| ≥ … reveals the numerical rank.
 * O(rows · cols²) (column norms are recomputed at each step, which keeps the code short and at most doubles the cost
 * for the small matrices this serves). Reference: Golub & Van Loan, algorithms 5.2.1 and 5.4.1.
 */
export function householderQr(
  matrix: { rows: number; cols: number; data: Float64Array },
  options: { pivoting?: boolean } = {},
): QrFactorization {
  const { rows, cols } = matrix;
  const factors = Float64Array.from(matrix.data);
  const steps = Math.min(rows, cols);
  const tau = new Float64Array(steps);
  const permutation = Int32Array.from({ length: cols }, (_, j) => j);

  for (let step = 0; step < steps; step++) {
    if (options.pivoting) {
      let bestColumn = step;
      let bestNorm = -1;
      for (let j = step; j < cols; j++) {
        let squaredNorm = 0;
        for (let i = step; i < rows; i++) squaredNorm += factors[i * cols + j] * factors[i * cols + j];
        if (squaredNorm > bestNorm) {
          bestNorm = squaredNorm;
          bestColumn = j;
        }
      }
      if (bestColumn !== step) {
        for (let i = 0; i < rows; i++) {
          const tmp = factors[i * cols + step];
          factors[i * cols + step] = factors[i * cols + bestColumn];
          factors[i * cols + bestColumn] = tmp;
        }
        const tmp = permutation[step];
        permutation[step] = permutation[bestColumn];
        permutation[bestColumn] = tmp;
      }
    }

    const alpha = factors[step * cols + step];
    let tailSquaredNorm = 0;
    for (let i = step + 1; i < rows; i++) tailSquaredNorm += factors[i * cols + step] * factors[i * cols + step];
    if (tailSquaredNorm === 0) {
      tau[step] = 0;
      continue;
    }
    const norm = Math.sqrt(alpha * alpha + tailSquaredNorm);
    const beta = alpha >= 0 ? -norm : norm;
    tau[step] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = step + 1; i < rows; i++) factors[i * cols + step] *= scale;
    factors[step * cols + step] = beta;

    for (let j = step + 1; j < cols; j++) {
      let projection = factors[step * cols + j];
      for (let i = step + 1; i < rows; i++) projection += factors[i * cols + step] * factors[i * cols + j];
      const scaled = tau[step] * projection;
      factors[step * cols + j] -= scaled;
      for (let i = step + 1; i < rows; i++) factors[i * cols + j] -= scaled * factors[i * cols + step];
    }
  }
  return { rows, cols, factors, tau, permutation };
}

/** Qᵀ b for a factorisation from `householderQr`; `vector` has `rows` entries. O(rows · cols). */
export function applyQTransposed(qr: QrFactorization, vector: ArrayLike<number>): Float64Array {
  const { rows, cols, factors, tau } = qr;
  const result = Float64Array.from({ length: rows }, (_, i) => vector[i]);
  for (let step = 0; step < tau.length; step++) {
    if (tau[step] === 0) continue;
    let projection = result[step];
    for (let i = step + 1; i < rows; i++) projection += factors[i * cols + step] * result[i];
    const scaled = tau[step] * projection;
    result[step] -= scaled;
    for (let i = step + 1; i < rows; i++) result[i] -= scaled * factors[i * cols + step];
  }
  return result;
}

/** Q b for a factorisation from `householderQr`; `vector` has `rows` entries. O(rows · cols). */
export function applyQ(qr: QrFactorization, vector: ArrayLike<number>): Float64Array {
  const { rows, cols, factors, tau } = qr;
  const result = Float64Array.from({ length: rows }, (_, i) => vector[i]);
  for (let step = tau.length - 1; step >= 0; step--) {
    if (tau[step] === 0) continue;
    let projection = result[step];
    for (let i = step + 1; i < rows; i++) projection += factors[i * cols + step] * result[i];
    const scaled = tau[step] * projection;
    result[step] -= scaled;
    for (let i = step + 1; i < rows; i++) result[i] -= scaled * factors[i * cols + step];
  }
  return result;
}

/** The `min(rows, cols) × cols` upper-triangular factor R as a row-major array. */
export function upperFactor(qr: QrFactorization): Float64Array {
  const size = Math.min(qr.rows, qr.cols);
  const upper = new Float64Array(size * qr.cols);
  for (let i = 0; i < size; i++) {
    for (let j = i; j < qr.cols; j++) upper[i * qr.cols + j] = qr.factors[i * qr.cols + j];
  }
  return upper;
}

/**
 * Tall-skinny QR: absorbs rows block by block into an upper-triangular `cols × cols` factor R such that
 * RᵀR = AᵀA for all rows A seen so far (R is the R of A's QR up to row signs). Each block is written
 * column-major into `block` (column k at offset `k · blockRows`) and absorbed by Householder reflections of
 * the stacked [R; block], exploiting that R is already triangular (LAPACK `dtpqrt`), so a row costs
 * about 2 · cols² flops and the inner loops run over contiguous, cache-resident columns.
 * Total O(rows · cols²) time, O(cols · (cols + blockRows)) memory.
 */
export class StreamingQr {
  readonly cols: number;
  readonly blockRows: number;
  /** Column-major staging area for the next block: fill rows 0..count−1 of each column, then `absorbBlock(count)`. */
  readonly block: Float64Array;
  /** The triangular factor, row-major `cols × cols` (entries below the diagonal stay zero). */
  readonly upper: Float64Array;
  private absorbed = 0;

  constructor(cols: number, blockRows = 512, initialUpper?: Float64Array) {
    this.cols = cols;
    this.blockRows = blockRows;
    this.block = new Float64Array(cols * blockRows);
    this.upper = initialUpper ? Float64Array.from(initialUpper) : new Float64Array(cols * cols);
  }

  /** Rows absorbed so far. */
  get rowsAbsorbed(): number {
    return this.absorbed;
  }

  /**
   * Absorbs rows 0..count−1 of `block` into R; the block's contents are destroyed. Two columns are updated per
   * sweep over the pivot column and dot products use two accumulators, which halves the loads of the pivot and
   * hides floating-point add latency.
   */
  absorbBlock(count: number): void {
    const cols = this.cols;
    const stride = this.blockRows;
    const block = this.block;
    const upper = this.upper;
    for (let step = 0; step < cols; step++) {
      const pivotOffset = step * stride;
      let squares0 = 0;
      let squares1 = 0;
      let i = 0;
      for (; i + 1 < count; i += 2) {
        const even = block[pivotOffset + i];
        const odd = block[pivotOffset + i + 1];
        squares0 += even * even;
        squares1 += odd * odd;
      }
      if (i < count) squares0 += block[pivotOffset + i] * block[pivotOffset + i];
      const tailSquaredNorm = squares0 + squares1;
      if (tailSquaredNorm === 0) continue;
      const rowOffset = step * cols;
      const alpha = upper[rowOffset + step];
      const norm = Math.sqrt(alpha * alpha + tailSquaredNorm);
      const beta = alpha >= 0 ? -norm : norm;
      const tau = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      for (let r = 0; r < count; r++) block[pivotOffset + r] *= scale;
      upper[rowOffset + step] = beta;

      let column = step + 1;
      for (; column + 1 < cols; column += 2) {
        const firstOffset = column * stride;
        const secondOffset = firstOffset + stride;
        let first0 = 0;
        let first1 = 0;
        let second0 = 0;
        let second1 = 0;
        let r = 0;
        for (; r + 1 < count; r += 2) {
          const pivotEven = block[pivotOffset + r];
          const pivotOdd = block[pivotOffset + r + 1];
          first0 += pivotEven * block[firstOffset + r];
          first1 += pivotOdd * block[firstOffset + r + 1];
          second0 += pivotEven * block[secondOffset + r];
          second1 += pivotOdd * block[secondOffset + r + 1];
        }
        if (r < count) {
          first0 += block[pivotOffset + r] * block[firstOffset + r];
          second0 += block[pivotOffset + r] * block[secondOffset + r];
        }
        const firstScaled = tau * (upper[rowOffset + column] + first0 + first1);
        const secondScaled = tau * (upper[rowOffset + column + 1] + second0 + second1);
        upper[rowOffset + column] -= firstScaled;
        upper[rowOffset + column + 1] -= secondScaled;
        for (let q = 0; q < count; q++) {
          const pivotValue = block[pivotOffset + q];
          block[firstOffset + q] -= firstScaled * pivotValue;
          block[secondOffset + q] -= secondScaled * pivotValue;
        }
      }
      if (column < cols) {
        const columnOffset = column * stride;
        let projection = upper[rowOffset + column];
        for (let r = 0; r < count; r++) projection += block[pivotOffset + r] * block[columnOffset + r];
        const scaled = tau * projection;
        upper[rowOffset + column] -= scaled;
        for (let r = 0; r < count; r++) block[columnOffset + r] -= scaled * block[pivotOffset + r];
      }
    }
    this.absorbed += count;
  }

  /** Copies `rowCount` rows of a row-major array (`cols` wide) through the staging block and absorbs them. */
  absorbRows(data: ArrayLike<number>, rowCount: number): void {
    const cols = this.cols;
    for (let start = 0; start < rowCount; start += this.blockRows) {
      const count = Math.min(this.blockRows, rowCount - start);
      for (let i = 0; i < count; i++) {
        const rowOffset = (start + i) * cols;
        for (let column = 0; column < cols; column++) {
          this.block[column * this.blockRows + i] = data[rowOffset + column];
        }
      }
      this.absorbBlock(count);
    }
  }
}

/** The result of `solveTriangularLeastSquares`. */
export interface TriangularLeastSquares {
  /** The minimum-norm x minimising ‖R x − z‖ among solutions of the rank-`rank` problem. */
  readonly solution: Float64Array;
  /** Numerical rank: the number of pivots above `rcond · |largest pivot|`. */
  readonly rank: number;
  /** Indices of the columns that the pivoted factorisation found to depend on the others (empty at full rank). */
  readonly dependentColumns: number[];
}

/**
 * Minimum-norm least-squares solution of R x ≈ z for a square `size × size` R (row-major, e.g. from
 * `StreamingQr`): column-pivoted QR of R decides the rank r (pivots ≤ rcond · |R'₀₀| count as zero, as numpy's
 * `lstsq` does with singular values), and when r < size the r × size trapezoid is reduced by a second QR of its
 * transpose (a complete orthogonal decomposition), which gives the minimum-norm solution. At full rank this is an
 * ordinary back substitution. O(size³). Reference: Golub & Van Loan, sections 5.4.2 and 5.5.
 */
export function solveTriangularLeastSquares(
  upper: Float64Array,
  size: number,
  rhs: ArrayLike<number>,
  rcond: number,
): TriangularLeastSquares {
  if (size === 0) return { solution: new Float64Array(0), rank: 0, dependentColumns: [] };
  const pivoted = householderQr({ rows: size, cols: size, data: upper }, { pivoting: true });
  const projected = applyQTransposed(pivoted, rhs);
  const largestPivot = Math.abs(pivoted.factors[0]);
  let rank = 0;
  while (rank < size && largestPivot > 0 && Math.abs(pivoted.factors[rank * size + rank]) > rcond * largestPivot) {
    rank++;
  }

  let permutedSolution: Float64Array;
  if (rank === size) {
    permutedSolution = solveUpperTriangular(pivoted.factors, size, projected);
  } else if (rank === 0) {
    permutedSolution = new Float64Array(size);
  } else {
    // [R11 R12]ᵀ = Q2 R2, so [R11 R12] x = c has minimum-norm solution x = Q2 [R2⁻ᵀ c; 0].
    const trapezoidTransposed = new Float64Array(size * rank);
    for (let i = 0; i < rank; i++) {
      for (let j = i; j < size; j++) trapezoidTransposed[j * rank + i] = pivoted.factors[i * size + j];
    }
    const second = householderQr({ rows: size, cols: rank, data: trapezoidTransposed });
    const reduced = solveUpperTriangularTransposed(second.factors, rank, projected, rank);
    const padded = new Float64Array(size);
    padded.set(reduced);
    permutedSolution = applyQ(second, padded);
  }

  const solution = new Float64Array(size);
  for (let k = 0; k < size; k++) solution[pivoted.permutation[k]] = permutedSolution[k];
  const dependentColumns = Array.from(pivoted.permutation.subarray(rank)).sort((a, b) => a - b);
  return { solution, rank, dependentColumns };
}
