import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
/** The CLI's TypeScript entry point, run through tsx so tests need no build. */
export const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `upkeep …` in `cwd` (default: the repository root) and resolves with its exit code and output. */
export function runUpkeep(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [MAIN, ...args],
      { cwd: options.cwd ?? ROOT, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
