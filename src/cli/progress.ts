import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import { formatCount } from './run.js';

export interface ProgressOptions {
  /** Size of the whole job in progress units (bytes of a file), for the bar and the ETA; 0 when unknown. */
  total: number;
  /** What the counted items are, e.g. "rows". */
  itemName: string;
  /** Draw the bar; see `progressWanted`. */
  enabled: boolean;
  stream?: NodeJS.WriteStream;
  /** Monotonic milliseconds; injected by tests. */
  now?: () => number;
}

/** A bar is drawn only for a person watching: not with --json, not when stdout or stderr is piped or redirected. */
export function progressWanted(json: boolean | undefined): boolean {
  return !json && process.stdout.isTTY === true && process.stderr.isTTY === true;
}

/**
 * Progress of a long command: draws a bar (position by bytes, items per second, ETA) on stderr when enabled,
 * and always keeps the counts and the elapsed time for the summary the command prints at the end.
 */
export class Progress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly now: () => number;
  private readonly startedAt: number;
  private itemCount = 0;
  private stoppedAt: number | undefined;

  constructor(options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    if (options.enabled) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `{bar} {percentage}% | {items} ${options.itemName} | {rate} ${options.itemName}/s | ETA {eta_formatted}`,
          stream: options.stream ?? process.stderr,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(options.total, 1), 0, { items: '0', rate: '0' });
    }
  }

  /** `position`: units done so far (bytes read); `items`: items done so far (rows). */
  update(position: number, items: number): void {
    this.itemCount = items;
    this.bar?.update(position, { items: formatCount(items), rate: formatCount(Math.round(this.rate)) });
  }

  get items(): number {
    return this.itemCount;
  }

  get elapsedMs(): number {
    return (this.stoppedAt ?? this.now()) - this.startedAt;
  }

  /** Items per second so far. */
  get rate(): number {
    const seconds = this.elapsedMs / 1000;
    return seconds > 0 ? this.itemCount / seconds : 0;
  }

  /** Removes the bar and freezes the elapsed time; safe to call twice. */
  stop(): void {
    if (this.stoppedAt !== undefined) return;
    this.stoppedAt = this.now();
    this.bar?.stop();
  }
}
