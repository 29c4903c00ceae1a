import type { Command } from 'commander';
import { parseDuration } from '../../core/api-keys.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { formatTimestamp } from '../../core/time.js';
import { applyRetention } from '../../store/retention.js';
import { action, DEFAULT_DB, formatCount, openCliStore, printLine } from '../run.js';

interface RetentionCliOptions {
  db: string;
  olderThan: string;
}

export function registerRetention(program: Command, clock: Clock = systemClock): void {
  program
    .command('retention')
    .description('delete readings older than a cut-off (PostgreSQL: drops whole monthly partitions)')
    .option('--db <path|url>', 'DuckDB file or postgres:// URL', DEFAULT_DB)
    .requiredOption('--older-than <duration>', 'age of the oldest readings kept, e.g. 90d, 12w, 36h')
    .action(
      action(async (options: RetentionCliOptions) => {
        const before = clock.now() - parseDuration(options.olderThan, 'older-than');
        const store = await openCliStore(options.db);
        try {
          const result = await applyRetention(store, before);
          if (result.kind === 'postgres') {
            const dropped = result.droppedPartitions;
            printLine(
              dropped.length === 0
                ? `no partition lies entirely before ${formatTimestamp(before)}: nothing dropped`
                : `dropped ${dropped.length} partition(s) before ${formatTimestamp(before)}: ${dropped.join(', ')}`,
            );
          } else {
            printLine(`deleted ${formatCount(result.deletedValues)} values older than ${formatTimestamp(before)}`);
          }
        } finally {
          await store.close();
        }
      }),
    );
}
