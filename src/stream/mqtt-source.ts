import { createHash } from 'node:crypto';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { type Clock, systemClock } from '../core/clock.js';
import { describeValue, ValidationError } from '../core/errors.js';
import { ASSET_ID_FIELDS, DEFAULT_MAX_READINGS, normaliseReadings, type Reading } from '../core/reading.js';
import { withoutCredentials } from '../core/url.js';
import type { DeadLetterStore, NewDeadLetter } from '../store/dead-letters.js';
import type { Store } from '../store/store.js';

export const DEFAULT_MQTT_TOPIC = 'upkeep/+/telemetry';
/** How long the broker keeps the session (subscription and queued messages) while Upkeep is away: 7 days. */
export const DEFAULT_SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

export interface MqttSourceOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  url: string;
  /** Broker credentials from configuration (`UPKEEP_MQTT_USERNAME`/`UPKEEP_MQTT_PASSWORD`); never logged. */
  username?: string;
  password?: string;
  /** Topic filter; the level matched by its first '+' is the asset id of readings that carry none. */
  topic?: string;
  /** Stable id of the persistent session; `mqttClientId(url, topic, scope)` when omitted. */
  clientId?: string;
  /** Folded into the derived client id (e.g. the database), so two Upkeeps on one broker keep separate sessions. */
  scope?: string;
  sessionExpirySeconds?: number;
  /** First reconnect delay; doubled after every failed attempt up to `maxReconnectMs`. */
  initialReconnectMs?: number;
  maxReconnectMs?: number;
  /** Most messages committed together. */
  maxBatch?: number;
  /**
   * MQTT connections sharing the subscription (default 1). Mosquitto lets each connection have only 20
   * unacknowledged messages in flight (`max_inflight_messages`), and the consumer acknowledges only after the
   * commit, so one connection caps throughput at 20 messages per commit round trip. With N > 1 the topic is
   * subscribed as the shared subscription `$share/<client id>/<topic>` by N clients (`<client id>-0` …), each with
   * its own window and persistent session, committing together. Keep N stable across restarts: a session left
   * behind by a smaller N keeps its queued messages until it expires.
   */
  subscribers?: number;
  /**
   * Most unacknowledged messages the broker may send at once (MQTT 5 Receive Maximum, default 65,535): the
   * consumer acknowledges only after the commit, so this window is what lets commits be large.
   */
  receiveMaximum?: number;
  /** Largest accepted message, in readings; a bigger one is dead-lettered. */
  maxReadings?: number;
  /** Receive time given to readings without one, and the time of dead letters. */
  clock?: Clock;
  /** Where connection events and store failures are reported (one line each). */
  log?: (line: string) => void;
}

export interface MqttSourceStats {
  /** Messages handed to the consumer, redeliveries included. */
  received: number;
  /** Metric values newly stored. */
  storedValues: number;
  /** Metric values that were already stored (redeliveries, replays). */
  duplicateValues: number;
  /** Messages rejected into the dead-letter table. */
  deadLettered: number;
  /** Messages left unacknowledged because the store failed (the broker delivers them again). */
  storeFailures: number;
  /** Commits made: fewer than messages when messages arrive together. */
  batches: number;
  connected: boolean;
}

/** A stable client id for a subscription: the same configuration resumes the same persistent session. */
export function mqttClientId(url: string, topic: string, scope = ''): string {
  const digest = createHash('sha256').update(`${url}\n${topic}\n${scope}`).digest('hex');
  return `upkeep-${digest.slice(0, 16)}`;
}

/** Index of the topic level that names the asset (the filter's first '+'), or -1. */
function assetLevel(topic: string): number {
  const levels = topic.split('/');
  for (let level = 0; level < levels.length; level++) {
    const part = levels[level] as string;
    if (part === '#') return -1;
    if (part === '+') return level;
  }
  return -1;
}

function checkTopic(topic: unknown): string {
  const valid =
    typeof topic === 'string' &&
    topic.length > 0 &&
    topic.split('/').every((level, index, levels) => {
      if (level === '#') return index === levels.length - 1;
      return level === '+' || !/[+#]/.test(level);
    });
  if (!valid) {
    throw new ValidationError(`'mqtt-topic' must be an MQTT topic filter, got ${describeValue(topic)}`, [
      { path: 'mqtt-topic', message: "levels separated by '/', '+' for one level, '#' only last" },
    ]);
  }
  return topic as string;
}

function checkUrl(url: unknown): string {
  if (typeof url !== 'string' || !/^(mqtts?|wss?|tcp|tls):\/\/[^/]+/i.test(url)) {
    throw new ValidationError(`'mqtt' must be a broker URL such as mqtt://127.0.0.1:1883, got ${describeValue(url)}`, [
      { path: 'mqtt', message: 'mqtt://, mqtts://, ws:// or wss:// URL' },
    ]);
  }
  return url;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Gives the topic's asset id to every reading of the message that names none. */
function withTopicAsset(items: unknown[], asset: string | undefined): unknown[] {
  if (asset === undefined || asset.length === 0) return items;
  return items.map((item) => {
    if (!isPlainObject(item)) return item;
    for (const field of ASSET_ID_FIELDS) if (item[field] !== undefined && item[field] !== null) return item;
    return { asset, ...item };
  });
}

/** One MQTT connection of the consumer. */
interface Subscriber {
  client: MqttClient;
  clientId: string;
  /** Bumped whenever the connection closes: an ack for a message of an older connection is never sent. */
  connection: number;
  failedAttempts: number;
}

interface QueuedMessage {
  topic: string;
  payload: Buffer;
  /** Undefined for a QoS 0 message (nothing to acknowledge). */
  messageId: number | undefined;
  /** The client it arrived on, and that client's connection at the time. */
  subscriber: Subscriber;
  connection: number;
}

/** MQTT.js's packet writer: how a PUBACK is sent once the message is committed. */
interface PacketSender {
  _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }): void;
}

/** Tells MQTT.js not to send the PUBACK itself (the consumer sends it after the commit). */
const ACK_LATER = new Error('acknowledged after the commit');

type Outcome = { kind: 'readings'; readings: Reading[] } | { kind: 'rejected'; reason: string };

/**
 * Telemetry from an MQTT broker into the store, at least once: QoS 1 on a persistent session (`clean: false`, a
 * stable client id, a session expiry), so messages published while Upkeep is down wait in the broker. Every
 * message is acknowledged (PUBACK) only after its readings are committed to the store — or, when it is malformed (bad JSON, invalid readings), after it is committed to the dead-letter
 * table with the reason and the raw payload. When the store fails the message is not acknowledged: the connection
 * is dropped and re-established with backoff, and the broker delivers it again. The store is idempotent on
 * (asset, metric, ts), so redeliveries are counted as duplicates, not stored twice.
 *
 * Messages that arrive while a commit runs are committed together in the next one (one append for all their
 * readings), then acknowledged in arrival order. How many arrive together is bounded by the broker's in-flight
 * window for the client (Mosquitto's `max_inflight_messages`, 20 by default).
 */
export class MqttSource {
  private readonly counters = {
    received: 0,
    storedValues: 0,
    duplicateValues: 0,
    deadLettered: 0,
    storeFailures: 0,
    batches: 0,
  };
  private readonly clock: Clock;
  private readonly log: (line: string) => void;
  private readonly assetLevel: number;
  private readonly maxReadings: number;
  private readonly initialReconnectMs: number;
  private readonly maxReconnectMs: number;
  private readonly subscribers: Subscriber[] = [];
  private readonly subscriberCount: number;
  /** Store failures in a row: the reconnect after one waits longer each time. */
  private failedCommits = 0;
  private readonly maxBatch: number;
  private readonly receiveMaximum: number;
  private readonly queue: QueuedMessage[] = [];
  private draining: Promise<void> | undefined;
  private stopping = false;
  private readonly credentials: Pick<IClientOptions, 'username' | 'password'>;
  /** The URL as log lines and errors show it: no `user:password@`, no query string. */
  private readonly shownUrl: string;

  private constructor(
    private readonly store: Store,
    private readonly deadLetters: DeadLetterStore,
    readonly url: string,
    readonly topic: string,
    readonly clientId: string,
    options: MqttSourceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? (() => undefined);
    this.assetLevel = assetLevel(topic);
    this.maxReadings = options.maxReadings ?? DEFAULT_MAX_READINGS;
    this.initialReconnectMs = options.initialReconnectMs ?? 500;
    this.maxReconnectMs = options.maxReconnectMs ?? 30_000;
    this.maxBatch = options.maxBatch ?? 5000;
    this.subscriberCount = options.subscribers ?? 1;
    if (!Number.isInteger(this.subscriberCount) || this.subscriberCount < 1 || this.subscriberCount > 256) {
      throw new ValidationError(
        `'mqtt-subscribers' must be a whole number from 1 to 256, got ${describeValue(options.subscribers)}`,
        [{ path: 'mqtt-subscribers', message: 'whole number from 1 to 256' }],
      );
    }
    this.receiveMaximum = options.receiveMaximum ?? 65_535;
    this.credentials = {
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
    };
    this.shownUrl = withoutCredentials(url);
  }

  /**
   * Connects, subscribes and starts consuming; resolves once the subscription is granted. Rejects (and gives up)
   * when the first connection fails, so a wrong URL is reported at start-up; later drops are retried forever.
   */
  static async start(store: Store, deadLetters: DeadLetterStore, options: MqttSourceOptions): Promise<MqttSource> {
    const url = checkUrl(options.url);
    const topic = checkTopic(options.topic ?? DEFAULT_MQTT_TOPIC);
    const clientId = options.clientId ?? mqttClientId(url, topic, options.scope);
    const source = new MqttSource(store, deadLetters, url, topic, clientId, options);
    const expiry = options.sessionExpirySeconds ?? DEFAULT_SESSION_EXPIRY_SECONDS;
    const connecting = Array.from({ length: source.subscriberCount }, (_, index) => source.connect(index, expiry));
    const outcomes = await Promise.allSettled(connecting);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) {
      for (const subscriber of source.subscribers) subscriber.client.end(true);
      throw failed.reason;
    }
    source.log(
      `mqtt: subscribed to ${topic} (QoS 1)${source.subscriberCount > 1 ? ` with ${source.subscriberCount} shared clients` : ''}`,
    );
    return source;
  }

  stats(): MqttSourceStats {
    return { ...this.counters, connected: this.subscribers.every((subscriber) => subscriber.client.connected) };
  }

  /**
   * Stops consuming: waits for the message being committed (and its ack), then disconnects without ending the
   * session, so the broker keeps queueing for the next start. Messages that arrive meanwhile are not acknowledged.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.draining;
    await Promise.all(this.subscribers.map((subscriber) => subscriber.client.endAsync()));
  }

  /** The reconnect delay after `failures` failures in a row: doubling from the initial delay, capped. */
  private backoff(failures: number): number {
    return Math.min(this.maxReconnectMs, this.initialReconnectMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
  }

  private connect(index: number, sessionExpirySeconds: number): Promise<void> {
    const shared = this.subscriberCount > 1;
    const clientId = shared ? `${this.clientId}-${index}` : this.clientId;
    // A shared subscription's group name may not contain '/', '+' or '#'.
    const filter = shared ? `$share/${this.clientId.replace(/[/+#]/g, '_')}/${this.topic}` : this.topic;
    const options: IClientOptions = {
      clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: sessionExpirySeconds, receiveMaximum: this.receiveMaximum },
      reconnectPeriod: this.initialReconnectMs,
      connectTimeout: 10_000,
      resubscribe: true,
      ...this.credentials,
    };
    const client = mqtt.connect(this.url, options);
    const subscriber: Subscriber = { client, clientId, connection: 0, failedAttempts: 0 };
    this.subscribers.push(subscriber);
    client.handleMessage = (packet, callback) => this.receive(subscriber, packet, callback);
    client.on('close', () => {
      subscriber.connection++;
    });
    client.on('reconnect', () => {
      // Exponential backoff: the period applies to the wait after this attempt, if it fails.
      subscriber.failedAttempts++;
      client.options.reconnectPeriod = this.backoff(Math.max(subscriber.failedAttempts, this.failedCommits));
    });
    client.on('connect', (connack) => {
      subscriber.failedAttempts = 0;
      client.options.reconnectPeriod = this.initialReconnectMs;
      this.log(
        `mqtt: connected to ${this.shownUrl} as ${clientId} (session ${connack.sessionPresent ? 'resumed' : 'new'})`,
      );
    });
    client.on('offline', () => this.log(`mqtt: ${clientId} lost ${this.shownUrl}, reconnecting`));
    return new Promise<void>((resolve, reject) => {
      let started = false;
      client.on('error', (error) => {
        if (!started) {
          started = true;
          client.end(true);
          reject(
            new ValidationError(`cannot connect to MQTT broker ${this.shownUrl}: ${error.message}`, [
              { path: 'mqtt', message: error.message },
            ]),
          );
          return;
        }
        this.log(`mqtt: ${error.message}`);
      });
      client.once('close', () => {
        if (started) return;
        started = true;
        client.end(true);
        reject(
          new ValidationError(`cannot connect to MQTT broker ${this.shownUrl}`, [
            { path: 'mqtt', message: 'connection closed before the subscription was granted' },
          ]),
        );
      });
      client.once('connect', () => {
        client.subscribe(filter, { qos: 1 }, (error, granted) => {
          if (started) return;
          started = true;
          const refused = granted?.find((grant) => grant.qos > 2);
          if (error || refused) {
            client.end(true);
            const message = error ? error.message : `subscription to ${filter} refused (code ${refused?.qos})`;
            reject(new ValidationError(`MQTT broker ${this.shownUrl}: ${message}`, [{ path: 'mqtt-topic', message }]));
            return;
          }
          resolve();
        });
      });
    });
  }

  /**
   * MQTT.js calls this for every PUBLISH and sends the PUBACK when `callback` is called without an error; with an
   * error it sends none and moves on to the next packet. So the message is queued, the packet pump released at
   * once (no PUBACK yet), and the PUBACK sent by `drain` after the commit: messages that arrive while a commit is
   * running are committed together in the next one.
   */
  private receive(subscriber: Subscriber, packet: IPublishPacket, callback: (error?: Error) => void): void {
    if (!this.stopping) {
      this.counters.received++;
      this.queue.push({
        topic: packet.topic,
        payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
        messageId: packet.qos > 0 ? packet.messageId : undefined,
        subscriber,
        connection: subscriber.connection,
      });
      if (!this.draining) this.draining = this.drain();
    }
    callback(ACK_LATER);
  }

  /** Commits queued messages, a batch at a time, acknowledging each batch after its commit. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.commit(batch);
          this.failedCommits = 0;
        } catch (error) {
          this.counters.storeFailures += batch.length;
          this.failedCommits++;
          const reason = error instanceof Error ? error.message : String(error);
          this.log(`mqtt: ${batch.length} message(s) not stored, left for redelivery: ${reason}`);
          // Without a PUBACK the broker sends a message again only on a new connection; what is queued behind the
          // failed batch is not acknowledged either (PUBACKs go in arrival order) and comes back with it.
          this.queue.length = 0;
          for (const subscriber of this.subscribers) {
            if (this.stopping || !subscriber.client.connected) continue;
            subscriber.client.options.reconnectPeriod = this.backoff(this.failedCommits);
            // Nothing that still arrives on the dropped connection is acknowledged on it.
            subscriber.connection++;
            subscriber.client.stream.destroy();
          }
          return;
        }
        this.acknowledge(batch);
      }
    } finally {
      this.draining = undefined;
    }
  }

  /** PUBACKs for a committed batch, in arrival order per client, written together (one socket write per client). */
  private acknowledge(batch: readonly QueuedMessage[]): void {
    const corked = new Set<Subscriber>();
    for (const message of batch) {
      const { subscriber } = message;
      // A message of an earlier connection is delivered again by the broker: never ack it on this one.
      if (message.messageId === undefined || message.connection !== subscriber.connection) continue;
      if (!subscriber.client.connected) continue;
      if (!corked.has(subscriber)) {
        corked.add(subscriber);
        subscriber.client.stream.cork();
      }
      (subscriber.client as unknown as PacketSender)._sendPacket({
        cmd: 'puback',
        messageId: message.messageId,
        reasonCode: 0,
      });
    }
    for (const subscriber of corked) subscriber.client.stream.uncork();
  }

  /** One transaction for the readings of the batch, one for its dead letters. */
  private async commit(batch: readonly QueuedMessage[]): Promise<void> {
    const receivedAt = this.clock.now();
    const readings: Reading[] = [];
    const letters: NewDeadLetter[] = [];
    for (const { topic, payload } of batch) {
      const outcome = this.parse(topic, payload, receivedAt);
      if (outcome.kind === 'rejected') {
        letters.push({ receivedAt, source: 'mqtt', topic, reason: outcome.reason, payload });
      } else {
        for (const reading of outcome.readings) readings.push(reading);
      }
    }
    if (readings.length > 0) {
      const result = await this.store.appendReadings(readings);
      this.counters.storedValues += result.accepted;
      this.counters.duplicateValues += result.duplicates;
    }
    if (letters.length > 0) {
      await this.deadLetters.add(letters);
      this.counters.deadLettered += letters.length;
    }
    this.counters.batches++;
  }

  private parse(topic: string, payload: Buffer, receivedAt: number): Outcome {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      return { kind: 'rejected', reason: `invalid JSON: ${(error as Error).message}` };
    }
    const items = Array.isArray(body) ? body : [body];
    if (items.length === 0) return { kind: 'rejected', reason: 'empty array: no reading' };
    const asset = this.assetLevel >= 0 ? topic.split('/')[this.assetLevel] : undefined;
    try {
      const readings = normaliseReadings(withTopicAsset(items, asset), { receivedAt, maxReadings: this.maxReadings });
      return { kind: 'readings', readings };
    } catch (error) {
      return { kind: 'rejected', reason: error instanceof Error ? error.message : String(error) };
    }
  }
}
