import { randomUUID } from 'node:crypto';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { flakyStore } from '../../test/helpers/flaky-store.js';
import { serviceAvailable } from '../../test/helpers/services.js';
import { waitFor } from '../../test/helpers/wait.js';
import { gatewayApp } from '../cli/commands/gateway.js';
import { ValidationError } from '../core/errors.js';
import { groupByAsset, type Reading } from '../core/reading.js';
import { DuckDBStore } from '../store/duckdb.js';
import type { Store } from '../store/store.js';
import { assetSubject, checkName, decodeAssetToken, encodeAssetToken, ensureTelemetryStream } from './jetstream.js';
import { publishReadings } from './jetstream-publisher.js';
import { JetStreamWorker, type JetStreamWorkerOptions } from './jetstream-worker.js';

const up = await serviceAvailable('NATS', 4222);

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

/** `count` readings per asset, one a second from T0, each with two metrics. */
function readingsOf(assets: readonly string[], count: number): Reading[] {
  const readings: Reading[] = [];
  for (let i = 0; i < count; i++) {
    for (const asset of assets) readings.push({ asset, ts: T0 + i * 1000, metrics: { temp: 20 + i, vib: i / 10 } });
  }
  return readings;
}

async function storedValues(store: Store, asset: string): Promise<number> {
  return (await store.queryReadings(asset)).length;
}

describe('subject encoding', () => {
  it('keeps plain ids and escapes the characters NATS reserves, reversibly', () => {
    expect(encodeAssetToken('pump-01_A')).toBe('pump-01_A');
    // '.' is 0x2e, ' ' 0x20, '*' 0x2a, '>' 0x3e, '~' 0x7e; 'é' is C3 A9 in UTF-8.
    expect(encodeAssetToken('line 1.pump*>~é')).toBe('line~201~2epump~2a~3e~7e~c3~a9');
    for (const id of ['line 1.pump*>~é', 'a~2eb', 'a.b', '泵-7', ''])
      expect(decodeAssetToken(encodeAssetToken(id))).toBe(id);
    expect(encodeAssetToken('a.b')).not.toBe(encodeAssetToken('a~2eb'));
    expect(assetSubject('a.b', 'telemetry')).toBe('telemetry.a~2eb');
  });

  it('rejects stream names NATS cannot use, naming the field', () => {
    expect(() => checkName('stream', 'TELE.METRY')).toThrow(ValidationError);
    expect(() => checkName('durable', 'a b')).toThrow(/'durable'/);
  });

  it('groups readings per asset in first-seen order', () => {
    const groups = groupByAsset(readingsOf(['b', 'a'], 2));
    expect([...groups.keys()]).toEqual(['b', 'a']);
    expect(groups.get('a')?.map((r) => r.ts)).toEqual([T0, T0 + 1000]);
  });
});

describe.skipIf(!up)('JetStream telemetry stream', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  let stream: string;
  let prefix: string;
  let store: DuckDBStore;
  const workers: JetStreamWorker[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: 'nats://127.0.0.1:4222' });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
  });

  afterAll(async () => {
    await nc?.close();
  });

  beforeEach(async () => {
    const suffix = randomUUID().slice(0, 8);
    stream = `UPKEEP_TEST_${suffix}`;
    prefix = `upkeep-test-${suffix}`;
    await ensureTelemetryStream(jsm, {
      stream,
      subjectPrefix: prefix,
      maxAgeMs: 3_600_000,
      maxBytes: 64 * 1024 * 1024,
    });
    store = await DuckDBStore.open(':memory:');
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await jsm.streams.delete(stream).catch(() => {});
    await store.close();
  });

  function startWorker(target: Store, options: JetStreamWorkerOptions = {}): Promise<JetStreamWorker> {
    const worker = new JetStreamWorker(nc, target, {
      stream,
      subjectPrefix: prefix,
      durable: 'workers',
      retryDelayMs: 100,
      ...options,
    });
    workers.push(worker);
    return worker.start().then(() => worker);
  }

  it('creates the stream with the configured subjects and limits, and updates the limits', async () => {
    const info = await jsm.streams.info(stream);
    expect(info.config.subjects).toEqual([`${prefix}.>`]);
    // 3,600,000 ms in nanoseconds.
    expect(info.config.max_age).toBe(3_600_000_000_000);
    expect(info.config.max_bytes).toBe(64 * 1024 * 1024);
    await ensureTelemetryStream(jsm, { stream, subjectPrefix: prefix, maxAgeMs: 60_000, maxBytes: 1024 * 1024 });
    const updated = await jsm.streams.info(stream);
    expect(updated.config.max_age).toBe(60_000_000_000);
    expect(updated.config.max_bytes).toBe(1024 * 1024);
  });

  it('stores published readings through a worker', async () => {
    const assets = ['pump-01', 'line 1.pump*>'];
    // 2 assets × 25 readings × 2 metrics = 100 values; 25 readings per asset in messages of 10 → 3 messages each.
    const published = await publishReadings(js, readingsOf(assets, 25), {
      subjectPrefix: prefix,
      readingsPerMessage: 10,
    });
    expect(published).toEqual({ messages: 6, readings: 50, values: 100 });
    expect((await jsm.streams.info(stream)).state.messages).toBe(6);
    const worker = await startWorker(store);
    await waitFor(() => worker.stats.acked === 6);
    expect(worker.stats).toMatchObject({ received: 6, storedValues: 100, duplicateValues: 0, malformed: 0 });
    expect(await storedValues(store, 'pump-01')).toBe(50);
    const odd = await store.queryReadings('line 1.pump*>', { metric: 'temp' });
    expect(odd.map((v) => v.value)).toEqual(Array.from({ length: 25 }, (_, i) => 20 + i));
    expect(odd[24]?.ts).toBe(T0 + 24_000);
  });

  it('shares one durable consumer between two workers with nothing lost or stored twice', async () => {
    const assets = Array.from({ length: 200 }, (_, i) => `asset-${i}`);
    // 200 assets × 3 readings × 2 metrics = 1200 values in 200 messages.
    await publishReadings(js, readingsOf(assets, 3), { subjectPrefix: prefix });
    const a = await startWorker(store, { batch: 5 });
    const b = await startWorker(store, { batch: 5 });
    await waitFor(() => a.stats.acked + b.stats.acked === 200);
    expect(a.stats.received).toBeGreaterThan(0);
    expect(b.stats.received).toBeGreaterThan(0);
    expect(a.stats.received + b.stats.received).toBe(200);
    expect(a.stats.storedValues + b.stats.storedValues).toBe(1200);
    expect(a.stats.duplicateValues + b.stats.duplicateValues).toBe(0);
    const summaries = await store.listAssets({ limit: 1000 });
    expect(summaries).toHaveLength(200);
    for (const asset of assets) expect(await storedValues(store, asset)).toBe(6);
  });

  it('redelivers a batch the store failed to commit, then stores it', async () => {
    const lines: string[] = [];
    await publishReadings(js, readingsOf(['pump-01'], 4), { subjectPrefix: prefix });
    const worker = await startWorker(flakyStore(store, 1), { log: (line) => lines.push(line) });
    await waitFor(() => worker.stats.acked === 1);
    expect(worker.stats).toMatchObject({ received: 2, storeFailures: 1, storedValues: 8, duplicateValues: 0 });
    expect(lines.some((line) => line.includes('disk full'))).toBe(true);
    expect(await storedValues(store, 'pump-01')).toBe(8);
  });

  it('terminates malformed messages, counts and logs them, and keeps consuming', async () => {
    const lines: string[] = [];
    await js.publish(`${prefix}.pump-01`, 'not json');
    await js.publish(`${prefix}.pump-01`, JSON.stringify([{ asset: 'pump-01', ts: T0 }]));
    await js.publish(`${prefix}.pump-01`, JSON.stringify([{ asset: 'pump-02', ts: T0, metrics: { temp: 1 } }]));
    await publishReadings(js, readingsOf(['pump-01'], 2), { subjectPrefix: prefix });
    const worker = await startWorker(store, { log: (line) => lines.push(line) });
    await waitFor(() => worker.stats.acked === 1 && worker.stats.malformed === 3).catch((error) => {
      throw new Error(`${error}: ${JSON.stringify(worker.stats)} ${lines.join(' | ')}`);
    });
    expect(worker.stats.storedValues).toBe(4);
    expect(lines.filter((line) => line.includes('malformed'))).toHaveLength(3);
    expect(lines.join('\n')).toMatch(/not JSON/);
    expect(await store.getAsset('pump-02')).toBeUndefined();
    // Terminated messages are not redelivered: nothing is left pending on the consumer.
    await waitFor(async () => (await jsm.consumers.info(stream, 'workers')).num_ack_pending === 0);
    expect((await jsm.consumers.info(stream, 'workers')).num_pending).toBe(0);
  });

  it('gateway: validates a body, publishes it and answers 202 with counts', async () => {
    const app = gatewayApp(js, { subjectPrefix: prefix });
    const ok = await app.request('/v1/readings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { asset: 'pump-01', ts: '2026-01-01T00:00:00Z', metrics: { temp: 70, vib: 0.5 } },
        { asset: 'pump-02', ts: T0, metrics: { temp: 71 } },
      ]),
    });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ accepted: 3, readings: 2, messages: 2 });
    const bad = await app.request('/v1/readings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ asset: 'pump-01', ts: T0 }]),
    });
    expect(bad.status).toBe(400);
    expect((await jsm.streams.info(stream)).state.messages).toBe(2);
    const worker = await startWorker(store);
    await waitFor(() => worker.stats.acked === 2);
    expect(await store.latestValues('pump-01')).toEqual({ temp: { ts: T0, value: 70 }, vib: { ts: T0, value: 0.5 } });
  });
});
