import { describeValue, ValidationError } from '../core/errors.js';
import { seriesRowCount, type UnitSeries } from './windows.js';

/**
 * Causal exponential smoothing of each unit's sensors: s₀ = x₀, sₜ = α·xₜ + (1 − α)·sₜ₋₁, per unit and per column,
 * so a row depends only on that unit's rows up to it — prediction on a truncated history gives the same value at its
 * last row as on the full one. Targets are carried over untouched. O(rows × features).
 */
export function smoothSeries(series: readonly UnitSeries[], features: number, alpha: number): UnitSeries[] {
  if (!(alpha > 0 && alpha <= 1)) {
    throw new ValidationError(`smoothing alpha must be in (0, 1], got ${describeValue(alpha)}`, [
      { path: 'smoothing', message: 'must be in (0, 1]' },
    ]);
  }
  if (alpha === 1) return [...series];
  const keep = 1 - alpha;
  return series.map((item, index) => {
    const rows = seriesRowCount(item, features, index);
    const values = new Float64Array(item.values.length);
    if (rows > 0) values.set(item.values.subarray(0, features));
    for (let row = 1; row < rows; row++) {
      const at = row * features;
      for (let k = 0; k < features; k++) {
        values[at + k] = alpha * (item.values[at + k] as number) + keep * (values[at - features + k] as number);
      }
    }
    return item.targets === undefined
      ? { unit: item.unit, values }
      : { unit: item.unit, values, targets: item.targets };
  });
}
