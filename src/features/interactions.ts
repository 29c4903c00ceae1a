/**
 * Interaction features: products, differences and ratios of pairs of numeric columns — the physics a reliability
 * engineer adds by hand (torque × speed = power, process − air temperature = heat dissipated) — searched for
 * automatically and kept only when they raise the out-of-fold score.
 *
 * The search is greedy forward selection: every candidate is scored alone (with the features it would join), then
 * candidates are tried best-first and one is kept when it improves the current score by at least `minGain` of the
 * remaining error (1 − score for scores in [0, 1] where higher is better, the score itself for errors such as RMSE).
 * Kept interactions become part of the saved preprocessing (`PreprocessOptions.interactions`), so prediction
 * recomputes them from the raw columns.
 */

import { z } from 'zod';
import { UnprocessableError, ValidationError } from '../core/errors.js';
import { Frame, numericColumn } from '../io/frame.js';

export const INTERACTION_KINDS = ['product', 'difference', 'ratio'] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

export const InteractionSchema = z.object({
  kind: z.enum(INTERACTION_KINDS),
  left: z.string().min(1),
  right: z.string().min(1),
  /** The derived column's name, e.g. `Torque [Nm] × Rotational speed [rpm]`. */
  name: z.string().min(1),
});

/** One derived column: `left op right`. */
export type Interaction = z.infer<typeof InteractionSchema>;

const SYMBOL: Record<InteractionKind, string> = { product: '×', difference: '−', ratio: '÷' };

/** The interaction `left op right` with its conventional name. */
export function interaction(kind: InteractionKind, left: string, right: string): Interaction {
  return { kind, left, right, name: `${left} ${SYMBOL[kind]} ${right}` };
}

/** The derived values, row by row; NaN where a source is missing or a ratio divides by zero. O(rows). */
export function interactionValues(frame: Frame, spec: Interaction): Float64Array {
  const read = (name: string) => {
    if (!frame.has(name)) {
      throw new UnprocessableError(`input is missing column '${name}' (used by the interaction '${spec.name}')`, [
        { path: name, message: 'missing column' },
      ]);
    }
    const column = frame.column(name);
    if (column.kind !== 'numeric') {
      throw new UnprocessableError(`interaction '${spec.name}' needs numeric '${name}', which holds text`, [
        { path: name, message: 'not numeric' },
      ]);
    }
    return column.values;
  };
  const left = read(spec.left);
  const right = read(spec.right);
  const values = new Float64Array(frame.rowCount);
  for (let i = 0; i < values.length; i++) {
    const a = left[i];
    const b = right[i];
    if (spec.kind === 'product') values[i] = a * b;
    else if (spec.kind === 'difference') values[i] = a - b;
    else values[i] = b === 0 ? Number.NaN : a / b;
  }
  return values;
}

/** `frame` with one more numeric column per interaction (a name already in the frame is an error). */
export function withInteractions(frame: Frame, interactions: readonly Interaction[]): Frame {
  if (interactions.length === 0) return frame;
  const added = interactions.map((spec) => {
    if (frame.has(spec.name)) {
      throw new UnprocessableError(`interaction '${spec.name}' has the name of an input column`, [
        { path: spec.name, message: 'duplicate column' },
      ]);
    }
    return numericColumn(spec.name, interactionValues(frame, spec));
  });
  return new Frame([...frame.columns, ...added], frame.rowCount);
}

/** Every product, difference and ratio of two distinct numeric columns (each unordered pair once per kind). */
export function interactionCandidates(numericNames: readonly string[]): Interaction[] {
  const candidates: Interaction[] = [];
  for (let i = 0; i < numericNames.length; i++) {
    for (let j = i + 1; j < numericNames.length; j++) {
      for (const kind of INTERACTION_KINDS) candidates.push(interaction(kind, numericNames[i], numericNames[j]));
    }
  }
  return candidates;
}

/** Names of the numeric, non-boolean columns of a frame with at least three distinct values among its rows. */
export function numericFeatureNames(frame: Frame): string[] {
  return frame.columns
    .filter((column) => {
      if (column.kind !== 'numeric' || column.boolean) return false;
      const seen = new Set<number>();
      for (let i = 0; i < column.values.length && seen.size < 3; i++) {
        if (!Number.isNaN(column.values[i])) seen.add(column.values[i]);
      }
      return seen.size >= 3;
    })
    .map((column) => column.name);
}

export interface InteractionSearchOptions {
  /** Whether larger scores are better (ROC-AUC, average precision) or worse (RMSE). */
  higherIsBetter: boolean;
  /** Least improvement to keep a candidate, as a fraction of the remaining error (default 0.01). */
  minGain?: number;
  /** Most interactions kept (default 3). */
  maxKept?: number;
}

/** One candidate's outcome, for the model card. */
export interface InteractionTrial {
  name: string;
  /** Out-of-fold score with the candidate added to the baseline features. */
  score: number | null;
  kept: boolean;
}

export interface InteractionSearchResult {
  kept: Interaction[];
  /** Out-of-fold score without interactions. */
  baseline: number;
  /** Out-of-fold score with the kept interactions. */
  score: number;
  trials: InteractionTrial[];
}

/**
 * Greedy forward selection of interactions by `evaluate` (the out-of-fold score of the features plus the given
 * interactions; null when the fit failed). Cost: (candidates + tried in the forward pass + 1) evaluations.
 */
export function searchInteractions(
  candidates: readonly Interaction[],
  evaluate: (interactions: readonly Interaction[]) => number | null,
  options: InteractionSearchOptions,
): InteractionSearchResult {
  const minGain = options.minGain ?? 0.01;
  const maxKept = options.maxKept ?? 3;
  if (!(minGain >= 0 && Number.isFinite(minGain))) throw new ValidationError(`minGain must be ≥ 0, got ${minGain}`);
  if (!(Number.isInteger(maxKept) && maxKept >= 1)) throw new ValidationError(`maxKept must be ≥ 1, got ${maxKept}`);
  const baseline = evaluate([]);
  if (baseline === null) throw new UnprocessableError('the model could not be fitted without interactions');
  const { higherIsBetter } = options;
  const error = (score: number) => (higherIsBetter ? 1 - score : score);
  const improves = (score: number, current: number) =>
    higherIsBetter
      ? score - current >= minGain * Math.max(error(current), 1e-12)
      : current - score >= minGain * Math.max(current, 1e-12);
  const alone = candidates.map((candidate) => ({ candidate, score: evaluate([candidate]) }));
  const trials: InteractionTrial[] = alone.map(({ candidate, score }) => ({
    name: candidate.name,
    score,
    kept: false,
  }));
  const ranked = alone
    .filter((entry): entry is { candidate: Interaction; score: number } => entry.score !== null)
    .filter((entry) => improves(entry.score, baseline))
    .sort((a, b) => (higherIsBetter ? b.score - a.score : a.score - b.score));
  const kept: Interaction[] = [];
  let current = baseline;
  for (const { candidate, score } of ranked) {
    if (kept.length >= maxKept) break;
    const withIt = kept.length === 0 ? score : evaluate([...kept, candidate]);
    if (withIt !== null && improves(withIt, current)) {
      kept.push(candidate);
      current = withIt;
      const trial = trials.find((entry) => entry.name === candidate.name);
      if (trial) trial.kept = true;
    }
  }
  return { kept, baseline, score: current, trials };
}
