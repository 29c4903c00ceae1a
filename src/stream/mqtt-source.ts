import { createHash } from 'node:crypto';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { type Clock, systemClock } from '../core/clock.js';
import { describeValue, ValidationError } from '../core/errors.js';
import { ASSET_ID_FIELDS, DEFAULT_MAX_READINGS, normaliseReadings, type Reading } from '../core/reading.js';
import type { DeadLetterStore, NewDeadLetter } from '../store/dead-letters.js';
import type { Store } from '../store/store.js';

export const DEFAULT_MQTT_TOPIC = 'upkeep/+/telemetry';
/** How long the broker keeps the session (subscription and queued messages) while Upkeep is away: 7 days. */
export const DEFAULT_SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

export interface MqttSourceOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  url: string;
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

type Outcome = { kind: 'readings'; readings: Reading[] } | { kind: 'rejected'; reason: string };

/**
 * Telemetry from an MQTT broker into the store, at least once: QoS 1 on a persistent session (`clean: false`, a
 * stable client id, a session expiry), so messages published while Upkeep is down wait in the broker. Every
 * message is acknowledged (PUBACK, through MQTT.js `customHandleAcks`) only after its readings are committed to
 * the store — or, when it is malformed (bad JSON, invalid readings), after it is committed to the dead-letter
 * table with the reason and the raw payload. When the store fails the message is not acknowledged: the connection
 * is dropped and re-established with backoff, and the broker delivers it again. The store is idempotent on
 * (asset, metric, ts), so redeliveries are counted as duplicates, not stored twice.
 *
 * MQTT.js hands over the next message only once the previous one is acknowledged, so messages are committed one
 * at a time (a message may carry an array of readings: that is the batching unit).
 */
export class MqttSource {
  private readonly counters = {
    received: 0,
    storedValues: 0,
    duplicateValues: 0,
    deadLettered: 0,
    storeFailures: 0,
  };
  private readonly clock: Clock;
  private readonly log: (line: string) => void;
  private readonly assetLevel: number;
  private readonly maxReadings: number;
  private readonly initialReconnectMs: number;
  private readonly maxReconnectMs: number;
  private client!: MqttClient;
  /** Bumped whenever the connection closes: an ack for a message of an older connection is never sent. */
  private connection = 0;
  private failedAttempts = 0;
  /** Store failures in a row: the reconnect after one waits longer each time. */
  private failedCommits = 0;
  private inFlight: Promise<void> | undefined;
  private stopping = false;

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
    await source.connect(options.sessionExpirySeconds ?? DEFAULT_SESSION_EXPIRY_SECONDS);
    return source;
  }

  stats(): MqttSourceStats {
    return { ...this.counters, connected: this.client.connected };
  }

  /**
   * Stops consuming: waits for the message being committed (and its ack), then disconnects without ending the
   * session, so the broker keeps queueing for the next start. Messages that arrive meanwhile are not acknowledged.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.inFlight;
    await this.client.endAsync();
  }

  /** The reconnect delay after `failures` failures in a row: doubling from the initial delay, capped. */
  private backoff(failures: number): number {
    return Math.min(this.maxReconnectMs, this.initialReconnectMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
  }

  private connect(sessionExpirySeconds: number): Promise<void> {
    const options: IClientOptions = {
      clientId: this.clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: sessionExpirySeconds },
      reconnectPeriod: this.initialReconnectMs,
      connectTimeout: 10_000,
      resubscribe: true,
      customHandleAcks: (topic, message, packet, done) => this.handle(topic, message, packet as IPublishPacket, done),
    };
    const client = mqtt.connect(this.url, options);
    this.client = client;
    client.on('close', () => {
      this.connection++;
    });
    client.on('reconnect', () => {
      // Exponential backoff: the period applies to the wait after this attempt, if it fails.
      this.failedAttempts++;
      client.options.reconnectPeriod = this.backoff(Math.max(this.failedAttempts, this.failedCommits));
    });
    client.on('connect', (connack) => {
      this.failedAttempts = 0;
      client.options.reconnectPeriod = this.initialReconnectMs;
      this.log(
        `mqtt: connected to ${this.url} as ${this.clientId} (session ${connack.sessionPresent ? 'resumed' : 'new'})`,
      );
    });
    client.on('offline', () => this.log(`mqtt: lost ${this.url}, reconnecting`));
    return new Promise<void>((resolve, reject) => {
      let started = false;
      client.on('error', (error) => {
        if (!started) {
          started = true;
          client.end(true);
          reject(
            new ValidationError(`cannot connect to MQTT broker ${this.url}: ${error.message}`, [
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
          new ValidationError(`cannot connect to MQTT broker ${this.url}`, [
            { path: 'mqtt', message: 'connection closed before the subscription was granted' },
          ]),
        );
      });
      client.once('connect', () => {
        client.subscribe(this.topic, { qos: 1 }, (error, granted) => {
          if (started) return;
          started = true;
          const refused = granted?.find((grant) => grant.qos > 2);
          if (error || refused) {
            client.end(true);
            const message = error ? error.message : `subscription to ${this.topic} refused (code ${refused?.qos})`;
            reject(new ValidationError(`MQTT broker ${this.url}: ${message}`, [{ path: 'mqtt-topic', message }]));
            return;
          }
          this.log(`mqtt: subscribed to ${this.topic} (QoS 1)`);
          resolve();
        });
      });
    });
  }

  /** One message: commit, then ack (reason code 0); on a store failure, no ack and a fresh connection. */
  private handle(
    topic: string,
    payload: Buffer,
    packet: IPublishPacket,
    done: (error: Error | number, code?: number) => void,
  ): void {
    if (this.stopping) return;
    const connection = this.connection;
    this.counters.received++;
    const task = this.commit(topic, payload).then(
      () => {
        this.failedCommits = 0;
        if (connection === this.connection) done(0);
      },
      (error: unknown) => {
        this.counters.storeFailures++;
        this.failedCommits++;
        const message = error instanceof Error ? error.message : String(error);
        this.log(`mqtt: message ${packet.messageId ?? ''} on ${topic} not stored, left for redelivery: ${message}`);
        // Without a PUBACK the broker sends the message again only on a new connection.
        if (connection === this.connection && !this.stopping) {
          this.client.options.reconnectPeriod = this.backoff(this.failedCommits);
          this.client.stream.destroy();
        }
      },
    );
    this.inFlight = task;
  }

  private async commit(topic: string, payload: Buffer): Promise<void> {
    const receivedAt = this.clock.now();
    const outcome = this.parse(topic, payload, receivedAt);
    if (outcome.kind === 'rejected') {
      const letter: NewDeadLetter = { receivedAt, source: 'mqtt', topic, reason: outcome.reason, payload };
      await this.deadLetters.add([letter]);
      this.counters.deadLettered++;
      return;
    }
    const result = await this.store.appendReadings(outcome.readings);
    this.counters.storedValues += result.accepted;
    this.counters.duplicateValues += result.duplicates;
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
