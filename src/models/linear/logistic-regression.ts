import { describeValue, ValidationError } from '../../core/errors.js';
import { minimizeLbfgs } from '../../math/lbfgs.js';
import { choleskySolve, choleskyUpper, type Matrix } from '../../math/linalg.js';
import { Classifier, type FitContext, type JsonObject } from '../base.js';
import { type ClassWeight, checkClassWeight, resolveClassWeights } from '../class-weight.js';
import type { DesignMatrix } from '../input.js';
import { readBoolean, readFloat64Array, readNumber, readObject, readStringArray } from '../serialisation.js';

/** Options of `LogisticRegression` (named after scikit-learn's where they mean the same). */
export interface LogisticRegressionOptions {
  /** Inverse regularisation strength: the objective is C · Σ wᵢ · logloss(i) + ½ ‖β‖² (intercept unpenalised). Default 1. */
  C: number;
  /** 'l2' (default) or 'none' (no penalty: C is ignored). */
  penalty: 'l2' | 'none';
  fitIntercept: boolean;
  /** Weights per class multiplying the sample weights (see `ClassWeight`). Default null. */
  classWeight: ClassWeight;
  /**
   * Convergence tolerance (default 1e-6). Two classes: stop when a Newton step changes no parameter by more than
   * tol · max(1, max |β|); that step is then taken, which leaves the parameters within about tol² (exact Hessian) or
   * 1e-2 · tol (subsampled Hessian, see `hessianRows`) of the optimum. More classes: stop when the largest gradient
   * entry of the objective divided by C · Σ weights is ≤ tol².
   */
  tol: number;
  /** Newton iterations for two classes, L-BFGS iterations for more (default 200). */
  maxIterations: number;
  /** Rows per block in the passes over the data (default 512; only speed depends on it). */
  blockRows: number;
  /**
   * Two classes: the Hessian of each Newton step is accumulated from about this many rows (evenly spaced blocks)
   * when there are more, which makes each iteration much cheaper on tall data; the gradient always uses every row,
   * so the answer is the same optimum (subsampled Newton: Byrd, Chin, Neveitt & Nocedal, SIAM J. Optim. 21(3),
   * 2011). Default 131072; null uses every row.
   */
  hessianRows: number | null;
}

/** What a fitted `LogisticRegression` holds. */
export interface LogisticRegressionState {
  /** Row-major (outputs × features): one row for two classes (log-odds of the larger label), one per class otherwise. */
  coefficients: Float64Array;
  /** One intercept per output row. */
  intercepts: Float64Array;
  /** Newton iterations over all rows (two classes) or L-BFGS iterations (more classes). */
  iterations: number;
  /** Newton iterations of the warm start on a subsample of the rows (tall data only; 0 otherwise). */
  subsampleIterations: number;
  converged: boolean;
  /** Final objective divided by C · Σ weights: the weighted mean log loss plus ‖β‖² / (2 · C · Σ weights). */
  loss: number;
  /** max |gradient| of that objective at the last evaluated point (before a final, tiny Newton step). */
  gradientNorm: number;
  /** Effective weight per class after class weighting, in class order. */
  classWeights: Float64Array;
  warnings: string[];
}

const defaults: LogisticRegressionOptions = {
  C: 1,
  penalty: 'l2',
  fitIntercept: true,
  classWeight: null,
  tol: 1e-6,
  maxIterations: 200,
  blockRows: 512,
  hessianRows: 131072,
};

function checkOptions(options: LogisticRegressionOptions): void {
  if (!(Number.isFinite(options.C) && options.C > 0)) {
    throw new ValidationError(`C must be a finite number > 0, got ${describeValue(options.C)}`);
  }
  if (options.penalty !== 'l2' && options.penalty !== 'none') {
    throw new ValidationError(`penalty must be 'l2' or 'none', got ${describeValue(options.penalty)}`);
  }
  if (!(Number.isFinite(options.tol) && options.tol > 0)) {
    throw new ValidationError(`tol must be a finite number > 0, got ${describeValue(options.tol)}`);
  }
  if (!(Number.isInteger(options.maxIterations) && options.maxIterations >= 1)) {
    throw new ValidationError(`maxIterations must be a positive integer, got ${describeValue(options.maxIterations)}`);
  }
  if (!(Number.isInteger(options.blockRows) && options.blockRows >= 1)) {
    throw new ValidationError(`blockRows must be a positive integer, got ${describeValue(options.blockRows)}`);
  }
  if (options.hessianRows !== null && !(Number.isInteger(options.hessianRows) && options.hessianRows >= 1)) {
    throw new ValidationError(
      `hessianRows must be null or a positive integer, got ${describeValue(options.hessianRows)}`,
    );
  }
  checkClassWeight(options.classWeight);
}

/** The data of one fit, laid out for blocked passes. */
interface Problem {
  readonly X: DesignMatrix;
  /** Class index per row. */
  readonly labels: Float64Array;
  /** Sample weight × class weight, divided by their sum (so the loss is a weighted mean). */
  readonly weights: Float64Array;
  readonly fitIntercept: boolean;
  /** 1 / (C · Σ weights), or 0 without a penalty: the penalty on the scaled objective is ½ · this · ‖β‖². */
  readonly penaltyScale: number;
  readonly blockRows: number;
  /** The Hessian is accumulated from every `hessianStride`-th block (1 = all rows). */
  readonly hessianStride: number;
  /** Use only the Hessian's blocks for everything (the warm-start subproblem). */
  readonly sampledOnly?: boolean;
}

/** Copies rows start..start+count−1 of X column-major into `block`, after an optional column of ones. */
function fillBlock(problem: Problem, block: Float64Array, start: number, count: number): void {
  const { X, fitIntercept, blockRows } = problem;
  const features = X.cols;
  const data = X.data;
  const offset = fitIntercept ? 1 : 0;
  for (let i = 0; i < count; i++) {
    const rowOffset = (start + i) * features;
    for (let j = 0; j < features; j++) block[(j + offset) * blockRows + i] = data[rowOffset + j];
  }
}

/** Reusable buffers of the binary passes. */
interface BinaryScratch {
  /** X transposed to column-major (after a column of ones with an intercept), when every block feeds the Hessian. */
  columns: Float64Array | null;
  block: Float64Array;
  eta: Float64Array;
  residual: Float64Array;
  curvature: Float64Array;
  weighted: Float64Array;
  coefficients: Float64Array;
  rowGradient: Float64Array;
}

/**
 * η = intercept + Σ_k β_k · column_k over a column-major block, four columns per sweep so η is loaded and stored
 * once per four multiply-adds. O(count · d).
 */
function linearPredictor(
  columns: Float64Array,
  stride: number,
  base: number,
  count: number,
  beta: Float64Array,
  first: number,
  intercept: number,
  eta: Float64Array,
): void {
  eta.fill(intercept, 0, count);
  const dimension = beta.length;
  let k = first;
  for (; k + 3 < dimension; k += 4) {
    const offset0 = k * stride + base;
    const offset1 = offset0 + stride;
    const offset2 = offset1 + stride;
    const offset3 = offset2 + stride;
    const beta0 = beta[k];
    const beta1 = beta[k + 1];
    const beta2 = beta[k + 2];
    const beta3 = beta[k + 3];
    for (let i = 0; i < count; i++) {
      eta[i] +=
        beta0 * columns[offset0 + i] +
        beta1 * columns[offset1 + i] +
        beta2 * columns[offset2 + i] +
        beta3 * columns[offset3 + i];
    }
  }
  for (; k < dimension; k++) {
    const offset = k * stride + base;
    const coefficient = beta[k];
    for (let i = 0; i < count; i++) eta[i] += coefficient * columns[offset + i];
  }
}

/** totals[k] += Σᵢ weights[i] · column_k[i] for every column, four columns per sweep. O(count · d). */
function accumulateDots(
  columns: Float64Array,
  stride: number,
  base: number,
  count: number,
  dimension: number,
  weights: Float64Array,
  totals: Float64Array,
): void {
  let k = 0;
  for (; k + 3 < dimension; k += 4) {
    const offset0 = k * stride + base;
    const offset1 = offset0 + stride;
    const offset2 = offset1 + stride;
    const offset3 = offset2 + stride;
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    for (let i = 0; i < count; i++) {
      const weight = weights[i];
      sum0 += weight * columns[offset0 + i];
      sum1 += weight * columns[offset1 + i];
      sum2 += weight * columns[offset2 + i];
      sum3 += weight * columns[offset3 + i];
    }
    totals[k] += sum0;
    totals[k + 1] += sum1;
    totals[k + 2] += sum2;
    totals[k + 3] += sum3;
  }
  for (; k < dimension; k++) {
    const offset = k * stride + base;
    let sum = 0;
    for (let i = 0; i < count; i++) sum += weights[i] * columns[offset + i];
    totals[k] += sum;
  }
}

/** X column-major with a leading column of ones when fitting an intercept: done once when passes reuse it. O(rows · d). */
function transposeWithOnes(problem: Problem): Float64Array {
  const { X, fitIntercept } = problem;
  const offset = fitIntercept ? 1 : 0;
  const rows = X.rows;
  const columns = new Float64Array(rows * (X.cols + offset));
  if (fitIntercept) columns.fill(1, 0, rows);
  for (let i = 0; i < rows; i++) {
    const rowOffset = i * X.cols;
    for (let j = 0; j < X.cols; j++) columns[(j + offset) * rows + i] = X.data[rowOffset + j];
  }
  return columns;
}

/**
 * Binary objective, gradient and (optionally) Hessian at β = [intercept?, coefficients], in one pass over the rows:
 * f = Σ wᵢ ℓᵢ + ½ · penaltyScale · ‖coefficients‖² with wᵢ normalised to sum 1. Loss and gradient use every row
 * (row by row); the Hessian Σ wᵢ pᵢ(1−pᵢ) xᵢxᵢᵀ is accumulated from every `hessianStride`-th block (all blocks for
 * up to `hessianRows` rows), copied column-major so it becomes dot products of cache-resident columns, and rescaled
 * by the weight it covers. O(rows · d) + O(rows / stride · d²).
 */
function evaluateBinary(
  problem: Problem,
  beta: Float64Array,
  gradient: Float64Array,
  hessian: Float64Array | null,
  scratch: BinaryScratch,
): number {
  const { X, labels, weights, fitIntercept, blockRows, hessianStride } = problem;
  const sampledOnly = problem.sampledOnly === true;
  const rows = X.rows;
  const features = X.cols;
  const data = X.data;
  const dimension = beta.length;
  const offset = fitIntercept ? 1 : 0;
  const intercept = fitIntercept ? beta[0] : 0;
  const { block, eta, residual, curvature, weighted, coefficients, rowGradient } = scratch;
  for (let j = 0; j < features; j++) coefficients[j] = beta[offset + j];
  rowGradient.fill(0);
  gradient.fill(0);
  hessian?.fill(0);
  let loss = 0;
  let interceptGradient = 0;
  let hessianWeight = 0;
  let blockIndex = 0;
  for (let start = 0; start < rows; start += blockRows, blockIndex++) {
    const count = Math.min(blockRows, rows - start);
    const sampledBlock = blockIndex % hessianStride === 0;
    if (sampledOnly && !sampledBlock) continue;
    if ((hessian !== null || sampledOnly) && sampledBlock) {
      // Column-major rows of this block: a view into the whole transposed X when there is one, else a copy.
      let source = block;
      let sourceStride = blockRows;
      let base = 0;
      if (scratch.columns) {
        source = scratch.columns;
        sourceStride = rows;
        base = start;
      } else {
        fillBlock(problem, block, start, count);
      }
      linearPredictor(source, sourceStride, base, count, beta, offset, intercept, eta);
      for (let i = 0; i < count; i++) {
        const z = eta[i];
        const expNegAbs = Math.exp(-Math.abs(z));
        const inverse = 1 / (1 + expNegAbs);
        const probability = z >= 0 ? inverse : expNegAbs * inverse;
        const weight = weights[start + i];
        const label = labels[start + i];
        // log(1 + e^{−|z|}) plus the part of |z| on the wrong side: −log σ(z) for y = 1, −log(1 − σ(z)) for y = 0.
        loss += weight * (Math.log1p(expNegAbs) + (label > 0 ? (z < 0 ? -z : 0) : Math.max(z, 0)));
        residual[i] = weight * (probability - label);
        curvature[i] = weight * probability * (1 - probability);
        hessianWeight += weight;
      }
      accumulateDots(source, sourceStride, base, count, dimension, residual, gradient);
      if (hessian) {
        accumulateWeightedGram(source, sourceStride, base, count, dimension, curvature, weighted, blockRows, hessian);
      }
    } else {
      for (let i = 0; i < count; i++) {
        const row = start + i;
        const rowOffset = row * features;
        let z = intercept;
        for (let j = 0; j < features; j++) z += data[rowOffset + j] * coefficients[j];
        const expNegAbs = Math.exp(-Math.abs(z));
        const inverse = 1 / (1 + expNegAbs);
        const probability = z >= 0 ? inverse : expNegAbs * inverse;
        const weight = weights[row];
        const label = labels[row];
        loss += weight * (Math.log1p(expNegAbs) + (label > 0 ? (z < 0 ? -z : 0) : Math.max(z, 0)));
        const scaledResidual = weight * (probability - label);
        interceptGradient += scaledResidual;
        residual[i] = scaledResidual;
      }
      // Gradient as strided dot products over the block, which is still in cache.
      const blockOffset = start * features;
      for (let j = 0; j < features; j++) {
        let even = 0;
        let odd = 0;
        let i = 0;
        for (; i + 1 < count; i += 2) {
          even += residual[i] * data[blockOffset + i * features + j];
          odd += residual[i + 1] * data[blockOffset + (i + 1) * features + j];
        }
        if (i < count) even += residual[i] * data[blockOffset + i * features + j];
        rowGradient[j] += even + odd;
      }
    }
  }
  if (fitIntercept) gradient[0] += interceptGradient;
  for (let j = 0; j < features; j++) gradient[offset + j] += rowGradient[j];
  if (sampledOnly) {
    // The subproblem's loss is the weighted mean over its blocks.
    loss /= hessianWeight;
    for (let k = 0; k < dimension; k++) gradient[k] /= hessianWeight;
  }
  if (hessian && hessianStride > 1 && hessianWeight > 0) {
    // The sampled blocks carry `hessianWeight` of the total weight 1: scale their sum up to the whole data.
    const scale = 1 / hessianWeight;
    for (let k = 0; k < hessian.length; k++) hessian[k] *= scale;
  }
  let penalty = 0;
  for (let k = offset; k < dimension; k++) {
    penalty += beta[k] * beta[k];
    gradient[k] += problem.penaltyScale * beta[k];
    if (hessian) hessian[k * dimension + k] += problem.penaltyScale;
  }
  if (hessian) {
    for (let a = 0; a < dimension; a++)
      for (let b = 0; b < a; b++) hessian[a * dimension + b] = hessian[b * dimension + a];
  }
  return loss + 0.5 * problem.penaltyScale * penalty;
}

/**
 * Adds Σᵢ cᵢ xᵢxᵢᵀ (upper triangle) for a column-major block. Register-blocked 2 × 2: each sweep over the rows
 * accumulates four entries (a, b), (a, b+1), (a+1, b), (a+1, b+1) from two weighted and two plain columns, one load
 * per multiply-add. O(count · dimension² / 2).
 */
function accumulateWeightedGram(
  columns: Float64Array,
  stride: number,
  base: number,
  count: number,
  dimension: number,
  curvature: Float64Array,
  weighted: Float64Array,
  weightedStride: number,
  gram: Float64Array,
): void {
  let a = 0;
  for (; a + 1 < dimension; a += 2) {
    const firstOffset = a * stride + base;
    const secondOffset = firstOffset + stride;
    for (let i = 0; i < count; i++) {
      weighted[i] = curvature[i] * columns[firstOffset + i];
      weighted[weightedStride + i] = curvature[i] * columns[secondOffset + i];
    }
    for (let b = a; b < dimension; b += 2) {
      const columnOffset = b * stride + base;
      if (b + 1 < dimension) {
        const nextOffset = columnOffset + stride;
        let topLeft = 0;
        let topRight = 0;
        let bottomLeft = 0;
        let bottomRight = 0;
        for (let i = 0; i < count; i++) {
          const first = weighted[i];
          const second = weighted[weightedStride + i];
          const left = columns[columnOffset + i];
          const right = columns[nextOffset + i];
          topLeft += first * left;
          topRight += first * right;
          bottomLeft += second * left;
          bottomRight += second * right;
        }
        gram[a * dimension + b] += topLeft;
        gram[a * dimension + b + 1] += topRight;
        if (b > a) gram[(a + 1) * dimension + b] += bottomLeft;
        gram[(a + 1) * dimension + b + 1] += bottomRight;
      } else {
        let top = 0;
        let bottom = 0;
        for (let i = 0; i < count; i++) {
          const value = columns[columnOffset + i];
          top += weighted[i] * value;
          bottom += weighted[weightedStride + i] * value;
        }
        gram[a * dimension + b] += top;
        gram[(a + 1) * dimension + b] += bottom;
      }
    }
  }
  if (a < dimension) {
    const columnOffset = a * stride + base;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const value = columns[columnOffset + i];
      sum += curvature[i] * value * value;
    }
    gram[a * dimension + a] += sum;
  }
}

function infinityNorm(values: Float64Array): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]));
  return largest;
}

/** Solves H Δ = −g by Cholesky, adding a growing multiple of the identity if H is not numerically positive definite. */
function newtonStep(hessian: Float64Array, gradient: Float64Array): Float64Array {
  const dimension = gradient.length;
  const negative = gradient.map((value) => -value);
  let damping = 0;
  let scale = 0;
  for (let k = 0; k < dimension; k++) scale = Math.max(scale, Math.abs(hessian[k * dimension + k]));
  for (let attempt = 0; attempt < 30; attempt++) {
    const matrix = Float64Array.from(hessian);
    for (let k = 0; k < dimension; k++) matrix[k * dimension + k] += damping;
    const upper = choleskyUpper(matrix, dimension);
    if (upper) return choleskySolve(upper, dimension, negative);
    damping = damping === 0 ? Math.max(scale, 1) * 1e-10 : damping * 10;
  }
  return negative;
}

interface Solution {
  beta: Float64Array;
  iterations: number;
  /** Newton iterations of the warm start on the Hessian's subsample (0 when there was none). */
  subsampleIterations: number;
  converged: boolean;
  loss: number;
  gradientNorm: number;
  warnings: string[];
}

interface NewtonRun {
  beta: Float64Array;
  iterations: number;
  converged: boolean;
  loss: number;
  gradientNorm: number;
  warnings: string[];
}

/**
 * Damped Newton (IRLS) with Armijo backtracking from `start`; each evaluation is one pass computing loss, gradient and
 * Hessian together. Stops when a Newton step is below `tolerance` relative to the parameters. Quadratic convergence
 * near the optimum (linear with a tiny rate when the Hessian is subsampled).
 */
function newtonIterations(
  problem: Problem,
  start: Float64Array,
  tolerance: number,
  maxIterations: number,
  scratch: BinaryScratch,
  report: (iteration: number, loss: number) => void,
): NewtonRun {
  const dimension = start.length;
  let beta = Float64Array.from(start);
  let gradient = new Float64Array(dimension);
  let hessian = new Float64Array(dimension * dimension);
  let loss = evaluateBinary(problem, beta, gradient, hessian, scratch);
  let trialGradient = new Float64Array(dimension);
  let trialHessian = new Float64Array(dimension * dimension);
  const warnings: string[] = [];

  let iterations = 0;
  let converged = false;
  // When the last steps predict that the next one will be far below tolerance, the trial pass skips the Hessian and
  // convergence is tested with the previous Hessian (a step that small is accurate to first order either way).
  let hessianIsCurrent = true;
  let previousStepNorm = Number.POSITIVE_INFINITY;
  while (true) {
    const gradientNorm = infinityNorm(gradient);
    report(iterations, loss);
    let step = newtonStep(hessian, gradient);
    let stepNorm = infinityNorm(step);
    const threshold = tolerance * Math.max(1, infinityNorm(beta));
    if (!hessianIsCurrent && stepNorm > threshold) {
      // The prediction failed: get the Hessian here after all.
      loss = evaluateBinary(problem, beta, gradient, hessian, scratch);
      hessianIsCurrent = true;
      step = newtonStep(hessian, gradient);
      stepNorm = infinityNorm(step);
    }
    // Near the optimum the error left after a Newton step is O(‖step‖²): once the step is below tol (relative to
    // the coefficients' size) take it without another pass and stop.
    if (stepNorm <= threshold) {
      for (let k = 0; k < dimension; k++) beta[k] += step[k];
      converged = true;
      break;
    }
    if (iterations >= maxIterations) {
      warnings.push(
        `did not converge in ${maxIterations} iterations (last Newton step ${stepNorm.toExponential(2)}, gradient ${gradientNorm.toExponential(2)}): raise maxIterations or strengthen the penalty (smaller C)`,
      );
      break;
    }
    // Linear-rate prediction of the next step (conservative when convergence is quadratic).
    const predictedNextStep = Number.isFinite(previousStepNorm)
      ? (stepNorm * stepNorm) / previousStepNorm
      : Number.POSITIVE_INFINITY;
    let slope = 0;
    for (let k = 0; k < dimension; k++) slope += gradient[k] * step[k];
    let stepLength = 1;
    let accepted = false;
    let trialLoss = loss;
    let trialHasHessian = true;
    const trial = new Float64Array(dimension);
    for (let halving = 0; halving < 40; halving++) {
      for (let k = 0; k < dimension; k++) trial[k] = beta[k] + stepLength * step[k];
      trialHasHessian = !(halving === 0 && predictedNextStep < threshold);
      trialLoss = evaluateBinary(problem, trial, trialGradient, trialHasHessian ? trialHessian : null, scratch);
      const sufficientDecrease = trialLoss <= loss + 1e-4 * stepLength * slope;
      // At the optimum the loss changes by less than its rounding error; accept a step that still shrinks the gradient.
      const atRoundingLevel =
        trialLoss <= loss + 16 * Number.EPSILON * Math.abs(loss) && infinityNorm(trialGradient) < gradientNorm;
      if (sufficientDecrease || atRoundingLevel) {
        accepted = true;
        break;
      }
      stepLength /= 2;
    }
    if (!accepted) {
      warnings.push(
        `stopped after ${iterations} iterations: no step decreased the loss (last Newton step ${stepNorm.toExponential(2)}, tol ${tolerance})`,
      );
      break;
    }
    beta = trial;
    loss = trialLoss;
    [gradient, trialGradient] = [trialGradient, gradient];
    if (trialHasHessian) [hessian, trialHessian] = [trialHessian, hessian];
    hessianIsCurrent = trialHasHessian;
    previousStepNorm = stepLength * stepNorm;
    iterations++;
  }
  return { beta, iterations, converged, loss, gradientNorm: infinityNorm(gradient), warnings };
}

/**
 * The binary fit: Newton from the weighted class prior (β = 0, intercept = log-odds). On tall data (Hessian subsampled)
 * it first solves the problem restricted to the Hessian's blocks to 1e-4, a cheap warm start within O(1/√rows) of the
 * optimum, so the passes over all rows only polish it.
 */
function solveBinary(
  problem: Problem,
  options: LogisticRegressionOptions,
  onProgress: FitContext['onProgress'],
): Solution {
  const features = problem.X.cols;
  const offset = problem.fitIntercept ? 1 : 0;
  const dimension = features + offset;
  const blockRows = problem.blockRows;
  const scratch: BinaryScratch = {
    columns: problem.hessianStride === 1 && problem.X.rows * dimension <= 1 << 23 ? transposeWithOnes(problem) : null,
    block: new Float64Array(dimension * blockRows),
    eta: new Float64Array(blockRows),
    residual: new Float64Array(blockRows),
    curvature: new Float64Array(blockRows),
    weighted: new Float64Array(2 * blockRows),
    coefficients: new Float64Array(features),
    rowGradient: new Float64Array(features),
  };
  scratch.block.fill(1, 0, offset * blockRows);

  let start: Float64Array = new Float64Array(dimension);
  if (problem.fitIntercept) {
    let positive = 0;
    for (let i = 0; i < problem.labels.length; i++) positive += problem.weights[i] * problem.labels[i];
    if (positive > 0 && positive < 1) start[0] = Math.log(positive / (1 - positive));
  }
  let subsampleIterations = 0;
  const report = (iteration: number, loss: number) =>
    onProgress({ iteration, maxIterations: options.maxIterations, loss });
  if (problem.hessianStride > 1) {
    const warm = newtonIterations(
      { ...problem, sampledOnly: true },
      start,
      1e-4,
      options.maxIterations,
      scratch,
      () => {},
    );
    if (warm.converged) {
      start = warm.beta;
      subsampleIterations = warm.iterations;
    }
  }
  const run = newtonIterations(problem, start, options.tol, options.maxIterations, scratch, report);
  return { ...run, subsampleIterations };
}

/**
 * Multinomial objective and gradient at W (classes × d, class-major rows [intercept?, coefficients]) in one blocked
 * pass: f = Σ wᵢ (logΣₖ e^{ηᵢₖ} − ηᵢ,yᵢ) + ½ · penaltyScale · ‖coefficients‖². O(rows · classes · d).
 */
function evaluateMultinomial(
  problem: Problem,
  classes: number,
  parameters: Float64Array,
  gradient: Float64Array,
  scratch: { block: Float64Array; eta: Float64Array },
): number {
  const { X, labels, weights, fitIntercept, blockRows } = problem;
  const rows = X.rows;
  const dimension = parameters.length / classes;
  const offset = fitIntercept ? 1 : 0;
  const { block, eta } = scratch;
  gradient.fill(0);
  let loss = 0;
  for (let start = 0; start < rows; start += blockRows) {
    const count = Math.min(blockRows, rows - start);
    fillBlock(problem, block, start, count);
    for (let c = 0; c < classes; c++) {
      const etaOffset = c * blockRows;
      const parameterOffset = c * dimension;
      eta.fill(fitIntercept ? parameters[parameterOffset] : 0, etaOffset, etaOffset + count);
      for (let k = offset; k < dimension; k++) {
        const coefficient = parameters[parameterOffset + k];
        const columnOffset = k * blockRows;
        for (let i = 0; i < count; i++) eta[etaOffset + i] += coefficient * block[columnOffset + i];
      }
    }
    for (let i = 0; i < count; i++) {
      let largest = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < classes; c++) largest = Math.max(largest, eta[c * blockRows + i]);
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        const exponential = Math.exp(eta[c * blockRows + i] - largest);
        eta[c * blockRows + i] = exponential;
        sum += exponential;
      }
      const weight = weights[start + i];
      const label = labels[start + i];
      // eta now holds e^{η−max}; log-sum-exp − η_y = log(sum) − log(e^{η_y−max}).
      loss += weight * (Math.log(sum) - Math.log(eta[label * blockRows + i]));
      for (let c = 0; c < classes; c++) {
        eta[c * blockRows + i] = weight * (eta[c * blockRows + i] / sum - (c === label ? 1 : 0));
      }
    }
    for (let c = 0; c < classes; c++) {
      const residualOffset = c * blockRows;
      for (let k = 0; k < dimension; k++) {
        let total = 0;
        if (k === 0 && fitIntercept) for (let i = 0; i < count; i++) total += eta[residualOffset + i];
        else {
          const columnOffset = k * blockRows;
          for (let i = 0; i < count; i++) total += eta[residualOffset + i] * block[columnOffset + i];
        }
        gradient[c * dimension + k] += total;
      }
    }
  }
  let penalty = 0;
  for (let c = 0; c < classes; c++) {
    for (let k = offset; k < dimension; k++) {
      const value = parameters[c * dimension + k];
      penalty += value * value;
      gradient[c * dimension + k] += problem.penaltyScale * value;
    }
  }
  return loss + 0.5 * problem.penaltyScale * penalty;
}

/** L-BFGS for the multinomial problem, starting from centred log class priors (so intercepts stay centred). */
function solveMultinomial(
  problem: Problem,
  classes: number,
  options: LogisticRegressionOptions,
  onProgress: FitContext['onProgress'],
): Solution {
  const offset = problem.fitIntercept ? 1 : 0;
  const dimension = problem.X.cols + offset;
  const scratch = {
    block: new Float64Array(dimension * problem.blockRows),
    eta: new Float64Array(classes * problem.blockRows),
  };
  scratch.block.fill(1, 0, offset * problem.blockRows);
  const start = new Float64Array(classes * dimension);
  if (problem.fitIntercept) {
    const priors = new Float64Array(classes);
    for (let i = 0; i < problem.labels.length; i++) priors[problem.labels[i]] += problem.weights[i];
    const logs = Array.from(priors, (prior) => Math.log(Math.max(prior, 1e-12)));
    const mean = logs.reduce((sum, value) => sum + value, 0) / classes;
    for (let c = 0; c < classes; c++) start[c * dimension] = logs[c] - mean;
  }
  const result = minimizeLbfgs(
    (parameters, gradient) => evaluateMultinomial(problem, classes, parameters, gradient, scratch),
    start,
    {
      tolerance: options.tol * options.tol,
      maxIterations: options.maxIterations,
      onIteration: (iteration, value) => onProgress({ iteration, maxIterations: options.maxIterations, loss: value }),
    },
  );
  const warnings: string[] = [];
  const gradientNorm = infinityNorm(result.gradient);
  // A line search that finds no better point once the gradient is already below tol is at the rounding level.
  const converged = result.converged || (result.reason === 'lineSearch' && gradientNorm <= options.tol);
  if (!converged) {
    warnings.push(
      `did not converge (${result.reason} after ${result.iterations} iterations, gradient ${gradientNorm.toExponential(2)} > tol² ${(options.tol * options.tol).toExponential(2)})`,
    );
  }
  if (problem.fitIntercept) {
    // The intercepts are defined up to a common shift; report the centred ones.
    let mean = 0;
    for (let c = 0; c < classes; c++) mean += result.x[c * dimension] / classes;
    for (let c = 0; c < classes; c++) result.x[c * dimension] -= mean;
  }
  return {
    beta: result.x,
    iterations: result.iterations,
    subsampleIterations: 0,
    converged,
    loss: result.value,
    gradientNorm: infinityNorm(result.gradient),
    warnings,
  };
}

/**
 * L2-regularised logistic regression. Two classes: Newton's method (IRLS) with Armijo backtracking, each iteration one
 * blocked pass over the rows that accumulates the loss, gradient and Hessian together, converging quadratically; on
 * tall data the Hessian comes from a fixed, evenly spaced subsample of `hessianRows` rows and a warm start is solved on
 * that subsample first (the gradient, hence the optimum, always uses every row). More classes: the multinomial
 * (softmax) model by L-BFGS. The objective is scikit-learn's (C · Σ wᵢ · log loss + ½‖β‖², intercept unpenalised), so
 * coefficients agree with `LogisticRegression(solver="lbfgs")` fitted to a tight tolerance. Class weights ('balanced'
 * or explicit) counter imbalanced failure labels. Cost per Newton iteration O(rows · d + min(rows, hessianRows) · d²)
 * + O(d³); per L-BFGS iteration O(rows · classes · d).
 *
 * @example
 * const X = designMatrix([[-2], [-1], [-0.5], [0.5], [1], [2]], ['torque']);
 * const model = new LogisticRegression({ C: 10 }).fit(X, [0, 0, 1, 0, 1, 1]);
 * model.predict(designMatrix([[-3], [3]], ['torque'])); // Float64Array [0, 1]
 * model.predictProba(designMatrix([[3]], ['torque'])).data; // Float64Array [0.024669, 0.975331] (rounded)
 * model.summary().coefficients; // { torque: 1.225747 } (rounded), after 4 Newton iterations
 */
export class LogisticRegression extends Classifier<LogisticRegressionOptions, LogisticRegressionState> {
  static override readonly className: string = 'LogisticRegression';
  static readonly unitTestParams: readonly Partial<LogisticRegressionOptions>[] = [
    {},
    { C: 0.1, classWeight: 'balanced', blockRows: 7 },
  ];

  constructor(options: Partial<LogisticRegressionOptions> = {}) {
    super({ ...defaults, ...options });
  }

  protected _fit(X: DesignMatrix, y: Float64Array, context: FitContext): LogisticRegressionState {
    checkOptions(this.options);
    const classes = context.classes ?? [];
    const classWeights = resolveClassWeights(this.options.classWeight, classes, y);
    const weights = new Float64Array(y.length);
    let weightSum = 0;
    for (let i = 0; i < y.length; i++) {
      weights[i] = context.sampleWeight[i] * classWeights[y[i]];
      weightSum += weights[i];
    }
    if (!(weightSum > 0)) throw new ValidationError('sampleWeight × classWeight must have a positive sum');
    for (let i = 0; i < weights.length; i++) weights[i] /= weightSum;
    const problem: Problem = {
      X,
      labels: y,
      weights,
      fitIntercept: this.options.fitIntercept,
      penaltyScale: this.options.penalty === 'l2' ? 1 / (this.options.C * weightSum) : 0,
      blockRows: this.options.blockRows,
      hessianStride:
        this.options.hessianRows === null
          ? 1
          : Math.max(
              1,
              Math.floor(
                X.rows / this.options.blockRows / Math.ceil(this.options.hessianRows / this.options.blockRows),
              ),
            ),
    };
    const solution =
      classes.length === 2
        ? solveBinary(problem, this.options, context.onProgress)
        : solveMultinomial(problem, classes.length, this.options, context.onProgress);

    const outputs = classes.length === 2 ? 1 : classes.length;
    const offset = this.options.fitIntercept ? 1 : 0;
    const dimension = X.cols + offset;
    const coefficients = new Float64Array(outputs * X.cols);
    const intercepts = new Float64Array(outputs);
    for (let c = 0; c < outputs; c++) {
      if (offset) intercepts[c] = solution.beta[c * dimension];
      for (let j = 0; j < X.cols; j++) coefficients[c * X.cols + j] = solution.beta[c * dimension + offset + j];
    }
    return {
      coefficients,
      intercepts,
      iterations: solution.iterations,
      subsampleIterations: solution.subsampleIterations,
      converged: solution.converged,
      loss: solution.loss,
      gradientNorm: solution.gradientNorm,
      classWeights,
      warnings: solution.warnings,
    };
  }

  protected _predictProba(X: DesignMatrix, state: LogisticRegressionState): Matrix {
    const { rows, cols, data } = X;
    const outputs = state.intercepts.length;
    const classes = outputs === 1 ? 2 : outputs;
    const probabilities = new Float64Array(rows * classes);
    const eta = new Float64Array(outputs);
    for (let i = 0; i < rows; i++) {
      const rowOffset = i * cols;
      for (let c = 0; c < outputs; c++) {
        let sum = state.intercepts[c];
        const coefficientOffset = c * cols;
        for (let j = 0; j < cols; j++) sum += data[rowOffset + j] * state.coefficients[coefficientOffset + j];
        eta[c] = sum;
      }
      if (outputs === 1) {
        const z = eta[0];
        const expNegAbs = Math.exp(-Math.abs(z));
        const inverse = 1 / (1 + expNegAbs);
        const positive = z >= 0 ? inverse : expNegAbs * inverse;
        const negative = z >= 0 ? expNegAbs * inverse : inverse;
        probabilities[i * 2] = negative;
        probabilities[i * 2 + 1] = positive;
      } else {
        let largest = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < outputs; c++) largest = Math.max(largest, eta[c]);
        let sum = 0;
        for (let c = 0; c < outputs; c++) {
          eta[c] = Math.exp(eta[c] - largest);
          sum += eta[c];
        }
        for (let c = 0; c < outputs; c++) probabilities[i * classes + c] = eta[c] / sum;
      }
    }
    return { rows, cols: classes, data: probabilities };
  }

  protected _restoreState(
    raw: unknown,
    schema: { featureCount?: number; classes?: number[] },
  ): LogisticRegressionState {
    const object = readObject(raw, 'state');
    const classCount = schema.classes?.length ?? 0;
    if (classCount < 2) throw new ValidationError('schema.classes must list at least two classes');
    const outputs = classCount === 2 ? 1 : classCount;
    const intercepts = readFloat64Array(object, 'intercepts', 'state', outputs);
    const features = schema.featureCount;
    const coefficients = readFloat64Array(
      object,
      'coefficients',
      'state',
      features === undefined ? undefined : outputs * features,
    );
    if (coefficients.length % outputs !== 0) throw new ValidationError('state.coefficients does not match the classes');
    return {
      coefficients,
      intercepts,
      iterations: readNumber(object, 'iterations', 'state'),
      subsampleIterations: readNumber(object, 'subsampleIterations', 'state'),
      converged: readBoolean(object, 'converged', 'state'),
      loss: readNumber(object, 'loss', 'state'),
      gradientNorm: readNumber(object, 'gradientNorm', 'state'),
      classWeights: readFloat64Array(object, 'classWeights', 'state', classCount),
      warnings: readStringArray(object, 'warnings', 'state'),
    };
  }

  protected override _summary(state: LogisticRegressionState): JsonObject {
    const features = state.coefficients.length / state.intercepts.length;
    const names = this.featureNames ?? Array.from({ length: features }, (_, j) => `x${j}`);
    const row = (c: number): JsonObject =>
      Object.fromEntries(names.map((name, j) => [name, state.coefficients[c * features + j]]));
    const classes = this.classes;
    const base: JsonObject = {
      classes: [...classes],
      iterations: state.iterations,
      subsampleIterations: state.subsampleIterations,
      converged: state.converged,
      loss: state.loss,
      gradientNorm: state.gradientNorm,
      classWeights: Array.from(state.classWeights),
      warnings: state.warnings,
    };
    if (state.intercepts.length === 1) {
      return { intercept: state.intercepts[0], coefficients: row(0), positiveClass: classes[1], ...base };
    }
    return {
      intercepts: Object.fromEntries(classes.map((label, c) => [String(label), state.intercepts[c]])),
      coefficients: Object.fromEntries(classes.map((label, c) => [String(label), row(c)])),
      ...base,
    };
  }
}
