import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Reading } from '../src/core/reading.js';
import { DuckDBStore } from '../src/store/duckdb.js';
import { DuckDBDeadLetters } from '../src/store/duckdb-dead-letters.js';
import { PostgresStore, quoteIdentifier } from '../src/store/postgres.js';
import { ensureTelemetryStream } from '../src/stream/jetstream.js';
import { publishReadings } from '../src/stream/jetstream-publisher.js';
import { JetStreamWorker } from '../src/stream/jetstream-worker.js';
import { MqttSource } from '../src/stream/mqtt-source.js';
import { MAIN } from './helpers/cli.js';
import { ROOT } from './helpers/paths.js';
import { serviceAvailable } from './helpers/services.js';
import { waitFor } from './helpers/wait.js';

/**
 * Fault tests of the streaming path against the real services: a worker killed mid-stream, the MQTT consumer
 * stopped mid-stream, PostgreSQL connections terminated mid-stream. Each ends with every reading stored exactly once.
 */

const PG_URL = process.env.UPKEEP_TEST_POSTGRES ?? 'postgres://127.0.0.1:5432/test';
const NATS_URL = 'nats://127.0.0.1:4222';
const BROKER = 'mqtt://127.0.0.1:1883';
const pgUp = await serviceAvailable('PostgreSQL', 5432);
const natsUp = await serviceAvailable('NATS JetStream', 4222);
const mqttUp = await serviceAvailable('Mosquitto', 1883);

const RUN = randomBytes(4).toString('hex');
/** 2026-01-01T00:00:00Z. */
const T0 = Date.UTC(2026, 0, 1);
const schemas: string[] = [];
const streams: string[] = [];

afterAll(async () => {
  if (pgUp && schemas.length > 0) {
    const client = adminClient();
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await client.end();
  }
  if (natsUp && streams.length > 0) {
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for (const stream of streams) await jsm.streams.delete(stream).catch(() => {});
    await nc.close();
  }
});

/** A plain connection for the checks (the OS user, as the store connects without one in the URL). */
function adminClient(): pg.Client {
  const url = new URL(PG_URL);
  if (url.username === '') url.username = process.env.PGUSER ?? userInfo().username;
  return new pg.Client({ connectionString: url.toString() });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` readings of one metric `v` over `assets` assets, value = index: their sum checks the content. */
function readings(count: number, assets: number): Reading[] {
  return Array.from({ length: count }, (_, index) => ({
    asset: `a${index % assets}`,
    ts: T0 + Math.floor(index / assets) * 1000,
    metrics: { v: index },
  }));
}
const sumOf = (count: number) => (count * (count - 1)) / 2;

/** Count and sum of the stored values of one schema (a connection of its own, outside any store). */
async function tally(schema: string): Promise<{ count: number; sum: number }> {
  const client = adminClient();
  await client.connect();
  try {
    const result = await client.query<{ count: string; sum: string | null }>(
      `SELECT count(*) AS count, sum(value) AS sum FROM ${quoteIdentifier(schema)}.readings`,
    );
    return { count: Number(result.rows[0]?.count), sum: Number(result.rows[0]?.sum ?? 0) };
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return { count: 0, sum: 0 };
    throw error;
  } finally {
    await client.end();
  }
}

interface StreamNames {
  stream: string;
  prefix: string;
  durable: string;
  schema: string;
}

function names(tag: string): StreamNames {
  const names = {
    stream: `FAULTS_${RUN}_${tag}`,
    prefix: `faults${RUN}${tag}`,
    durable: `workers-${RUN}-${tag}`,
    schema: `upkeep_faults_${RUN}_${tag}`,
  };
  streams.push(names.stream);
  schemas.push(names.schema);
  return names;
}

/** Messages still to be delivered or acknowledged on the consumer. */
async function outstanding(nc: NatsConnection, n: StreamNames): Promise<number> {
  const info = await (await jetstreamManager(nc)).consumers.info(n.stream, n.durable);
  return info.num_pending + info.num_ack_pending;
}

/** `upkeep worker` as its own Node process (no tsx wrapper in between, so SIGKILL hits the worker itself). */
function startWorker(n: StreamNames, dbUrl: string): Promise<ChildProcess> {
  const args = ['--import', 'tsx', MAIN, 'worker', '--nats', NATS_URL, '--db', dbUrl];
  args.push('--stream', n.stream, '--subject-prefix', n.prefix, '--durable', n.durable);
  args.push('--batch', '20', '--ack-wait', '2000');
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/^worker /m.test(stdout)) resolve(child);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) before ready: ${stderr}`)),
    );
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe.runIf(pgUp && natsUp)('JetStream → PostgreSQL under faults', () => {
  it('(a) 2 worker processes, one SIGKILLed mid-stream and restarted: 200,000 readings stored exactly once', async () => {
    const n = names('a');
    const dbUrl = `${PG_URL}?schema=${n.schema}`;
    const nc = await connect({ servers: NATS_URL });
    const workers: ChildProcess[] = [];
    try {
      await ensureTelemetryStream(await jetstreamManager(nc), { stream: n.stream, subjectPrefix: n.prefix });
      // Whichever comes first creates the schema and the consumer; the other joins both.
      workers.push(...(await Promise.all([startWorker(n, dbUrl), startWorker(n, dbUrl)])));
      const total = 200_000;
      const sent = await publishReadings(jetstream(nc), readings(total, 100), {
        subjectPrefix: n.prefix,
        readingsPerMessage: 100,
      });
      expect(sent.messages).toBe(2000);

      await waitFor(async () => (await tally(n.schema)).count >= total / 5, {
        what: 'a fifth of the readings stored',
        timeoutMs: 40_000,
      });
      const victim = workers[0] as ChildProcess;
      victim.kill('SIGKILL');
      await exited(victim);
      const atKill = (await tally(n.schema)).count;
      expect(atKill).toBeLessThan(total);
      workers[0] = await startWorker(n, dbUrl);

      await waitFor(async () => (await outstanding(nc, n)) === 0, { what: 'the consumer drained', timeoutMs: 40_000 });
      const stored = await tally(n.schema);
      expect(stored.count).toBe(total);
      expect(stored.sum).toBe(sumOf(total));
    } finally {
      for (const worker of workers) worker.kill('SIGKILL');
      await Promise.all(workers.map(exited));
      await nc.close();
    }
  }, 60_000);

  it('(c) PostgreSQL backends terminated mid-stream: workers reconnect, every reading stored once', async () => {
    const n = names('c');
    const appName = `upkeep_faults_${RUN}`;
    const dbUrl = `${PG_URL}?application_name=${appName}`;
    const nc = await connect({ servers: NATS_URL });
    const stores = [
      await PostgresStore.open(dbUrl, { schema: n.schema }),
      await PostgresStore.open(dbUrl, { schema: n.schema }),
    ];
    const options = { stream: n.stream, subjectPrefix: n.prefix, durable: n.durable, batch: 10, retryDelayMs: 200 };
    const workers = stores.map((store) => new JetStreamWorker(nc, store, options));
    const admin = adminClient();
    await admin.connect();
    try {
      await ensureTelemetryStream(await jetstreamManager(nc), { stream: n.stream, subjectPrefix: n.prefix });
      for (const worker of workers) await worker.start();
      const total = 60_000;
      await publishReadings(jetstream(nc), readings(total, 50), { subjectPrefix: n.prefix, readingsPerMessage: 100 });
      let terminated = 0;
      for (const share of [0.2, 0.5]) {
        await waitFor(async () => (await tally(n.schema)).count >= total * share, {
          what: `${share * 100} % stored`,
          timeoutMs: 40_000,
        });
        const result = await admin.query(
          'SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1',
          [appName],
        );
        terminated += result.rows.filter((row: { done: boolean }) => row.done).length;
      }
      expect(terminated).toBeGreaterThanOrEqual(2);
      await waitFor(async () => (await outstanding(nc, n)) === 0, { what: 'the consumer drained', timeoutMs: 40_000 });
      const stored = await tally(n.schema);
      expect(stored.count).toBe(total);
      expect(stored.sum).toBe(sumOf(total));
      const stats = workers.map((worker) => worker.stats);
      expect(stats.reduce((sum, s) => sum + s.storedValues, 0)).toBe(total);
      expect(stats.every((s) => s.batches > 0)).toBe(true);
    } finally {
      for (const worker of workers) await worker.stop();
      for (const store of stores) await store.close();
      await admin.end();
      await nc.close();
    }
  }, 60_000);
});

describe.runIf(mqttUp)('MQTT consumer under faults', () => {
  it('(b) consumer stopped for 5 s mid-stream and restarted on its persistent session: every reading stored once', async () => {
    const topic = `faults-${RUN}/+/telemetry`;
    const clientId = `upkeep-faults-${RUN}`;
    const store = await DuckDBStore.open(':memory:');
    const deadLetters = await DuckDBDeadLetters.open(store);
    const sourceOptions = { url: BROKER, topic, clientId, initialReconnectMs: 100 };
    let source = await MqttSource.start(store, deadLetters, sourceOptions);
    const storedCount = async () => (await store.listAssets()).reduce((sum, asset) => sum + asset.readingCount, 0);
    const publisher = await mqtt.connectAsync(BROKER, { protocolVersion: 5 });
    try {
      // 1,200 messages of 20 readings at ~120 messages/s; the consumer is away for 5 s of the 10 (about 600
      // messages, within Mosquitto's default queue of 1,000 per offline session).
      const all = readings(24_000, 40);
      const messages: Reading[][] = [];
      for (let start = 0; start < all.length; start += 20) messages.push(all.slice(start, start + 20));
      const publishing = (async () => {
        for (let index = 0; index < messages.length; index += 12) {
          const tick = Date.now();
          await Promise.all(
            messages.slice(index, index + 12).map((message) => {
              const asset = (message[0] as Reading).asset;
              return publisher.publishAsync(`faults-${RUN}/${asset}/telemetry`, JSON.stringify(message), { qos: 1 });
            }),
          );
          await sleep(Math.max(0, 100 - (Date.now() - tick)));
        }
      })();
      await waitFor(() => source.stats().storedValues > 0, { what: 'some readings stored', timeoutMs: 10_000 });
      await sleep(1500);
      await source.stop();
      const beforeStop = source.stats();
      await sleep(5000);
      const storedWhileAway = await storedCount();
      source = await MqttSource.start(store, deadLetters, sourceOptions);
      await publishing;
      await waitFor(async () => (await storedCount()) >= all.length, {
        what: 'every reading stored',
        timeoutMs: 40_000,
      });
      await sleep(300);
      expect(beforeStop.storedValues).toBeGreaterThan(0);
      expect(beforeStop.storedValues).toBeLessThan(all.length / 2);
      expect(storedWhileAway).toBe(beforeStop.storedValues);
      const assets = await store.listAssets();
      expect(assets).toHaveLength(40);
      expect(assets.reduce((sum, asset) => sum + asset.readingCount, 0)).toBe(all.length);
      let sum = 0;
      for (const asset of assets) for (const value of await store.queryReadings(asset.id)) sum += value.value;
      expect(sum).toBe(sumOf(all.length));
      expect(source.stats().deadLettered).toBe(0);
    } finally {
      await publisher.endAsync();
      await source.stop();
      // End the persistent session so the broker forgets it.
      const cleanup = await mqtt.connectAsync(BROKER, { clientId, clean: true, protocolVersion: 5 });
      await cleanup.endAsync();
      await store.close();
    }
  }, 40_000);
});
