import type { JetStreamClient } from '@nats-io/jetstream';
import { groupByAsset, type Reading } from '../core/reading.js';
import { assetSubject, checkSubjectPrefix, DEFAULT_SUBJECT_PREFIX } from './jetstream.js';

/** Most readings in one message, keeping a message well under the server's 1 MB default payload limit. */
export const DEFAULT_READINGS_PER_MESSAGE = 1000;

export interface PublishOptions {
  subjectPrefix?: string;
  readingsPerMessage?: number;
}

export interface PublishResult {
  /** Messages the stream acknowledged. */
  messages: number;
  readings: number;
  /** Metric values in the readings. */
  values: number;
}

/**
 * Publishes normalised readings to the telemetry stream: one JSON array of canonical readings per asset (split
 * every `readingsPerMessage`) on `<prefix>.<asset>`. Resolves once the stream acknowledged every message (they are
 * stored by JetStream); rejects when any publish failed, in which case some messages may be stored — publishing
 * again is safe because the store is idempotent.
 */
export async function publishReadings(
  js: JetStreamClient,
  readings: readonly Reading[],
  options: PublishOptions = {},
): Promise<PublishResult> {
  const prefix = checkSubjectPrefix(options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX);
  const perMessage = Math.max(1, options.readingsPerMessage ?? DEFAULT_READINGS_PER_MESSAGE);
  const pending: Promise<unknown>[] = [];
  let values = 0;
  for (const [asset, group] of groupByAsset(readings)) {
    const subject = assetSubject(asset, prefix);
    for (let start = 0; start < group.length; start += perMessage) {
      pending.push(js.publish(subject, JSON.stringify(group.slice(start, start + perMessage))));
    }
    for (const reading of group) values += Object.keys(reading.metrics).length;
  }
  await Promise.all(pending);
  return { messages: pending.length, readings: readings.length, values };
}
