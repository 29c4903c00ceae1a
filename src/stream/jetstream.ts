import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { describeValue, ValidationError } from '../core/errors.js';

export const DEFAULT_STREAM = 'TELEMETRY';
export const DEFAULT_SUBJECT_PREFIX = 'telemetry';
export const DEFAULT_DURABLE = 'upkeep-workers';
/** How long the stream keeps a message that no worker acknowledged yet: 7 days. */
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export interface TelemetryStreamOptions {
  /** Stream name; `TELEMETRY` when omitted. */
  stream?: string;
  /** First subject token; messages go to `<prefix>.<encoded asset>`. */
  subjectPrefix?: string;
  /** Oldest message kept, in milliseconds (0: no age limit). */
  maxAgeMs?: number;
  /** Largest stream size in bytes (-1: no size limit); the oldest messages are dropped beyond it. */
  maxBytes?: number;
}

const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

const NAME = /^[A-Za-z0-9_-]+$/;

/** A stream or consumer name: letters, digits, '_' and '-' (NATS forbids '.', '*', '>' and spaces). */
export function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new ValidationError(`'${field}' must be letters, digits, '_' or '-', got ${describeValue(value)}`, [
      { path: field, message: "letters, digits, '_' or '-'" },
    ]);
  }
  return value;
}

/** A subject prefix: one or more name tokens separated by '.'. */
export function checkSubjectPrefix(value: unknown): string {
  if (typeof value !== 'string' || !value.split('.').every((token) => NAME.test(token))) {
    throw new ValidationError(`'subject-prefix' must be dot-separated name tokens, got ${describeValue(value)}`, [
      { path: 'subject-prefix', message: "tokens of letters, digits, '_' or '-' separated by '.'" },
    ]);
  }
  return value;
}

const PLAIN = /[A-Za-z0-9_-]/;

/**
 * One subject token for an asset id: letters, digits, '_' and '-' stay; every other character (including '~',
 * '.', '*', '>' and spaces, which NATS reserves) becomes '~' and the two-digit hex of each of its UTF-8 bytes.
 * Reversible by `decodeAssetToken`; distinct ids give distinct tokens.
 */
export function encodeAssetToken(asset: string): string {
  let token = '';
  for (const char of asset) {
    if (PLAIN.test(char)) token += char;
    else for (const byte of Buffer.from(char, 'utf8')) token += `~${byte.toString(16).padStart(2, '0')}`;
  }
  return token;
}

/** The asset id of a subject token made by `encodeAssetToken`. */
export function decodeAssetToken(token: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '~') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The subject an asset's readings are published on. */
export function assetSubject(asset: string, subjectPrefix = DEFAULT_SUBJECT_PREFIX): string {
  return `${subjectPrefix}.${encodeAssetToken(asset)}`;
}

/**
 * Creates the telemetry stream (`<prefix>.>`, file storage, limits retention) or updates the limits of an
 * existing one. Messages stay until their age or the size limit drops them; acknowledgements do not remove them,
 * so a new consumer can replay the retained history.
 */
export async function ensureTelemetryStream(
  jsm: JetStreamManager,
  options: TelemetryStreamOptions = {},
): Promise<void> {
  const name = checkName('stream', options.stream ?? DEFAULT_STREAM);
  const prefix = checkSubjectPrefix(options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX);
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const maxBytes = options.maxBytes ?? -1;
  if (!Number.isInteger(maxAgeMs) || maxAgeMs < 0) {
    throw new ValidationError(`'max-age' must be a whole number of milliseconds >= 0, got ${describeValue(maxAgeMs)}`);
  }
  if (!Number.isInteger(maxBytes) || (maxBytes < 1 && maxBytes !== -1)) {
    throw new ValidationError(`'max-bytes' must be a positive whole number or -1, got ${describeValue(maxBytes)}`);
  }
  // The publish de-duplication window (2 minutes by default) may not exceed the age limit.
  const window = maxAgeMs > 0 ? Math.min(maxAgeMs, DEFAULT_DUPLICATE_WINDOW_MS) : DEFAULT_DUPLICATE_WINDOW_MS;
  const limits = { max_age: nanos(maxAgeMs), max_bytes: maxBytes, duplicate_window: nanos(window) };
  try {
    const info = await jsm.streams.info(name);
    await jsm.streams.update(name, { ...info.config, ...limits });
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add({
      name,
      subjects: [`${prefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      ...limits,
    });
  }
}
