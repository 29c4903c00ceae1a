import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Clock, systemClock } from '../core/clock.js';
import { describeValue, ValidationError } from '../core/errors.js';
import { normaliseReadings, type Reading } from '../core/reading.js';
import type { Store } from '../store/store.js';
import {
  checkName,
  checkSubjectPrefix,
  DEFAULT_DURABLE,
  DEFAULT_STREAM,
  DEFAULT_SUBJECT_PREFIX,
  decodeAssetToken,
} from './jetstream.js';

export const DEFAULT_BATCH = 500;

export interface JetStreamWorkerOptions {
  stream?: string;
  subjectPrefix?: string;
  /** Durable consumer name: every worker given the same name shares its messages. */
  durable?: string;
  /** Most messages fetched and committed together. */
  batch?: number;
  /** How long one fetch waits for a batch to fill before committing what it has (at least 1000 ms). */
  fetchWaitMs?: number;
  /** Redelivery delay of the messages of a batch the store failed to commit. */
  retryDelayMs?: number;
  /** How long the server waits for an acknowledgement before redelivering. */
  ackWaitMs?: number;
  /** Receive time of readings without one (the publisher normally fills it in). */
  clock?: Clock;
  /** Where malformed messages and store failures are reported (one line each). */
  log?: (line: string) => void;
}

export interface JetStreamWorkerStats {
  /** Messages fetched, redeliveries included. */
  received: number;
  /** Messages acknowledged after their readings were committed. */
  acked: number;
  /** Metric values newly stored. */
  storedValues: number;
  /** Metric values already stored (redeliveries, replays). */
  duplicateValues: number;
  /** Messages terminated because they are not valid readings (never redelivered). */
  malformed: number;
  /** Batches the store failed to commit (their messages are redelivered after the retry delay). */
  storeFailures: number;
  /** Commits made. */
  batches: number;
}

/** The valid readings of one message, or the reason it is malformed. */
export function decodeMessage(
  subject: string,
  data: Uint8Array,
  subjectPrefix: string,
  receivedAt: number,
): Reading[] | string {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return 'body is not JSON';
  }
  let readings: Reading[];
  try {
    readings = normaliseReadings(body, { receivedAt });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (subject.startsWith(`${subjectPrefix}.`)) {
    const asset = decodeAssetToken(subject.slice(subjectPrefix.length + 1));
    const stray = readings.find((reading) => reading.asset !== asset);
    if (stray) return `reading of asset ${describeValue(stray.asset)} on the subject of asset ${describeValue(asset)}`;
  }
  return readings;
}

function atLeast(field: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ValidationError(`'${field}' must be a whole number >= ${min}, got ${describeValue(value)}`, [
      { path: field, message: `whole number >= ${min}` },
    ]);
  }
  return value;
}

/**
 * A worker of a durable pull consumer on the telemetry stream: fetches up to `batch` messages, appends their
 * readings to the store in one call and acknowledges each message only after the store committed (at-least-once;
 * the store's idempotent appends make a redelivery harmless). A malformed message is terminated, logged and
 * counted; when the store fails, the batch is negatively acknowledged with a delay and comes back. Several workers
 * (processes) with the same durable name share the messages.
 */
export class JetStreamWorker {
  readonly stats: JetStreamWorkerStats = {
    received: 0,
    acked: 0,
    storedValues: 0,
    duplicateValues: 0,
    malformed: 0,
    storeFailures: 0,
    batches: 0,
  };
  private readonly stream: string;
  private readonly prefix: string;
  private readonly durable: string;
  private readonly batch: number;
  private readonly fetchWaitMs: number;
  private readonly retryDelayMs: number;
  private readonly ackWaitMs: number;
  private readonly clock: Clock;
  private readonly log: (line: string) => void;
  private stopped = false;
  private current?: ConsumerMessages;
  private loop?: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly store: Store,
    options: JetStreamWorkerOptions = {},
  ) {
    this.stream = checkName('stream', options.stream ?? DEFAULT_STREAM);
    this.prefix = checkSubjectPrefix(options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX);
    this.durable = checkName('durable', options.durable ?? DEFAULT_DURABLE);
    this.batch = atLeast('batch', options.batch ?? DEFAULT_BATCH);
    this.fetchWaitMs = atLeast('fetch-wait', options.fetchWaitMs ?? 1000, 1000);
    this.retryDelayMs = atLeast('retry-delay', options.retryDelayMs ?? 1000);
    this.ackWaitMs = atLeast('ack-wait', options.ackWaitMs ?? 30_000);
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? (() => {});
  }

  /** Creates the durable consumer when missing and starts fetching; resolves once the consumer is ready. */
  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    try {
      await jsm.consumers.info(this.stream, this.durable);
    } catch {
      try {
        await jsm.consumers.add(this.stream, {
          durable_name: this.durable,
          ack_policy: AckPolicy.Explicit,
          ack_wait: this.ackWaitMs * 1_000_000,
          max_ack_pending: Math.max(1000, this.batch * 4),
        });
      } catch (error) {
        // Another worker starting at the same time may have created it (with its own batch size): use that one.
        await jsm.consumers.info(this.stream, this.durable).catch(() => {
          throw error;
        });
      }
    }
    const consumer = await jetstream(this.nc).consumers.get(this.stream, this.durable);
    this.loop = this.run(consumer);
  }

  /** Stops fetching and waits for the batch in hand to be committed and acknowledged. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.stop();
    await this.loop;
  }

  private async run(consumer: Consumer): Promise<void> {
    while (!this.stopped) {
      try {
        const messages = await consumer.fetch({ max_messages: this.batch, expires: this.fetchWaitMs });
        this.current = messages;
        const batch: JsMsg[] = [];
        for await (const message of messages) {
          batch.push(message);
          if (this.stopped) break;
        }
        if (batch.length > 0) await this.process(batch);
      } catch (error) {
        if (this.stopped) break;
        this.log(`jetstream fetch failed: ${error instanceof Error ? error.message : String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
      }
    }
  }

  /** Commits the readings of a batch, then acknowledges its messages (or naks them all when the store failed). */
  async process(batch: readonly JsMsg[]): Promise<void> {
    this.stats.received += batch.length;
    const good: JsMsg[] = [];
    const readings: Reading[] = [];
    const receivedAt = this.clock.now();
    for (const message of batch) {
      const decoded = decodeMessage(message.subject, message.data, this.prefix, receivedAt);
      if (typeof decoded === 'string') {
        this.stats.malformed++;
        this.log(`jetstream: malformed message ${message.seq} on ${message.subject} terminated: ${decoded}`);
        // Without a reason: servers before 2.10.4 ignore a `+TERM` that carries one.
        message.term();
        continue;
      }
      good.push(message);
      for (const reading of decoded) readings.push(reading);
    }
    if (good.length === 0) return;
    try {
      const result = await this.store.appendReadings(readings);
      this.stats.storedValues += result.accepted;
      this.stats.duplicateValues += result.duplicates;
      this.stats.batches++;
    } catch (error) {
      this.stats.storeFailures++;
      this.log(
        `jetstream: store failed for ${good.length} messages, redelivering in ${this.retryDelayMs} ms: ` +
          `${error instanceof Error ? error.message : String(error)}`,
      );
      for (const message of good) message.nak(this.retryDelayMs);
      return;
    }
    for (const message of good) message.ack();
    this.stats.acked += good.length;
  }
}
