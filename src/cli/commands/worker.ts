import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { UpkeepError } from '../../core/errors.js';
import { withoutCredentials } from '../../core/url.js';
import {
  DEFAULT_DURABLE,
  DEFAULT_STREAM,
  DEFAULT_SUBJECT_PREFIX,
  ensureTelemetryStream,
} from '../../stream/jetstream.js';
import { DEFAULT_BATCH, JetStreamWorker } from '../../stream/jetstream-worker.js';
import { action, DEFAULT_DB, formatCount, integerOption, openCliStore, printLine } from '../run.js';

/** NATS credentials from the environment (`UPKEEP_NATS_USER`/`UPKEEP_NATS_PASSWORD` or `UPKEEP_NATS_TOKEN`). */
function natsCredentials(): { user?: string; pass?: string; token?: string } {
  const { UPKEEP_NATS_USER: user, UPKEEP_NATS_PASSWORD: pass, UPKEEP_NATS_TOKEN: token } = process.env;
  return { ...(user ? { user } : {}), ...(pass ? { pass } : {}), ...(token ? { token } : {}) };
}

/**
 * Connects to a NATS server with the credentials of the environment; an unreachable one becomes one readable line
 * (exit 2) naming the server without credentials.
 */
export async function connectNats(url: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name: 'upkeep', maxReconnectAttempts: -1, ...natsCredentials() });
  } catch (error) {
    throw new UpkeepError(
      `cannot connect to NATS at ${withoutCredentials(url)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

interface WorkerCliOptions {
  nats: string;
  db: string;
  stream: string;
  subjectPrefix: string;
  durable: string;
  batch: number;
  ackWait: number;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('commit readings from the NATS JetStream telemetry stream to the store (run several to scale out)')
    .requiredOption('--nats <url>', 'NATS server, e.g. nats://127.0.0.1:4222')
    .option('--db <path|url>', 'DuckDB file or postgres:// URL', DEFAULT_DB)
    .option('--stream <name>', 'JetStream stream name', DEFAULT_STREAM)
    .option('--subject-prefix <prefix>', 'subjects are <prefix>.<asset>', DEFAULT_SUBJECT_PREFIX)
    .option('--durable <name>', 'durable consumer shared by all workers', DEFAULT_DURABLE)
    .option('--batch <n>', 'most messages committed together', integerOption('--batch', 1, 100_000), DEFAULT_BATCH)
    .option(
      '--ack-wait <ms>',
      'how long a fetched message may stay unacknowledged before it goes to another worker',
      integerOption('--ack-wait', 1000, 3_600_000),
      30_000,
    )
    .action(
      action(async (options: WorkerCliOptions) => {
        const store = await openCliStore(options.db);
        const nc = await connectNats(options.nats).catch(async (error: unknown) => {
          await store.close();
          throw error;
        });
        try {
          await ensureTelemetryStream(await jetstreamManager(nc), {
            stream: options.stream,
            subjectPrefix: options.subjectPrefix,
          });
          const worker = new JetStreamWorker(nc, store, {
            stream: options.stream,
            subjectPrefix: options.subjectPrefix,
            durable: options.durable,
            batch: options.batch,
            ackWaitMs: options.ackWait,
            log: (line) => process.stderr.write(`${line}\n`),
          });
          await worker.start();
          printLine(
            `worker ${options.durable} on stream ${options.stream} at ${withoutCredentials(options.nats)} → ${options.db}`,
          );
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          await worker.stop();
          const s = worker.stats;
          printLine(
            `stopped: ${formatCount(s.storedValues)} values stored, ${formatCount(s.duplicateValues)} duplicates, ` +
              `${formatCount(s.malformed)} malformed messages, ${formatCount(s.storeFailures)} store failures`,
          );
        } finally {
          await nc.drain().catch(() => {});
          await store.close();
        }
      }),
    );
}
