/**
 * A watched folder (the object-store event pattern): every CSV/NDJSON file dropped into the input folder is scored
 * into the output folder, exactly once.
 *
 * - A file is taken only once it has stopped changing (same size and modification time on two scans `settleMs`
 *   apart), so a file still being copied in is not read early. Hidden files (`.name`) and `*.tmp`/`*.partial` are
 *   never taken: writing under such a name and renaming is the safe way to drop a file.
 * - Taking a file is an atomic rename into `<in>/.processing/`: of two watchers on one folder only one wins.
 * - The predictions go to `<out>/<name>` through `<out>/<name>.partial` and a rename, then a marker
 *   `<out>/<name>.done` (JSON: rows, time) — or, when the file cannot be scored, `<out>/<name>.failed` (JSON: the
 *   error). The input then moves to `<in>/.done/` or `<in>/.failed/`.
 * - Files left in `.processing/` by a process that stopped are scored again at start.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { describeValue, ValidationError } from '../core/errors.js';
import type { TrainedModel } from '../models/trained-model.js';
import type { BatchFormat } from './batch-input.js';
import type { ScoreFileResult } from './batch-score.js';
import { runInWorker } from './worker-task.js';

export interface FolderWatcherOptions {
  inputDirectory: string;
  outputDirectory: string;
  model: TrainedModel;
  /** Between scans of the input folder (default 500 ms). */
  pollMs?: number;
  /** How long a file must stay unchanged before it is taken (default 1000 ms). */
  settleMs?: number;
  chunkRows?: number;
  /** Hears what happens to each file. */
  log?: (line: string) => void;
  /** Called after each file with its outcome. */
  onFile?: (outcome: WatchOutcome) => void;
}

export interface WatchOutcome {
  file: string;
  state: 'done' | 'failed';
  rows?: number;
  error?: string;
}

const FORMATS: Record<string, BatchFormat> = { '.csv': 'csv', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };

const PROCESSING = '.processing';
const DONE = '.done';
const FAILED = '.failed';

/** Whether a name is a file the watcher takes: a CSV/NDJSON name, not hidden, not a temporary name. */
export function watchedFormat(name: string): BatchFormat | undefined {
  if (name.startsWith('.') || name.endsWith('.tmp') || name.endsWith('.partial')) return undefined;
  return FORMATS[extname(name).toLowerCase()];
}

interface Seen {
  size: number;
  mtimeMs: number;
  since: number;
}

export class FolderWatcher {
  private readonly seen = new Map<string, Seen>();
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly controller = new AbortController();

  private constructor(private readonly options: FolderWatcherOptions) {}

  /** Creates the folders, scores what a stopped process left in `.processing/`, then scans every `pollMs`. */
  static async start(options: FolderWatcherOptions): Promise<FolderWatcher> {
    for (const [field, value] of [
      ['pollMs', options.pollMs],
      ['settleMs', options.settleMs],
    ] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
        throw new ValidationError(`${field} must be a number of milliseconds ≥ 0, got ${describeValue(value)}`);
      }
    }
    const watcher = new FolderWatcher(options);
    for (const directory of [PROCESSING, DONE, FAILED]) {
      await mkdir(join(options.inputDirectory, directory), { recursive: true });
    }
    await mkdir(options.outputDirectory, { recursive: true });
    for (const name of await readdir(join(options.inputDirectory, PROCESSING))) {
      const format = watchedFormat(name);
      if (format) await watcher.score(name, format);
    }
    watcher.schedule();
    return watcher;
  }

  /** One scan now: takes and scores every settled file. Resolves when they are done. */
  scan(): Promise<void> {
    this.scanning = this.scanning.then(() => this.scanOnce());
    return this.scanning;
  }

  /** Stops scanning; a file being scored is stopped and stays in `.processing/` for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.controller.abort(new Error('the folder watcher stopped'));
    await this.scanning.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.scan()
        .catch((error: unknown) => this.log(`watch ${this.options.inputDirectory}: ${(error as Error).message}`))
        .finally(() => this.schedule());
    }, this.options.pollMs ?? 500);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private async scanOnce(): Promise<void> {
    const now = Date.now();
    const settleMs = this.options.settleMs ?? 1000;
    const names = await readdir(this.options.inputDirectory);
    const present = new Set<string>();
    for (const name of names) {
      if (this.stopped) return;
      const format = watchedFormat(name);
      if (!format) continue;
      const path = join(this.options.inputDirectory, name);
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(path);
      } catch {
        continue;
      }
      if (!info.isFile()) continue;
      present.add(name);
      const before = this.seen.get(name);
      if (!before || before.size !== info.size || before.mtimeMs !== info.mtimeMs) {
        this.seen.set(name, { size: info.size, mtimeMs: info.mtimeMs, since: now });
        if (settleMs > 0 || !before) continue;
      }
      if (now - (this.seen.get(name) as Seen).since < settleMs) continue;
      this.seen.delete(name);
      try {
        await rename(path, join(this.options.inputDirectory, PROCESSING, name));
      } catch {
        continue; // another watcher took it, or it was removed
      }
      await this.score(name, format);
    }
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
  }

  private async score(name: string, format: BatchFormat): Promise<void> {
    const { inputDirectory, outputDirectory } = this.options;
    const processing = join(inputDirectory, PROCESSING, name);
    const outputPath = join(outputDirectory, name);
    let outcome: WatchOutcome;
    try {
      const result = await runInWorker<ScoreFileResult>(
        {
          task: 'score',
          model: this.options.model.toJSON(),
          inputPath: processing,
          inputFormat: format,
          outputPath,
          outputFormat: format,
          ...(this.options.chunkRows === undefined ? {} : { chunkRows: this.options.chunkRows }),
        },
        { signal: this.controller.signal },
      );
      outcome = { file: name, state: 'done', rows: result.rowsWritten };
      await writeFile(
        `${outputPath}.done`,
        `${JSON.stringify({ file: name, rows: result.rowsWritten, at: new Date().toISOString() })}\n`,
      );
      await rename(processing, join(inputDirectory, DONE, name));
      this.log(`scored ${name}: ${result.rowsWritten} rows → ${outputPath}`);
    } catch (error) {
      if (this.controller.signal.aborted) {
        await rm(`${outputPath}.partial`, { force: true });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      outcome = { file: name, state: 'failed', error: message };
      await writeFile(
        `${outputPath}.failed`,
        `${JSON.stringify({ file: name, error: message, at: new Date().toISOString() })}\n`,
      );
      await rename(processing, join(inputDirectory, FAILED, name));
      this.log(`could not score ${name}: ${message}`);
    }
    this.options.onFile?.(outcome);
  }
}
