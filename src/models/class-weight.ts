import { describeValue, ValidationError } from '../core/errors.js';

/**
 * Weights per class multiplying the sample weights: 'balanced' gives class c the weight n / (classes · n_c), so rare
 * failures count as much as the common case; or explicit weights keyed by label (`{"0": 1, "1": 20}`, missing = 1).
 */
export type ClassWeight = 'balanced' | Record<string, number> | null;

/** Rejects a `classWeight` option that is not 'balanced', null or an object of finite weights ≥ 0. */
export function checkClassWeight(classWeight: ClassWeight): void {
  if (classWeight === null || classWeight === 'balanced') return;
  if (typeof classWeight !== 'object') {
    throw new ValidationError(
      `classWeight must be 'balanced', an object of weights or null, got ${describeValue(classWeight)}`,
    );
  }
  for (const [label, weight] of Object.entries(classWeight)) {
    if (!(typeof weight === 'number' && Number.isFinite(weight) && weight >= 0)) {
      throw new ValidationError(`classWeight.${label} must be a finite number ≥ 0, got ${describeValue(weight)}`);
    }
  }
}

/**
 * Per-class weights in class-index order (scikit-learn's `compute_class_weight`); `labels` holds class indices.
 * O(n + classes).
 */
export function resolveClassWeights(
  classWeight: ClassWeight,
  classes: readonly number[],
  labels: Float64Array,
): Float64Array {
  const weights = new Float64Array(classes.length).fill(1);
  if (classWeight === 'balanced') {
    const counts = new Float64Array(classes.length);
    for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
    for (let k = 0; k < classes.length; k++) weights[k] = labels.length / (classes.length * counts[k]);
  } else if (classWeight) {
    const known = new Set(classes.map(String));
    for (const label of Object.keys(classWeight)) {
      if (!known.has(label)) {
        throw new ValidationError(`classWeight.${label} names a class not in y (classes: ${classes.join(', ')})`);
      }
    }
    classes.forEach((label, k) => {
      weights[k] = classWeight[String(label)] ?? 1;
    });
  }
  return weights;
}
