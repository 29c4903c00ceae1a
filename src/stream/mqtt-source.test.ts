import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flakyStore } from '../../test/helpers/flaky-store.js';
import { serviceAvailable } from '../../test/helpers/services.js';
import { waitFor } from '../../test/helpers/wait.js';
import { ManualClock } from '../core/clock.js';
import { ValidationError } from '../core/errors.js';
import type { Reading } from '../core/reading.js';
import { DuckDBStore } from '../store/duckdb.js';
import { DuckDBDeadLetters } from '../store/duckdb-dead-letters.js';
import type { Store } from '../store/store.js';
import { MqttSource, type MqttSourceOptions, mqttClientId } from './mqtt-source.js';

const BROKER = 'mqtt://127.0.0.1:1883';
const up = await serviceAvailable('Mosquitto', 1883);

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

describe('mqttClientId', () => {
  it('is stable for one configuration and differs between configurations', () => {
    const id = mqttClientId(BROKER, 'upkeep/+/telemetry', 'upkeep.duckdb');
    expect(id).toBe(mqttClientId(BROKER, 'upkeep/+/telemetry', 'upkeep.duckdb'));
    expect(id).toMatch(/^upkeep-[0-9a-f]{16}$/);
    expect(mqttClientId(BROKER, 'upkeep/+/telemetry', 'other.duckdb')).not.toBe(id);
    expect(mqttClientId(BROKER, 'plant/+/telemetry', 'upkeep.duckdb')).not.toBe(id);
  });
});

describe('MqttSource options', () => {
  it('rejects a bad topic filter and a bad URL before connecting', async () => {
    const store = await DuckDBStore.open(':memory:');
    try {
      const deadLetters = await DuckDBDeadLetters.open(store);
      await expect(MqttSource.start(store, deadLetters, { url: BROKER, topic: 'upkeep/#/telemetry' })).rejects.toThrow(
        /'mqtt-topic' must be an MQTT topic filter, got "upkeep\/#\/telemetry"/,
      );
      await expect(MqttSource.start(store, deadLetters, { url: 'http://x', topic: 'a/+/b' })).rejects.toBeInstanceOf(
        ValidationError,
      );
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!up)('MqttSource against Mosquitto', () => {
  let store: DuckDBStore;
  let deadLetters: DuckDBDeadLetters;
  let publisher: MqttClient;
  const prefix = `upkeep-test-${randomUUID().slice(0, 8)}`;
  const clock = new ManualClock(T0);
  const started: MqttSource[] = [];
  const clientIds = new Set<string>();

  beforeAll(async () => {
    store = await DuckDBStore.open(':memory:');
    deadLetters = await DuckDBDeadLetters.open(store);
    publisher = await mqtt.connectAsync(BROKER, { clientId: `${prefix}-publisher`, protocolVersion: 5 });
  });

  afterEach(async () => {
    for (const source of started.splice(0)) await source.stop();
  });

  afterAll(async () => {
    await publisher?.endAsync();
    // Ends every persistent session the tests made.
    for (const clientId of clientIds) {
      const cleaner = await mqtt.connectAsync(BROKER, {
        clientId,
        protocolVersion: 5,
        clean: true,
        properties: { sessionExpiryInterval: 0 },
      });
      await cleaner.endAsync();
    }
    await store?.close();
  });

  async function startSource(
    name: string,
    target: Store = store,
    options: Partial<MqttSourceOptions> = {},
  ): Promise<MqttSource> {
    const clientId = `${prefix}-${name}`;
    clientIds.add(clientId);
    const source = await MqttSource.start(target, deadLetters, {
      url: BROKER,
      topic: `${prefix}/${name}/+/telemetry`,
      clientId,
      sessionExpirySeconds: 300,
      initialReconnectMs: 50,
      maxReconnectMs: 400,
      clock,
      ...options,
    });
    started.push(source);
    return source;
  }

  function publish(topic: string, payload: unknown): Promise<unknown> {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return publisher.publishAsync(`${prefix}/${topic}`, body, { qos: 1 });
  }

  it('stores a reading under the asset named by the topic, and one naming its own asset under that', async () => {
    const source = await startSource('single');
    expect(source.clientId).toBe(`${prefix}-single`);
    await publish('single/pump-07/telemetry', { ts: '2026-01-01T00:00:00Z', temperature: 71.5, vibration: 0.5 });
    await publish('single/pump-07/telemetry', { asset: 'motor-02', ts: T0 + 1000, metrics: { current: 12.25 } });
    await waitFor(() => source.stats().storedValues === 3, { timeoutMs: 10_000 });
    expect(await store.queryReadings('pump-07')).toEqual([
      { ts: T0, metric: 'temperature', value: 71.5 },
      { ts: T0, metric: 'vibration', value: 0.5 },
    ]);
    expect(await store.queryReadings('motor-02')).toEqual([{ ts: T0 + 1000, metric: 'current', value: 12.25 }]);
    expect(source.stats()).toMatchObject({ received: 2, storedValues: 3, deadLettered: 0, storeFailures: 0 });
  });

  it('stores an array of readings from one message; readings without a time get the receive time', async () => {
    const source = await startSource('array');
    await publish('array/pump-08/telemetry', [
      { ts: T0 + 60_000, pressure: 2.5 },
      { ts: '2026-01-01T00:02:00Z', pressure: 2.75, temperature: 55 },
      { pressure: 3 },
    ]);
    await waitFor(() => source.stats().storedValues === 4, { timeoutMs: 10_000 });
    expect(await store.queryReadings('pump-08')).toEqual([
      { ts: T0, metric: 'pressure', value: 3 },
      { ts: T0 + 60_000, metric: 'pressure', value: 2.5 },
      { ts: T0 + 120_000, metric: 'pressure', value: 2.75 },
      { ts: T0 + 120_000, metric: 'temperature', value: 55 },
    ]);
    expect(source.stats()).toMatchObject({ received: 1, storedValues: 4, duplicateValues: 0 });
  });

  it('dead-letters bad JSON and invalid readings with the reason and the raw payload, and keeps consuming', async () => {
    const source = await startSource('bad');
    const before = await deadLetters.count();
    await publish('bad/pump-09/telemetry', '{"ts": 1, "temperature": ');
    await publish('bad/pump-09/telemetry', { ts: T0, temperature: 'hot' });
    await publish('bad/pump-09/telemetry', []);
    await publish('bad/pump-09/telemetry', { ts: T0, temperature: 70 });
    await waitFor(() => source.stats().deadLettered === 3 && source.stats().storedValues === 1, { timeoutMs: 10_000 });
    expect(source.stats()).toMatchObject({ received: 4, storedValues: 1, deadLettered: 3, storeFailures: 0 });
    expect(await deadLetters.count()).toBe(before + 3);
    const [empty, invalid, json] = await deadLetters.list({ limit: 3 });
    expect(json?.reason).toMatch(/^invalid JSON: /);
    expect(Buffer.from(json?.payload ?? []).toString('utf8')).toBe('{"ts": 1, "temperature": ');
    expect(json).toMatchObject({ source: 'mqtt', topic: `${prefix}/bad/pump-09/telemetry`, receivedAt: T0 });
    expect(invalid?.reason).toBe('reading 0: metric \'temperature\' must be a finite number, got "hot"');
    expect(empty?.reason).toBe('empty array: no reading');
    expect(await store.queryReadings('pump-09')).toEqual([{ ts: T0, metric: 'temperature', value: 70 }]);
  });

  it('receives what was published while it was stopped (persistent session)', async () => {
    const first = await startSource('offline');
    await first.stop();
    started.splice(started.indexOf(first), 1);
    for (let minute = 0; minute < 5; minute++) {
      await publish('offline/pump-10/telemetry', { ts: T0 + minute * 60_000, temperature: 60 + minute });
    }
    const second = await startSource('offline');
    await waitFor(() => second.stats().storedValues === 5, { timeoutMs: 10_000 });
    const stored = await store.queryReadings('pump-10');
    expect(stored.map((value) => value.value)).toEqual([60, 61, 62, 63, 64]);
  });

  it('commits messages that arrive together in one append, and acknowledges every one', async () => {
    let appends = 0;
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'appendReadings') {
          return (readings: readonly Reading[]) => {
            appends++;
            return target.appendReadings(readings);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const source = await startSource('burst', counting);
    const sends: Promise<unknown>[] = [];
    for (let second = 0; second < 300; second++) {
      sends.push(publish('burst/motor-04/telemetry', { ts: T0 + second * 1000, current: second, rpm: 1500 }));
    }
    await Promise.all(sends);
    await waitFor(() => source.stats().storedValues === 600, { timeoutMs: 10_000 });
    const stats = source.stats();
    expect(stats).toMatchObject({ received: 300, storedValues: 600, duplicateValues: 0, storeFailures: 0 });
    expect(stats.batches).toBe(appends);
    expect(appends).toBeLessThan(150);
    // Every message was acknowledged: a new connection on the same session gets nothing again.
    await source.stop();
    started.splice(started.indexOf(source), 1);
    const again = await startSource('burst', counting);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(again.stats().received).toBe(0);
  });

  it('shares the subscription between several clients: every message stored once, also across a restart', async () => {
    const options = { subscribers: 4 };
    for (let index = 0; index < 4; index++) clientIds.add(`${prefix}-shared-${index}`);
    const first = await startSource('shared', store, options);
    const sends: Promise<unknown>[] = [];
    for (let second = 0; second < 400; second++) {
      sends.push(publish(`shared/pump-${second % 8}/telemetry`, { ts: T0 + second * 1000, flow: second }));
    }
    await Promise.all(sends);
    await waitFor(() => first.stats().storedValues === 400, { timeoutMs: 10_000 });
    await first.stop();
    started.splice(started.indexOf(first), 1);
    // Published while nobody consumes: each message waits in one of the four persistent sessions.
    for (let second = 400; second < 500; second++) {
      await publish(`shared/pump-${second % 8}/telemetry`, { ts: T0 + second * 1000, flow: second });
    }
    const second = await startSource('shared', store, options);
    await waitFor(() => second.stats().storedValues === 100, { timeoutMs: 10_000 });
    expect(second.stats()).toMatchObject({ received: 100, duplicateValues: 0, connected: true });
    let total = 0;
    for (let pump = 0; pump < 8; pump++)
      total += (await store.queryReadings(`pump-${pump}`, { metric: 'flow' })).length;
    expect(total).toBe(500);
  });

  it('does not acknowledge a message whose append fails: the broker delivers it again', async () => {
    const source = await startSource('flaky', flakyStore(store, 1));
    await publish('flaky/pump-11/telemetry', { ts: T0, vibration: 0.75 });
    await waitFor(() => source.stats().storedValues === 1, { timeoutMs: 10_000 });
    expect(source.stats()).toMatchObject({ received: 2, storedValues: 1, storeFailures: 1, deadLettered: 0 });
    expect(await store.queryReadings('pump-11')).toEqual([{ ts: T0, metric: 'vibration', value: 0.75 }]);
    expect(source.stats().connected).toBe(true);
  });
});
