import { describeValue, ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';

/** Engine-grouped holdout: a seeded ceil(fraction × units) of the units (at least one, never all). */
export function holdoutUnits(count: number, fraction: number, seed: number): { train: number[]; validation: number[] } {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new ValidationError(`validation fraction must be in [0, 1), got ${describeValue(fraction)}`);
  }
  const order = Int32Array.from({ length: count }, (_, index) => index);
  new Rng(seed).shuffle(order);
  const held = fraction === 0 || count < 2 ? 0 : Math.min(count - 1, Math.max(1, Math.ceil(count * fraction)));
  const validation = Array.from(order.subarray(0, held)).sort((a, b) => a - b);
  const train = Array.from(order.subarray(held)).sort((a, b) => a - b);
  return { train, validation };
}
