import { describeValue, ValidationError } from '../core/errors.js';

/**
 * Remaining-useful-life targets for run-to-failure histories: at each cycle, the cycles left until failure, capped
 * (the piecewise-linear target of Heimes 2008, "Recurrent neural networks for remaining useful life estimation",
 * PHM'08): early in life an engine shows no degradation, so its target is flat at `cap`, then falls by one a cycle.
 */

/** Default cap of the piecewise-linear target, the value used by most C-MAPSS papers. */
export const DEFAULT_RUL_CAP = 125;

export interface RulTargetOptions {
  /** Upper bound of the target (default 125); `Infinity` gives the plain linear RUL. */
  cap?: number;
}

/** A history whose last cycle is `rulAtEnd` cycles before failure (0 for a unit that failed there). */
export interface RunHistory {
  cycles: Float64Array;
  rulAtEnd: number;
}

function checkCap(cap: number): number {
  if (typeof cap !== 'number' || Number.isNaN(cap) || cap <= 0) {
    throw new ValidationError(`cap must be a positive number, got ${describeValue(cap)}`);
  }
  return cap;
}

/**
 * RUL at each cycle: `min(cap, lastCycle - cycle + rulAtEnd)`. Uses the cycle numbers, so a gap in the history
 * still counts the cycles in it. O(n).
 */
export function rulTargets(cycles: Float64Array, rulAtEnd = 0, options: RulTargetOptions = {}): Float64Array {
  const cap = checkCap(options.cap ?? DEFAULT_RUL_CAP);
  if (typeof rulAtEnd !== 'number' || !Number.isFinite(rulAtEnd) || rulAtEnd < 0) {
    throw new ValidationError(`rulAtEnd must be a non-negative number, got ${describeValue(rulAtEnd)}`);
  }
  const count = cycles.length;
  const targets = new Float64Array(count);
  if (count === 0) return targets;
  const lastCycle = cycles[count - 1];
  for (let row = 0; row < count; row++) {
    const remaining = lastCycle - cycles[row] + rulAtEnd;
    targets[row] = Math.min(remaining, cap);
  }
  return targets;
}

/** Targets for each history in turn (training units: `rulAtEnd = 0`; test units: the RUL file's value). O(rows). */
export function unitRulTargets(histories: readonly RunHistory[], options: RulTargetOptions = {}): Float64Array[] {
  return histories.map((history) => rulTargets(history.cycles, history.rulAtEnd, options));
}
