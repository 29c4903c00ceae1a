/**
 * Small dense linear-algebra helpers on row-major `Float64Array` matrices: products, transposes,
 * triangular solves and a Cholesky factorisation. The matrices these serve are small (a model's
 * coefficients, R factors, Hessians); the tall data itself is handled by the blocked kernels in
 * `qr.ts` and in the models.
 */

/** A dense matrix stored row-major: element (i, j) sits at `data[i * cols + j]`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A zero-filled `rows × cols` matrix. */
export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** The `size × size` identity matrix. */
export function identity(size: number): Matrix {
  const result = zeros(size, size);
  for (let i = 0; i < size; i++) result.data[i * size + i] = 1;
  return result;
}

/** A matrix from an array of equally long rows; throws a `RangeError` on ragged input. */
export function fromRows(rowArrays: readonly (readonly number[])[]): Matrix {
  const rows = rowArrays.length;
  const cols = rows === 0 ? 0 : rowArrays[0].length;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = rowArrays[i];
    if (row.length !== cols) throw new RangeError(`row ${i} has ${row.length} values, expected ${cols}`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = row[j];
  }
  return { rows, cols, data };
}

/** The rows of a matrix as plain arrays (for tests and JSON). */
export function toRows(matrix: Matrix): number[][] {
  const result: number[][] = [];
  for (let i = 0; i < matrix.rows; i++) {
    result.push(Array.from(matrix.data.subarray(i * matrix.cols, (i + 1) * matrix.cols)));
  }
  return result;
}

/** Aᵀ. O(rows · cols). */
export function transpose(matrix: Matrix): Matrix {
  const { rows, cols, data } = matrix;
  const result = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) result[j * rows + i] = data[i * cols + j];
  }
  return { rows: cols, cols: rows, data: result };
}

/** A · B, i-k-j loop order so the inner loop runs along rows of B. O(n · m · p). */
export function multiply(left: Matrix, right: Matrix): Matrix {
  if (left.cols !== right.rows) {
    throw new RangeError(`cannot multiply ${left.rows}×${left.cols} by ${right.rows}×${right.cols}`);
  }
  const rows = left.rows;
  const inner = left.cols;
  const cols = right.cols;
  const result = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const outOffset = i * cols;
    for (let k = 0; k < inner; k++) {
      const factor = left.data[i * inner + k];
      if (factor === 0) continue;
      const rightOffset = k * cols;
      for (let j = 0; j < cols; j++) result[outOffset + j] += factor * right.data[rightOffset + j];
    }
  }
  return { rows, cols, data: result };
}

/** A · x. O(rows · cols). */
export function multiplyVector(matrix: Matrix, vector: ArrayLike<number>): Float64Array {
  const { rows, cols, data } = matrix;
  if (vector.length !== cols) throw new RangeError(`vector has ${vector.length} values, expected ${cols}`);
  const result = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    const offset = i * cols;
    for (let j = 0; j < cols; j++) sum += data[offset + j] * vector[j];
    result[i] = sum;
  }
  return result;
}

/** Σ a_i · b_i over the first `length` entries. O(length). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, length = a.length): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += a[i] * b[i];
  return sum;
}

/** max_i |a_i|, 0 for an empty vector. O(length). */
export function maxAbs(values: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++) {
    const magnitude = Math.abs(values[i]);
    if (magnitude > largest) largest = magnitude;
  }
  return largest;
}

/**
 * Solves U x = b for upper-triangular U (the leading `size × size` block of a row-major array with row
 * stride `stride`) by back substitution. O(size²). A zero pivot yields a non-finite entry; callers check rank
 * first. Reference: Golub & Van Loan, Matrix Computations (4th ed.), algorithm 3.1.2.
 */
export function solveUpperTriangular(
  upper: Float64Array,
  size: number,
  rhs: ArrayLike<number>,
  stride = size,
): Float64Array {
  const solution = Float64Array.from({ length: size }, (_, i) => rhs[i]);
  for (let i = size - 1; i >= 0; i--) {
    let sum = solution[i];
    const offset = i * stride;
    for (let j = i + 1; j < size; j++) sum -= upper[offset + j] * solution[j];
    solution[i] = sum / upper[offset + i];
  }
  return solution;
}

/**
 * Solves Uᵀ x = b for upper-triangular U (so Uᵀ is lower triangular) by forward substitution. O(size²).
 * Reference: Golub & Van Loan, algorithm 3.1.1 applied to Uᵀ.
 */
export function solveUpperTriangularTransposed(
  upper: Float64Array,
  size: number,
  rhs: ArrayLike<number>,
  stride = size,
): Float64Array {
  const solution = Float64Array.from({ length: size }, (_, i) => rhs[i]);
  for (let i = 0; i < size; i++) {
    let sum = solution[i];
    for (let j = 0; j < i; j++) sum -= upper[j * stride + i] * solution[j];
    solution[i] = sum / upper[i * stride + i];
  }
  return solution;
}

/**
 * Inverse of an upper-triangular matrix (itself upper triangular), column by column. O(size³ / 3).
 * Used for coefficient covariances (R⁻¹ R⁻ᵀ). Reference: Golub & Van Loan, section 3.1.
 */
export function invertUpperTriangular(upper: Float64Array, size: number, stride = size): Float64Array {
  const inverse = new Float64Array(size * size);
  for (let column = 0; column < size; column++) {
    inverse[column * size + column] = 1 / upper[column * stride + column];
    for (let i = column - 1; i >= 0; i--) {
      let sum = 0;
      for (let j = i + 1; j <= column; j++) sum += upper[i * stride + j] * inverse[j * size + column];
      inverse[i * size + column] = -sum / upper[i * stride + i];
    }
  }
  return inverse;
}

/**
 * Cholesky factorisation A = Uᵀ U, returning the upper factor U, for a symmetric positive-definite
 * `size × size` row-major matrix (only the upper triangle is read). Returns `undefined` when a pivot is not
 * positive, i.e. A is not (numerically) positive definite. O(size³ / 3). Reference: Golub & Van Loan, algorithm 4.2.1.
 */
export function choleskyUpper(matrix: Float64Array, size: number): Float64Array | undefined {
  const upper = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    let diagonal = matrix[i * size + i];
    for (let k = 0; k < i; k++) diagonal -= upper[k * size + i] * upper[k * size + i];
    if (!(diagonal > 0)) return undefined;
    const pivot = Math.sqrt(diagonal);
    upper[i * size + i] = pivot;
    for (let j = i + 1; j < size; j++) {
      let sum = matrix[i * size + j];
      for (let k = 0; k < i; k++) sum -= upper[k * size + i] * upper[k * size + j];
      upper[i * size + j] = sum / pivot;
    }
  }
  return upper;
}

/** Solves A x = b given A = Uᵀ U from `choleskyUpper`. O(size²). */
export function choleskySolve(upper: Float64Array, size: number, rhs: ArrayLike<number>): Float64Array {
  return solveUpperTriangular(upper, size, solveUpperTriangularTransposed(upper, size, rhs));
}
