import { InvalidArgumentError } from 'commander';
import { UpkeepError } from '../core/errors.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';

/** Where `serve` and `import` keep data unless told otherwise (relative to the working directory). */
export const DEFAULT_DB = './data/upkeep.duckdb';

/** Exit codes: 0 done, 1 unexpected failure (a bug or a broken environment), 2 bad input the user can fix. */
export const EXIT_OK = 0;
export const EXIT_UNEXPECTED = 1;
export const EXIT_BAD_INPUT = 2;

export interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processOutput: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Reports an error as one line on stderr and returns the exit code: `UpkeepError`s (bad input, a missing file,
 * a busy port) give 2 and their message; anything else gives 1, with the stack when UPKEEP_DEBUG=1.
 */
export function reportError(error: unknown, output: Output = processOutput): number {
  if (error instanceof UpkeepError) {
    output.stderr(`upkeep: ${error.message}\n`);
    return EXIT_BAD_INPUT;
  }
  const message = error instanceof Error ? error.message : String(error);
  output.stderr(`upkeep: unexpected error: ${message.split('\n')[0]}\n`);
  if (process.env.UPKEEP_DEBUG === '1' && error instanceof Error && error.stack) output.stderr(`${error.stack}\n`);
  return EXIT_UNEXPECTED;
}

/** Wraps a command's action: runs it, turns a thrown error into one readable line and an exit code. */
export function action<Args extends unknown[]>(
  run: (...args: Args) => Promise<void>,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      await run(...args);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

/** Prints the one JSON object a `--json` command answers with. */
export function printJson(value: unknown, output: Output = processOutput): void {
  output.stdout(`${JSON.stringify(value)}\n`);
}

/** Prints a line for people (not used with `--json`). */
export function printLine(text: string, output: Output = processOutput): void {
  output.stdout(`${text}\n`);
}

/** Rows as aligned columns two spaces apart (the first row is the header), trailing blanks trimmed. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** 8000 → "8,000": counts in summaries. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** Seconds with one decimal below a minute ("1.2 s"), minutes and seconds above ("3 min 05 s"). */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/** Commander argument parser for whole numbers in [min, max]: a bad value is a usage error (exit 2). */
export function integerOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
    }
    return number;
  };
}

/** Opens the `--db` store; a database file locked by another running Upkeep becomes one readable line (exit 2). */
export async function openCliStore(db: string): Promise<Store> {
  try {
    return await openStore(db);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const holder = /Conflicting lock is held in .*\(PID (\d+)\)/.exec(message);
    if (/Could not set lock on file/.test(message)) {
      throw new UpkeepError(
        `${db} is in use by another process${holder ? ` (PID ${holder[1]})` : ''}: stop it, use another --db, ` +
          'or send the data to the running server (POST /v1/readings)',
      );
    }
    throw error;
  }
}
