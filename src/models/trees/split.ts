/**
 * Leaf weights, split gains and the best split of a node from its gradient histogram, as XGBoost computes them
 * (Chen & Guestrin, "XGBoost: A Scalable Tree Boosting System", KDD 2016, eqs. 5–7; `src/tree/param.h`):
 *
 *   T(G)      = sign(G) · max(|G| − α, 0)                  (L1 soft threshold)
 *   weight    = −T(G) / (H + λ)
 *   score(G,H) = T(G)² / (H + λ)
 *   gain      = score(G_L, H_L) + score(G_R, H_R) − score(G, H)
 *
 * A split is valid when both children keep hessian ≥ minChildWeight (and > 0) and gain > max(γ, 1e-6). As in
 * XGBoost's code, gain is twice the paper's ½[…], so `gamma` means what XGBoost's `min_split_loss` means.
 * Missing values (bin 0) are tried on both sides; the side with the larger gain becomes the node's default.
 */

import type { HistogramLayout } from './histogram.js';

/** Regularisation of leaves and splits. */
export interface SplitParams {
  readonly lambda: number;
  readonly alpha: number;
  readonly minChildWeight: number;
  readonly gamma: number;
}

/** Smallest gain that counts as an improvement (XGBoost's `kRtEps`). */
export const MIN_GAIN = 1e-6;

function softThreshold(gradient: number, alpha: number): number {
  if (gradient > alpha) return gradient - alpha;
  if (gradient < -alpha) return gradient + alpha;
  return 0;
}

/** The optimal leaf weight −T(G)/(H + λ) (0 when H ≤ 0). */
export function leafWeight(gradient: number, hessian: number, params: SplitParams): number {
  if (!(hessian > 0)) return 0;
  // 0 − t rather than −t: a fully shrunk gradient gives +0, not −0.
  return 0 - softThreshold(gradient, params.alpha) / (hessian + params.lambda);
}

/** T(G)²/(H + λ): how much a leaf with these sums lowers the (doubled) objective. */
export function leafScore(gradient: number, hessian: number, params: SplitParams): number {
  if (!(hessian > 0)) return 0;
  const thresholded = softThreshold(gradient, params.alpha);
  return (thresholded * thresholded) / (hessian + params.lambda);
}

/** The best split of a node: feature, bin, default direction and the children's sums. */
export interface SplitCandidate {
  /** gain of the split; −Infinity when no valid split exists. */
  gain: number;
  feature: number;
  /** Rows whose bin is 1..splitBin go left; bins above go right; bin 0 (missing) goes to the default side. */
  splitBin: number;
  defaultLeft: boolean;
  leftGradient: number;
  leftHessian: number;
  rightGradient: number;
  rightHessian: number;
}

export function emptyCandidate(): SplitCandidate {
  return {
    gain: Number.NEGATIVE_INFINITY,
    feature: -1,
    splitBin: 0,
    defaultLeft: true,
    leftGradient: 0,
    leftHessian: 0,
    rightGradient: 0,
    rightHessian: 0,
  };
}

/**
 * Scans the histogram of a node with sums (G, H) for the split of largest gain over `features`, and writes it to
 * `best` (gain −Infinity when none is valid). Ties keep the first found: earlier in `features`, lower bin,
 * missing-left before missing-right. O(Σ bins of the features).
 */
export function findBestSplit(
  histogram: Float64Array,
  layout: HistogramLayout,
  features: Int32Array,
  totalGradient: number,
  totalHessian: number,
  params: SplitParams,
  best: SplitCandidate,
): void {
  const { lambda, alpha, minChildWeight } = params;
  const minGain = Math.max(params.gamma, MIN_GAIN);
  const parentScore = leafScore(totalGradient, totalHessian, params);
  const offsets = layout.offsets;
  const binCounts = layout.binCounts;
  best.gain = Number.NEGATIVE_INFINITY;
  best.feature = -1;
  let bestGain = minGain;
  let found = false;
  for (let k = 0; k < features.length; k++) {
    const f = features[k];
    const offset = offsets[f];
    const valueBins = binCounts[f] - 1;
    if (valueBins < 2) continue;
    const missingGradient = histogram[offset];
    const missingHessian = histogram[offset + 1];
    const hasMissing = missingGradient !== 0 || missingHessian !== 0;
    let prefixGradient = 0;
    let prefixHessian = 0;
    // Split after value bin s (s = 1..valueBins−1): bins 1..s left.
    for (let s = 1; s < valueBins; s++) {
      prefixGradient += histogram[offset + 2 * s];
      prefixHessian += histogram[offset + 2 * s + 1];
      // Missing values left.
      let leftGradient = prefixGradient + missingGradient;
      let leftHessian = prefixHessian + missingHessian;
      let rightGradient = totalGradient - leftGradient;
      let rightHessian = totalHessian - leftHessian;
      if (leftHessian >= minChildWeight && rightHessian >= minChildWeight && leftHessian > 0 && rightHessian > 0) {
        const gain =
          (alpha === 0
            ? (leftGradient * leftGradient) / (leftHessian + lambda) +
              (rightGradient * rightGradient) / (rightHessian + lambda)
            : leafScore(leftGradient, leftHessian, params) + leafScore(rightGradient, rightHessian, params)) -
          parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          found = true;
          best.feature = f;
          best.splitBin = s;
          best.defaultLeft = true;
          best.leftGradient = leftGradient;
          best.leftHessian = leftHessian;
          best.rightGradient = rightGradient;
          best.rightHessian = rightHessian;
        }
      }
      if (!hasMissing) continue;
      // Missing values right.
      leftGradient = prefixGradient;
      leftHessian = prefixHessian;
      rightGradient = totalGradient - leftGradient;
      rightHessian = totalHessian - leftHessian;
      if (leftHessian >= minChildWeight && rightHessian >= minChildWeight && leftHessian > 0 && rightHessian > 0) {
        const gain =
          (alpha === 0
            ? (leftGradient * leftGradient) / (leftHessian + lambda) +
              (rightGradient * rightGradient) / (rightHessian + lambda)
            : leafScore(leftGradient, leftHessian, params) + leafScore(rightGradient, rightHessian, params)) -
          parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          found = true;
          best.feature = f;
          best.splitBin = s;
          best.defaultLeft = false;
          best.leftGradient = leftGradient;
          best.leftHessian = leftHessian;
          best.rightGradient = rightGradient;
          best.rightHessian = rightHessian;
        }
      }
    }
  }
  if (found) best.gain = bestGain;
}
