import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats, type NatsConnection } from '@nats-io/transport-node';
import mqtt, { type MqttClient } from 'mqtt';
import { describeValue, ValidationError } from '../core/errors.js';
import type { Reading } from '../core/reading.js';
import { DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX, ensureTelemetryStream } from './jetstream.js';
import { publishReadings } from './jetstream-publisher.js';

/** Where `upkeep simulate` sends telemetry: a running server, an MQTT broker or a JetStream stream. */
export interface TelemetrySink {
  readonly description: string;
  /** Sends readings as messages of at most the sink's batch size; resolves once every one was accepted. */
  send(readings: readonly Reading[]): Promise<void>;
  close(): Promise<void>;
}

export interface SinkOptions {
  /** Readings per request / message. */
  batch: number;
  /** HTTP: the API key (sent as a Bearer token). */
  apiKey?: string;
  /** MQTT: topic of a message; `{asset}` becomes the asset id (or `fleet` for a message of several assets). */
  topic?: string;
  /** NATS: stream and subject prefix. */
  stream?: string;
  subjectPrefix?: string;
  /** Most requests / unacknowledged messages in flight at once. */
  window?: number;
  /** Where retries are reported. */
  log?: (line: string) => void;
}

export const DEFAULT_SIMULATE_TOPIC = 'upkeep/{asset}/telemetry';

/** Splits readings into messages of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Runs `task` over the items with at most `limit` in flight; rejects with the first failure. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++] as T);
  });
  await Promise.all(lanes);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POST /v1/readings: a 429 or 503 is retried after its Retry-After; any other refusal fails. */
class HttpSink implements TelemetrySink {
  readonly description: string;
  private readonly endpoint: string;

  constructor(
    url: URL,
    private readonly options: SinkOptions,
  ) {
    const path = url.pathname === '/' || url.pathname === '' ? '/v1/readings' : url.pathname;
    this.endpoint = `${url.origin}${path}`;
    this.description = this.endpoint;
  }

  async send(readings: readonly Reading[]): Promise<void> {
    await inParallel(chunk(readings, this.options.batch), this.options.window ?? 4, (part) => this.post(part));
  }

  private async post(readings: readonly Reading[]): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const body = JSON.stringify(readings);
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(this.endpoint, { method: 'POST', headers, body });
      if (response.ok) {
        await response.arrayBuffer();
        return;
      }
      const text = await response.text();
      if ((response.status === 503 || response.status === 429) && attempt < 60) {
        const seconds = Number(response.headers.get('retry-after') ?? 1);
        this.options.log?.(`simulate: ${this.endpoint} answered ${response.status}, retrying in ${seconds} s`);
        await sleep(Math.max(0.05, Number.isFinite(seconds) ? seconds : 1) * 1000);
        continue;
      }
      throw new ValidationError(`${this.endpoint} answered ${response.status}: ${text.slice(0, 300)}`);
    }
  }

  async close(): Promise<void> {}
}

/** QoS 1 publishes; resolves once the broker acknowledged (PUBACK) every message. */
class MqttSink implements TelemetrySink {
  readonly description: string;
  private readonly topic: string;

  private constructor(
    private readonly client: MqttClient,
    url: string,
    private readonly options: SinkOptions,
  ) {
    this.topic = options.topic ?? DEFAULT_SIMULATE_TOPIC;
    this.description = `${url} (${this.topic})`;
  }

  static async open(url: string, options: SinkOptions): Promise<MqttSink> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 1000, connectTimeout: 10_000 });
    return new MqttSink(client, url, options);
  }

  async send(readings: readonly Reading[]): Promise<void> {
    await inParallel(chunk(readings, this.options.batch), this.options.window ?? 1000, (part) => {
      const first = (part[0] as Reading).asset;
      const asset = part.every((reading) => reading.asset === first) ? first : 'fleet';
      const body = JSON.stringify(part.length === 1 ? part[0] : part);
      return this.client.publishAsync(this.topic.replaceAll('{asset}', asset), body, { qos: 1 }).then(() => {});
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** JetStream publishes (one message per asset per batch); resolves once the stream stored every message. */
class NatsSink implements TelemetrySink {
  readonly description: string;

  private constructor(
    private readonly nc: NatsConnection,
    url: string,
    private readonly options: SinkOptions,
  ) {
    this.description = `${url} (stream ${options.stream ?? DEFAULT_STREAM})`;
  }

  static async open(url: string, options: SinkOptions): Promise<NatsSink> {
    const nc = await connectNats({ servers: url, name: 'upkeep-simulate' });
    try {
      await ensureTelemetryStream(await jetstreamManager(nc), {
        stream: options.stream,
        subjectPrefix: options.subjectPrefix,
      });
    } catch (error) {
      await nc.close();
      throw error;
    }
    return new NatsSink(nc, url, options);
  }

  async send(readings: readonly Reading[]): Promise<void> {
    const js = jetstream(this.nc);
    const prefix = this.options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    // Several per-asset messages of one batch go out together; bound how many batches wait for their acks.
    await inParallel(chunk(readings, this.options.batch * 64), this.options.window ?? 4, async (part) => {
      await publishReadings(js, part, { subjectPrefix: prefix, readingsPerMessage: this.options.batch });
    });
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}

/** Opens the sink a `--to` URL names: http(s)://, mqtt(s)://, or nats://. */
export async function openSink(to: string, options: SinkOptions): Promise<TelemetrySink> {
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    url = new URL('invalid:');
  }
  switch (url.protocol) {
    case 'http:':
    case 'https:':
      return new HttpSink(url, options);
    case 'mqtt:':
    case 'mqtts:':
      return MqttSink.open(to, options);
    case 'nats:':
      return NatsSink.open(to, options);
    default:
      throw new ValidationError(`'to' must be an http://, mqtt:// or nats:// URL, got ${describeValue(to)}`, [
        { path: 'to', message: 'http://host:port, mqtt://host:port or nats://host:port' },
      ]);
  }
}
