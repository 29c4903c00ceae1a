import { describeValue, ValidationError } from '../../core/errors.js';
import { invertUpperTriangular } from '../../math/linalg.js';
import { StreamingQr, solveTriangularLeastSquares } from '../../math/qr.js';
import { type FitContext, type JsonObject, SupervisedModel, type Task } from '../base.js';
import type { DesignMatrix } from '../input.js';
import { readFloat64Array, readNumber, readObject, readStringArray } from '../serialisation.js';

/** Options of `LinearRegression`. */
export interface LinearRegressionOptions {
  /** Fit an unpenalised intercept (default true). */
  fitIntercept: boolean;
  /** Ridge penalty λ ≥ 0 on the squared coefficients, the intercept excluded (sklearn's `Ridge(alpha=λ)`); default 0. */
  ridge: number;
  /**
   * Relative threshold for the rank decision: a pivot of the column-pivoted R smaller than `rcond` times the largest
   * counts as zero. Default null: machine epsilon × max(rows, features), as `numpy.linalg.lstsq`.
   */
  rcond: number | null;
  /** Rows per block of the streaming QR (default 512; only speed depends on it). */
  blockRows: number;
  /** 'rul' clips predictions at 0, since remaining life cannot be negative. Default 'regression'. */
  task: 'regression' | 'rul';
}

/** What a fitted `LinearRegression` holds. */
export interface LinearRegressionState {
  intercept: number;
  /** One coefficient per feature, in training column order. */
  coefficients: Float64Array;
  /** Numerical rank of the (centred, when fitting an intercept) feature matrix. */
  rank: number;
  /** Indices of the features found linearly dependent on the others (empty at full rank). */
  dependentFeatures: number[];
  /** Standard errors of the coefficients (ordinary least squares at full rank; NaN otherwise). */
  standardErrors: Float64Array;
  interceptStandardError: number;
  /** Coefficient of determination on the training data (weighted when weights were given). */
  rSquared: number;
  /** √(RSS / degrees of freedom). */
  residualStandardError: number;
  degreesOfFreedom: number;
  samples: number;
  warnings: string[];
}

const defaults: LinearRegressionOptions = {
  fitIntercept: true,
  ridge: 0,
  rcond: null,
  blockRows: 512,
  task: 'regression',
};

function checkOptions(options: LinearRegressionOptions): void {
  if (!(Number.isFinite(options.ridge) && options.ridge >= 0)) {
    throw new ValidationError(`ridge must be a finite number ≥ 0, got ${describeValue(options.ridge)}`);
  }
  if (options.rcond !== null && !(Number.isFinite(options.rcond) && options.rcond >= 0 && options.rcond < 1)) {
    throw new ValidationError(`rcond must be null or a number in [0, 1), got ${describeValue(options.rcond)}`);
  }
  if (!(Number.isInteger(options.blockRows) && options.blockRows >= 1)) {
    throw new ValidationError(`blockRows must be a positive integer, got ${describeValue(options.blockRows)}`);
  }
  if (options.task !== 'regression' && options.task !== 'rul') {
    throw new ValidationError(`task must be 'regression' or 'rul', got ${describeValue(options.task)}`);
  }
}

/**
 * Streams X (row-major) into a TSQR of the weighted augmented matrix [1 | X | y] (each row scaled by √w), so
 * the result R satisfies RᵀR = [1 X y]ᵀ W [1 X y] without ever forming that product. O(rows · (features + 2)²).
 */
function factorAugmented(
  X: DesignMatrix,
  y: Float64Array,
  context: FitContext,
  fitIntercept: boolean,
  blockRows: number,
): Float64Array {
  const rows = X.rows;
  const features = X.cols;
  const offset = fitIntercept ? 1 : 0;
  const width = features + offset + 1;
  const qr = new StreamingQr(width, blockRows);
  const block = qr.block;
  const data = X.data;
  const targetOffset = (features + offset) * blockRows;
  const totalBlocks = Math.ceil(rows / blockRows);
  const reportEvery = Math.max(1, Math.ceil(totalBlocks / 100));
  let blockIndex = 0;
  for (let start = 0; start < rows; start += blockRows) {
    const count = Math.min(blockRows, rows - start);
    if (context.weighted) {
      for (let i = 0; i < count; i++) {
        const root = Math.sqrt(context.sampleWeight[start + i]);
        const rowOffset = (start + i) * features;
        if (fitIntercept) block[i] = root;
        for (let j = 0; j < features; j++) block[(j + offset) * blockRows + i] = root * data[rowOffset + j];
        block[targetOffset + i] = root * y[start + i];
      }
    } else {
      for (let i = 0; i < count; i++) {
        const rowOffset = (start + i) * features;
        if (fitIntercept) block[i] = 1;
        for (let j = 0; j < features; j++) block[(j + offset) * blockRows + i] = data[rowOffset + j];
        block[targetOffset + i] = y[start + i];
      }
    }
    qr.absorbBlock(count);
    blockIndex++;
    if (blockIndex % reportEvery === 0 || blockIndex === totalBlocks) {
      context.onProgress({ iteration: blockIndex, maxIterations: totalBlocks });
    }
  }
  return qr.upper;
}

/** ‖R v‖² for upper-triangular R (size × size). O(size²). */
function squaredNormOfProduct(upper: Float64Array, size: number, vector: Float64Array): number {
  let total = 0;
  for (let i = 0; i < size; i++) {
    let sum = 0;
    for (let j = i; j < size; j++) sum += upper[i * size + j] * vector[j];
    total += sum * sum;
  }
  return total;
}

/** Σ w (y − ȳ_w)², two passes. O(rows). */
function weightedTotalSumOfSquares(y: Float64Array, weights: Float64Array): number {
  let weightSum = 0;
  let weightedSum = 0;
  for (let i = 0; i < y.length; i++) {
    weightSum += weights[i];
    weightedSum += weights[i] * y[i];
  }
  const mean = weightedSum / weightSum;
  let total = 0;
  for (let i = 0; i < y.length; i++) total += weights[i] * (y[i] - mean) * (y[i] - mean);
  return total;
}

function describeFeatures(indices: readonly number[], names: readonly string[] | undefined): string {
  return indices.map((index) => `'${names ? names[index] : `x${index}`}'`).join(', ');
}

/**
 * Linear regression by least squares, optionally ridge-penalised, solved without normal equations: a streaming
 * Householder QR (TSQR) of the weighted [1 | X | y] gives R in one pass over the rows; the intercept row is
 * eliminated (which centres the features), and the feature block is solved by a column-pivoted, rank-revealing QR.
 * Collinear features give the minimum-norm coefficients (like `numpy.linalg.lstsq` on centred data and sklearn's
 * `LinearRegression`) and a warning naming them. Ridge augments R with √λ·I rows for the features only.
 * Cost O(rows · features²); memory O(features²) beyond X.
 *
 * @example
 * const X = designMatrix([[0], [1], [2], [3]], ['hours']);
 * new LinearRegression().fit(X, [1, 3, 5, 7]).summary().coefficients; // { hours: 2 } (intercept 1)
 */
export class LinearRegression extends SupervisedModel<LinearRegressionOptions, LinearRegressionState> {
  static override readonly className: string = 'LinearRegression';
  static readonly unitTestParams: readonly Partial<LinearRegressionOptions>[] = [{}, { ridge: 1, blockRows: 7 }];

  constructor(options: Partial<LinearRegressionOptions> = {}) {
    super({ ...defaults, ...options });
  }

  get task(): Task {
    return this.options.task;
  }

  protected _fit(X: DesignMatrix, y: Float64Array, context: FitContext): LinearRegressionState {
    checkOptions(this.options);
    const { fitIntercept, ridge, blockRows } = this.options;
    const features = X.cols;
    const offset = fitIntercept ? 1 : 0;
    const width = features + offset + 1;
    const upper = factorAugmented(X, y, context, fitIntercept, blockRows);

    // The trailing (features + 1) block of R is the factor of the centred [X | y] (or of [X | y] itself).
    const reducedSize = features + 1;
    let reduced: Float64Array = new Float64Array(reducedSize * reducedSize);
    for (let i = 0; i < reducedSize; i++) {
      for (let j = i; j < reducedSize; j++) reduced[i * reducedSize + j] = upper[(i + offset) * width + j + offset];
    }
    if (ridge > 0) {
      const penalised = new StreamingQr(reducedSize, features, reduced);
      const root = Math.sqrt(ridge);
      for (let j = 0; j < features; j++) {
        for (let column = 0; column < reducedSize; column++)
          penalised.block[column * features + j] = column === j ? root : 0;
      }
      penalised.absorbBlock(features);
      reduced = penalised.upper;
    }

    const featureFactor = new Float64Array(features * features);
    const projectedTarget = new Float64Array(features);
    for (let i = 0; i < features; i++) {
      for (let j = i; j < features; j++) featureFactor[i * features + j] = reduced[i * reducedSize + j];
      projectedTarget[i] = reduced[i * reducedSize + features];
    }
    const effectiveSamples = context.weighted ? context.sampleWeight.reduce((n, w) => n + (w > 0 ? 1 : 0), 0) : X.rows;
    const rcond = this.options.rcond ?? Number.EPSILON * Math.max(effectiveSamples, features);
    const solved = solveTriangularLeastSquares(featureFactor, features, projectedTarget, rcond);
    const coefficients = solved.solution;

    let intercept = 0;
    if (fitIntercept) {
      let sum = upper[width - 1];
      for (let j = 0; j < features; j++) sum -= upper[1 + j] * coefficients[j];
      intercept = sum / upper[0];
    }

    // Residual and total sums of squares come from the unpenalised R: ‖[1 X y] v‖ = ‖R v‖ for v = [b₀; b; −1].
    const residualVector = new Float64Array(width);
    if (fitIntercept) residualVector[0] = intercept;
    residualVector.set(coefficients, offset);
    residualVector[width - 1] = -1;
    const residualSumOfSquares = squaredNormOfProduct(upper, width, residualVector);
    let totalSumOfSquares = 0;
    if (fitIntercept) {
      for (let i = 1; i < width; i++) totalSumOfSquares += upper[i * width + width - 1] ** 2;
    } else {
      totalSumOfSquares = weightedTotalSumOfSquares(y, context.sampleWeight);
    }
    const rSquared =
      totalSumOfSquares > 0 ? 1 - residualSumOfSquares / totalSumOfSquares : residualSumOfSquares === 0 ? 1 : 0;
    const degreesOfFreedom = effectiveSamples - solved.rank - offset;
    const residualVariance = degreesOfFreedom > 0 ? residualSumOfSquares / degreesOfFreedom : Number.NaN;

    // Cov(b) = σ² (XᵀWX)⁻¹ = σ² R⁻¹R⁻ᵀ over the [1 | X] block, for unpenalised full-rank fits.
    const standardErrors = new Float64Array(features).fill(Number.NaN);
    let interceptStandardError = Number.NaN;
    if (ridge === 0 && solved.rank === features && degreesOfFreedom > 0) {
      const designSize = width - 1;
      const inverse = invertUpperTriangular(upper, designSize, width);
      for (let i = 0; i < designSize; i++) {
        let rowSquares = 0;
        for (let k = i; k < designSize; k++) rowSquares += inverse[i * designSize + k] ** 2;
        const standardError = Math.sqrt(residualVariance * rowSquares);
        if (fitIntercept && i === 0) interceptStandardError = standardError;
        else standardErrors[i - offset] = standardError;
      }
    }

    const warnings: string[] = [];
    if (solved.rank < features) {
      warnings.push(
        `features ${describeFeatures(solved.dependentColumns, context.featureNames)} are linearly dependent on the others (rank ${solved.rank} of ${features}): coefficients are the minimum-norm solution`,
      );
    }
    return {
      intercept,
      coefficients,
      rank: solved.rank,
      dependentFeatures: solved.dependentColumns,
      standardErrors,
      interceptStandardError,
      rSquared,
      residualStandardError: Math.sqrt(residualVariance),
      degreesOfFreedom,
      samples: effectiveSamples,
      warnings,
    };
  }

  protected _predict(X: DesignMatrix, state: LinearRegressionState): Float64Array {
    const { rows, cols, data } = X;
    const { coefficients, intercept } = state;
    const clip = this.options.task === 'rul';
    const predictions = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let sum = intercept;
      const rowOffset = i * cols;
      for (let j = 0; j < cols; j++) sum += data[rowOffset + j] * coefficients[j];
      predictions[i] = clip && sum < 0 ? 0 : sum;
    }
    return predictions;
  }

  protected _restoreState(raw: unknown, schema: { featureCount?: number }): LinearRegressionState {
    const object = readObject(raw, 'state');
    const coefficients = readFloat64Array(object, 'coefficients', 'state', schema.featureCount);
    const features = coefficients.length;
    const dependent = object.dependentFeatures;
    if (
      !Array.isArray(dependent) ||
      !dependent.every((index) => Number.isInteger(index) && index >= 0 && index < features)
    ) {
      throw new ValidationError('state.dependentFeatures must be an array of feature indices');
    }
    return {
      intercept: readNumber(object, 'intercept', 'state'),
      coefficients,
      rank: readNumber(object, 'rank', 'state'),
      dependentFeatures: dependent as number[],
      standardErrors: readFloat64Array(object, 'standardErrors', 'state', features),
      interceptStandardError: readNumber(object, 'interceptStandardError', 'state'),
      rSquared: readNumber(object, 'rSquared', 'state'),
      residualStandardError: readNumber(object, 'residualStandardError', 'state'),
      degreesOfFreedom: readNumber(object, 'degreesOfFreedom', 'state'),
      samples: readNumber(object, 'samples', 'state'),
      warnings: readStringArray(object, 'warnings', 'state'),
    };
  }

  protected override _summary(state: LinearRegressionState): JsonObject {
    const names = this.featureNames ?? Array.from(state.coefficients, (_, j) => `x${j}`);
    const byName = (values: Float64Array): JsonObject =>
      Object.fromEntries(names.map((name, j) => [name, Number.isFinite(values[j]) ? values[j] : null]));
    return {
      intercept: state.intercept,
      coefficients: byName(state.coefficients),
      standardErrors: byName(state.standardErrors),
      interceptStandardError: Number.isFinite(state.interceptStandardError) ? state.interceptStandardError : null,
      rSquared: state.rSquared,
      residualStandardError: Number.isFinite(state.residualStandardError) ? state.residualStandardError : null,
      rank: state.rank,
      dependentFeatures: state.dependentFeatures.map((index) => names[index]),
      degreesOfFreedom: state.degreesOfFreedom,
      samples: state.samples,
      warnings: state.warnings,
    };
  }
}
