/**
 * Loss functions for gradient boosting: per row, the first and second derivative of the loss with respect to the
 * margin (what a tree is fitted to), the starting margin, the loss itself (for early stopping) and the transform
 * from margin to prediction. Formulas and names follow XGBoost's objectives (`src/objective/regression_loss.h`,
 * `multiclass_obj.cu`) so models and hyperparameters carry over:
 *
 * - `binary:logistic`: p = σ(m); g = p − y; h = max(p(1 − p), 1e-16). Loss: mean log loss.
 * - `reg:squarederror`: g = m − y; h = 1. Loss: root mean squared error.
 * - `multi:softprob`: p = softmax(m); g_k = p_k − [y = k]; h_k = max(2 p_k (1 − p_k), 1e-16). Loss: mean log loss.
 *
 * Every gradient pair is multiplied by the row's weight. All loops are O(rows · outputs).
 */

/** The WebAssembly gradient passes. */
export type WasmGradientsName = 'logistic';

/** The objective names (XGBoost's). */
export type ObjectiveName = 'binary:logistic' | 'reg:squarederror' | 'multi:softprob';

/** One loss function. Margins are row-major rows × outputs. */
export interface Objective {
  readonly name: ObjectiveName;
  readonly outputs: number;
  /** The margin to start boosting from (per output) given the labels and weights; `baseScore` overrides it. */
  baseMargin(labels: Float64Array, weights: Float64Array, baseScore: number | null): Float64Array;
  /**
   * Writes interleaved (gradient, hessian) pairs for output k of rows begin..end into `pairs[k]` (length 2 · rows,
   * single precision as XGBoost keeps them: histograms sum them in double precision);
   * self-contained (a worker thread runs its source text).
   */
  readonly gradientRange: GradientRange;
  /**
   * The WebAssembly pass that writes exactly `gradientRange`'s pairs, bit for bit, when there is one (see
   * logistic-wasm.ts); the row kernels use it where WebAssembly SIMD is available.
   */
  readonly wasmGradients: WasmGradientsName | null;
  /** Weighted loss reported while boosting (lower is better): log loss, or RMSE for squared error. */
  loss(margins: Float64Array, labels: Float64Array, weights: Float64Array): number;
}

/**
 * Writes the gradient pairs of rows begin..end (see `Objective.gradientRange`); the hessian floor is 1e-16. Empty
 * `weights` weigh every row 1 (saving the pass a read of 8 bytes a row).
 */
export type GradientRange = (
  margins: Float64Array,
  labels: Float64Array,
  weights: Float64Array,
  pairs: readonly Float32Array[],
  begin: number,
  end: number,
) => void;

/** σ(z) without overflow. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function weightedMean(labels: Float64Array, weights: Float64Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    sum += weights[i] * labels[i];
    total += weights[i];
  }
  return total > 0 ? sum / total : 0;
}

/**
 * Binary log loss gradients. σ(z) is e/(1 + e) or 1/(1 + e) with e = exp(−|z|), and that exponential is computed
 * here rather than by `Math.exp`, which costs V8 a call into its C++ runtime per row and made this loop 40 % of a
 * large fit's serial time: exp(x) = 2^(k/256) · e^r with k = round(256x / ln 2), r = x − k·ln 2/256 (Cody–Waite,
 * fdlibm's split of ln 2) and e^r by its Taylor polynomial to r⁵ (|r| ≤ ln 2/512, error below 1e-20). Within 2 ulp
 * of `Math.exp`. The two tables (2^(j/256) and powers of two) are built per call to stay self-contained. Where
 * WebAssembly SIMD is available the row kernels run logistic-wasm.ts's copy of this pass instead (3× faster, the
 * same bits).
 */
function logisticGradients(
  margins: Float64Array,
  labels: Float64Array,
  weights: Float64Array,
  pairs: readonly Float32Array[],
  begin: number,
  end: number,
): void {
  const fractionPowers = new Float64Array(256);
  for (let j = 0; j < 256; j++) fractionPowers[j] = 2 ** (j / 256);
  // wholePowers[m + 1100] = 2^m for m = −1100..0 (0 below the smallest subnormal).
  const wholePowers = new Float64Array(1101);
  for (let m = 0; m <= 1100; m++) wholePowers[m] = 2 ** (m - 1100);
  const perStep = 256 / Math.LN2;
  const stepHigh = 0.6931471803691238 / 256;
  const stepLow = 1.9082149292705877e-10 / 256;
  // Adding and subtracting 1.5 · 2^52 rounds to the nearest integer (Math.round is a runtime call too).
  const rounder = 6755399441055744;
  const out = pairs[0];
  const weighted = weights.length > 0;
  for (let i = begin; i < end; i++) {
    const z = margins[i];
    const negative = z >= 0 ? -z : z;
    const x = Math.max(negative, -745);
    const steps = x * perStep + rounder - rounder;
    const k = steps | 0;
    const r = x - steps * stepHigh - steps * stepLow;
    const e =
      fractionPowers[k & 255] *
      wholePowers[(k >> 8) + 1100] *
      (1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120))))));
    const complement = 1 / (1 + e);
    const probability = z >= 0 ? complement : e * complement;
    const weight = weighted ? weights[i] : 1;
    out[2 * i] = (probability - labels[i]) * weight;
    out[2 * i + 1] = Math.max(probability * (1 - probability), 1e-16) * weight;
  }
}

/** Binary log loss on margins: labels are 0/1. */
export const binaryLogistic: Objective = {
  name: 'binary:logistic',
  outputs: 1,
  baseMargin(labels, weights, baseScore) {
    // Default: the log-odds of the weighted positive rate (XGBoost ≥ 2.0's intercept), clamped away from 0 and 1.
    const rate = baseScore ?? Math.min(1 - 1e-6, Math.max(1e-6, weightedMean(labels, weights)));
    return Float64Array.of(Math.log(rate / (1 - rate)));
  },
  gradientRange: logisticGradients,
  wasmGradients: 'logistic',
  loss(margins, labels, weights) {
    let sum = 0;
    let total = 0;
    for (let i = 0; i < labels.length; i++) {
      const z = margins[i];
      // −log σ(z) for y = 1 and −log(1 − σ(z)) for y = 0, as log1p(e^{−|z|}) plus the wrong-side part of |z|.
      const wrongSide = labels[i] > 0 ? Math.max(-z, 0) : Math.max(z, 0);
      sum += weights[i] * (Math.log1p(Math.exp(-Math.abs(z))) + wrongSide);
      total += weights[i];
    }
    return total > 0 ? sum / total : 0;
  },
};

function squaredErrorGradients(
  margins: Float64Array,
  labels: Float64Array,
  weights: Float64Array,
  pairs: readonly Float32Array[],
  begin: number,
  end: number,
): void {
  const out = pairs[0];
  const weighted = weights.length > 0;
  for (let i = begin; i < end; i++) {
    const weight = weighted ? weights[i] : 1;
    out[2 * i] = (margins[i] - labels[i]) * weight;
    out[2 * i + 1] = weight;
  }
}

/** Squared error: labels are real numbers. */
export const squaredError: Objective = {
  name: 'reg:squarederror',
  outputs: 1,
  baseMargin(labels, weights, baseScore) {
    return Float64Array.of(baseScore ?? weightedMean(labels, weights));
  },
  gradientRange: squaredErrorGradients,
  wasmGradients: null,
  loss(margins, labels, weights) {
    let sum = 0;
    let total = 0;
    for (let i = 0; i < labels.length; i++) {
      const residual = margins[i] - labels[i];
      sum += weights[i] * residual * residual;
      total += weights[i];
    }
    return total > 0 ? Math.sqrt(sum / total) : 0;
  },
};

/** Softmax probabilities of one row's K margins into `out`. */
export function softmaxRow(margins: ArrayLike<number>, offset: number, classes: number, out: Float64Array): void {
  let largest = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < classes; k++) largest = Math.max(largest, margins[offset + k]);
  let sum = 0;
  for (let k = 0; k < classes; k++) {
    out[k] = Math.exp(margins[offset + k] - largest);
    sum += out[k];
  }
  for (let k = 0; k < classes; k++) out[k] /= sum;
}

/** Softmax gradients, K = pairs.length; the probabilities as in `softmaxRow`, inlined to stay self-contained. */
function softmaxGradients(
  margins: Float64Array,
  labels: Float64Array,
  weights: Float64Array,
  pairs: readonly Float32Array[],
  begin: number,
  end: number,
): void {
  const classes = pairs.length;
  const probabilities = new Float64Array(classes);
  const weighted = weights.length > 0;
  for (let i = begin; i < end; i++) {
    const offset = i * classes;
    let largest = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < classes; k++) largest = Math.max(largest, margins[offset + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      probabilities[k] = Math.exp(margins[offset + k] - largest);
      sum += probabilities[k];
    }
    for (let k = 0; k < classes; k++) probabilities[k] /= sum;
    const weight = weighted ? weights[i] : 1;
    const label = labels[i];
    for (let k = 0; k < classes; k++) {
      const p = probabilities[k];
      pairs[k][2 * i] = (k === label ? p - 1 : p) * weight;
      pairs[k][2 * i + 1] = Math.max(2 * p * (1 - p), 1e-16) * weight;
    }
  }
}

/** K-class softmax: labels are class indices 0..K−1. */
export function softmax(classes: number): Objective {
  return {
    name: 'multi:softprob',
    outputs: classes,
    baseMargin(labels, weights, baseScore) {
      const margins = new Float64Array(classes);
      if (baseScore !== null) return margins.fill(baseScore);
      // Default: log of each class's weighted share, centred (the softmax of these is the class prior).
      const shares = new Float64Array(classes);
      let total = 0;
      for (let i = 0; i < labels.length; i++) {
        shares[labels[i]] += weights[i];
        total += weights[i];
      }
      let mean = 0;
      for (let k = 0; k < classes; k++) {
        margins[k] = Math.log(Math.max(shares[k] / total, 1e-6));
        mean += margins[k] / classes;
      }
      for (let k = 0; k < classes; k++) margins[k] -= mean;
      return margins;
    },
    gradientRange: softmaxGradients,
    wasmGradients: null,
    loss(margins, labels, weights) {
      let sum = 0;
      let total = 0;
      for (let i = 0; i < labels.length; i++) {
        const offset = i * classes;
        let largest = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < classes; k++) largest = Math.max(largest, margins[offset + k]);
        let normaliser = 0;
        for (let k = 0; k < classes; k++) normaliser += Math.exp(margins[offset + k] - largest);
        sum += weights[i] * (largest + Math.log(normaliser) - margins[offset + labels[i]]);
        total += weights[i];
      }
      return total > 0 ? sum / total : 0;
    },
  };
}
