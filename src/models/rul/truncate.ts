import { describeValue, ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { CmapssData, CmapssUnit } from '../../io/cmapss.js';

/**
 * Test sets from run-to-failure histories, the way NASA built the C-MAPSS test files: every unit is cut at a random
 * cycle before its failure, and its true remaining useful life at the cut is the RUL-file value. Lets a user (and the
 * tests) evaluate a RUL model on engines it never saw when only training files exist.
 */

export interface TruncateOptions {
  /** Seed of the cut points (default 0). */
  seed?: number;
  /** Fewest cycles a cut unit keeps (default 31, one more than the default window); shorter units keep all but one. */
  minCycles?: number;
  /**
   * Largest true RUL at a cut (default: no limit). NASA's FD001 test units end at most 145 cycles before failure;
   * a limit keeps generated test sets alike (where the unit is long enough for both limits).
   */
  maxRul?: number;
}

function checkMinCycles(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValidationError(`minCycles must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Cuts one unit after `keep` rows (1 ≤ keep ≤ rows): the RUL at the new last cycle is the cycles from it to the old
 * last cycle plus the old `rulAtEnd`. O(keep × columns).
 */
export function truncateUnit(unit: CmapssUnit, keep: number, width: number): CmapssUnit {
  const rows = unit.cycles.length;
  if (!Number.isInteger(keep) || keep < 1 || keep > rows) {
    throw new ValidationError(
      `unit ${unit.unit}: keep must be a whole number from 1 to ${rows}, got ${describeValue(keep)}`,
    );
  }
  const lastCycle = unit.cycles[rows - 1];
  const cycles = unit.cycles.slice(0, keep);
  return {
    unit: unit.unit,
    cycles,
    values: unit.values.slice(0, keep * width),
    rulAtEnd: lastCycle - cycles[keep - 1] + unit.rulAtEnd,
  };
}

/**
 * Every unit cut at a seeded random row: a unit of n rows keeps between min(minCycles, n − 1) and n − 1 rows
 * (uniformly; with `maxRul`, at least n − maxRul rows where that leaves a choice), so its true RUL is at least 1 —
 * counted in rows, which are cycles for contiguous histories. A one-row unit is kept whole. O(rows × columns).
 */
export function truncateUnits(data: CmapssData, options: TruncateOptions = {}): CmapssData {
  const rng = new Rng(options.seed ?? 0);
  const minCycles = checkMinCycles(options.minCycles ?? 31);
  const maxRul = options.maxRul ?? Number.POSITIVE_INFINITY;
  if (typeof maxRul !== 'number' || !(maxRul >= 1)) {
    throw new ValidationError(`maxRul must be a number ≥ 1, got ${describeValue(maxRul)}`);
  }
  const width = data.columns.length;
  let rowCount = 0;
  const units = data.units.map((unit) => {
    const rows = unit.cycles.length;
    const longest = Math.max(1, rows - 1);
    const shortest = Math.min(longest, Math.max(Math.min(minCycles, longest), Math.ceil(rows - maxRul)));
    const keep = shortest + rng.int(longest - shortest + 1);
    rowCount += keep;
    return truncateUnit(unit, keep, width);
  });
  return { columns: data.columns, units, rowCount };
}

/** Shortest round-trip text of a number, keeping the sign of −0 (C-MAPSS files write "-0.0000"). */
function numberText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/** The data as a C-MAPSS text file: `unit cycle setting1 … s21`, space-separated, one line a row. O(rows × columns). */
export function formatCmapss(data: CmapssData): string {
  const width = data.columns.length;
  const lines: string[] = [];
  for (const unit of data.units) {
    for (let row = 0; row < unit.cycles.length; row++) {
      const fields = [String(unit.unit), String(unit.cycles[row])];
      for (let column = 0; column < width; column++) fields.push(numberText(unit.values[row * width + column]));
      lines.push(fields.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The RUL file of the data: each unit's `rulAtEnd`, one a line, in unit order. */
export function formatCmapssRul(data: CmapssData): string {
  return `${data.units.map((unit) => String(unit.rulAtEnd)).join('\n')}\n`;
}
