// End-to-end streaming throughput and latency against the real local services (Mosquitto, NATS JetStream,
// PostgreSQL):
//   - MQTT → DuckDB: a raw MQTT publisher (pre-encoded QoS 1 PUBLISH packets over one TCP connection, in this process,
//     kept within Mosquitto's per-client queue so nothing is dropped) → Mosquitto → Upkeep's MQTT consumer
//     (MqttSource with 16 shared connections, PUBACK only after the commit) → a DuckDB file. Single-reading messages
//     (4 metrics each: msg/s) and batched messages (100 readings each: values/s).
//   - HTTP → DuckDB: `POST /v1/readings` (batches of 1,000 readings, 4 in flight) to an API server process (no
//     scoring pipeline behind it: with one, ingest is throttled to the scoring rate, see the latency part).
//   - JetStream → 1 worker → PostgreSQL and → 2 workers → PostgreSQL: the stream is filled first, then `upkeep worker`
//     processes drain it into a fresh schema; values/s from the first stored value to the last. Also PostgreSQL's
//     rate for the same appends from one process (the ceiling the workers share).
//   - Ingest-to-score latency: single-reading MQTT messages at a fixed rate through the pipeline (store, then the
//     online anomaly detectors) behind the MQTT consumer; latency = the moment the reading's round was scored − its
//     publish time. At 50 % of the MQTT maximum, and at 50 % of what the scoring sustained there.
// Prints one JSON line. Run `npx tsc -p tsconfig.build.json` first: this imports from dist/.
//
//   node bench/stream.mjs [--only mqtt,http,jetstream,latency] [--messages 300000]

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { loadavg, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
const dist = (path) => import(join(ROOT, 'dist', path));
const T0 = Date.UTC(2026, 0, 1);
const METRICS = ['temperature', 'vibration', 'pressure', 'current'];
const PG_URL = process.env.UPKEEP_TEST_POSTGRES ?? `postgres://${userInfo().username}@127.0.0.1:5432/test`;
const NATS_URL = 'nats://127.0.0.1:4222';
const RUN = randomBytes(4).toString('hex');

const { values: options } = parseArgs({
  options: {
    only: { type: 'string', default: 'mqtt,http,jetstream,latency' },
    messages: { type: 'string', default: '300000' },
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Readings

/** Reading `index` of a fleet of `assets`: one second apart per asset, 4 metrics, integer-ish values. */
function reading(index, assets) {
  const metrics = {};
  for (let m = 0; m < METRICS.length; m++) metrics[METRICS[m]] = ((index * 7 + m * 13) % 1000) / 10;
  return { asset: `a${index % assets}`, ts: T0 + Math.floor(index / assets) * 1000, metrics };
}

// ---------------------------------------------------------------------------------------------------------------
// MQTT publisher: raw MQTT 3.1.1 over TCP with pre-encoded QoS 1 packets (so the publisher costs little CPU), in
// the bench process; `allow()` says how many messages may be published so far (flow control: Mosquitto drops QoS 1
// messages for a subscriber whose queue of 1,000 is full, so the publisher must not run far ahead of the consumer).

function varint(length) {
  const bytes = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

function publishPacket(topic, payload, id) {
  const t = Buffer.from(topic);
  const head = Buffer.from([t.length >> 8, t.length & 255]);
  const body = Buffer.concat([head, t, Buffer.from([id >> 8, id & 255]), payload]);
  return Buffer.concat([Buffer.from([0x32]), varint(body.length), body]);
}

function connectPacket(clientId) {
  const id = Buffer.from(clientId);
  const body = Buffer.concat([
    Buffer.from([0, 4, 77, 81, 84, 84, 4, 0x02, 0, 60]),
    Buffer.from([id.length >> 8, id.length & 255]),
    id,
  ]);
  return Buffer.concat([Buffer.from([0x10]), varint(body.length), body]);
}

/** The packets of `count` messages of `batch` readings each; `stamp` puts the send time in (latency runs). */
function encodeMessages(topic, count, batch, assets) {
  const packets = new Array(count);
  for (let message = 0; message < count; message++) {
    const first = message * batch;
    const body =
      batch === 1 ? reading(first, assets) : Array.from({ length: batch }, (_, k) => reading(first + k, assets));
    const asset = batch === 1 ? body.asset : 'fleet';
    packets[message] = publishPacket(
      `${topic}/${asset}/telemetry`,
      Buffer.from(JSON.stringify(body)),
      (message % 65535) + 1,
    );
  }
  return packets;
}

async function rawPublisher() {
  const socket = tcpConnect(1883, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(connectPacket(`bench-pub-${randomBytes(4).toString('hex')}`));
  const state = { acked: 0, connacked: false };
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    while (pending.length - at >= 2) {
      const type = pending[at] >> 4;
      const length = pending[at + 1]; // CONNACK and PUBACK: remaining length 2
      if (pending.length - at < 2 + length) break;
      if (type === 2) state.connacked = true;
      else if (type === 4) state.acked++;
      at += 2 + length;
    }
    pending = pending.subarray(at);
  });
  await until(() => state.connacked);
  return {
    state,
    /** Writes the packets, never more than `allowed()` in all and 20,000 unacknowledged. */
    async send(packets, allowed, makePacket) {
      let sent = 0;
      while (sent < packets.length) {
        const limit = Math.min(packets.length, allowed(), state.acked + 20_000, sent + 2000);
        if (limit <= sent) {
          await sleep(1);
          continue;
        }
        const out = [];
        for (let i = sent; i < limit; i++) out.push(makePacket ? makePacket(i) : packets[i]);
        sent = limit;
        if (!socket.write(Buffer.concat(out))) await new Promise((resolve) => socket.once('drain', resolve));
      }
      await until(() => state.acked >= packets.length);
    },
    close() {
      socket.end(Buffer.from([0xe0, 0]));
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('bench: timed out');
    await sleep(5);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// MQTT → DuckDB

const SUBSCRIBERS = Number(process.env.UPKEEP_BENCH_MQTT_CLIENTS ?? 16);

async function mqttToDuckDb(dir, { messages, batch }) {
  const { DuckDBStore } = await dist('store/duckdb.js');
  const { DuckDBDeadLetters } = await dist('store/duckdb-dead-letters.js');
  const { MqttSource } = await dist('stream/mqtt-source.js');
  const store = await DuckDBStore.open(join(dir, `mqtt-${batch}.duckdb`));
  const deadLetters = await DuckDBDeadLetters.open(store);
  const topic = `bench-${RUN}-${batch}`;
  const clientId = `upkeep-bench-${RUN}-${batch}`;
  const source = await MqttSource.start(store, deadLetters, {
    url: 'mqtt://127.0.0.1:1883',
    topic: `${topic}/+/telemetry`,
    clientId,
    subscribers: SUBSCRIBERS,
  });
  const packets = encodeMessages(topic, messages, batch, 1000);
  const values = messages * batch * METRICS.length;
  const publisher = await rawPublisher();
  const started = performance.now();
  await publisher.send(packets, () => source.stats().received + SUBSCRIBERS * 500);
  await until(() => source.stats().storedValues + source.stats().duplicateValues >= values);
  const seconds = (performance.now() - started) / 1000;
  publisher.close();
  const stats = source.stats();
  await source.stop();
  await forgetSessions(clientId, SUBSCRIBERS);
  await store.close();
  return {
    messages: messages,
    readings_per_message: batch,
    messages_per_s: Math.round(messages / seconds),
    values_per_s: Math.round(values / seconds),
    commits: stats.batches,
    redelivered: stats.received - messages,
  };
}

/** Ends the persistent sessions of the bench's consumer so the broker forgets them. */
async function forgetSessions(clientId, count) {
  const { default: mqtt } = await import('mqtt');
  for (let index = 0; index < count; index++) {
    const id = count > 1 ? `${clientId}-${index}` : clientId;
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId: id, clean: true, protocolVersion: 5 });
    await client.endAsync();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Ingest-to-score latency: MQTT single-reading messages at a fixed rate through the pipeline (store, then the
// online anomaly detectors of every touched (asset, metric)); the round's observations reach the alert stage once
// scored, and that moment minus the publish time of each reading is its latency.

const WARM_UP_S = 3;

async function latency(dir, { rate, seconds, assets }) {
  const { DuckDBStore } = await dist('store/duckdb.js');
  const { DuckDBDeadLetters } = await dist('store/duckdb-dead-letters.js');
  const { MqttSource } = await dist('stream/mqtt-source.js');
  const { Pipeline } = await dist('stream/pipeline.js');
  const { AssetHealthScorer } = await dist('scoring/asset-health.js');
  const store = await DuckDBStore.open(join(dir, `latency-${rate}.duckdb`));
  const deadLetters = await DuckDBDeadLetters.open(store);
  const count = Math.round(rate * seconds);
  const sentAt = new Float64Array(count);
  const latencies = [];
  // After a warm-up of WARM_UP_S seconds: a cold (asset, metric) detector first reads the asset's history from the
  // store, so the first readings of 100 assets queue behind 400 detector starts (about 2 s on this machine).
  const steadyLatencies = [];
  // Reading i has ts T0 + i ms: its index is its ts offset.
  const monitor = {
    async observe(observations) {
      const now = performance.now();
      for (const observation of observations) {
        const index = observation.ts - T0;
        if (index >= 0 && index < count && sentAt[index] > 0 && observation.metrics.temperature !== undefined) {
          latencies.push(now - sentAt[index]);
          if (index >= WARM_UP_S * rate) steadyLatencies.push(now - sentAt[index]);
        }
      }
      return { opened: [], resolved: [] };
    },
  };
  const pipeline = new Pipeline({ store, scorer: new AssetHealthScorer(store), monitor });
  const topic = `bench-${RUN}-latency-${rate}`;
  const clientId = `upkeep-bench-${RUN}-latency-${rate}`;
  const source = await MqttSource.start(pipeline.storeFor('mqtt'), deadLetters, {
    url: 'mqtt://127.0.0.1:1883',
    topic: `${topic}/+/telemetry`,
    clientId,
    subscribers: SUBSCRIBERS,
  });
  const bodies = Array.from({ length: count }, (_, i) => {
    const metrics = {};
    for (let m = 0; m < METRICS.length; m++) metrics[METRICS[m]] = 50 + ((i * 7 + m * 13) % 100) / 10;
    return {
      topic: `${topic}/a${i % assets}/telemetry`,
      payload: Buffer.from(JSON.stringify({ asset: `a${i % assets}`, ts: T0 + i, metrics })),
    };
  });
  const publisher = await rawPublisher();
  const started = performance.now();
  const progress = setInterval(() => {
    const p = pipeline.stats();
    const m = source.stats();
    process.stderr.write(
      `latency ${rate}/s: received ${m.received}, stored ${m.storedValues}, failures ${m.storeFailures}, ` +
        `queued ${p.queuedReadings}, scored ${p.processedReadings.mqtt}, rejected ${p.rejectedReadings.mqtt}\n`,
    );
  }, 5000);
  await publisher.send(
    bodies,
    () => Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1),
    (i) => {
      sentAt[i] = performance.now();
      return publishPacket(bodies[i].topic, bodies[i].payload, (i % 65535) + 1);
    },
  );
  await until(() => pipeline.stats().processedReadings.mqtt >= count, 600_000);
  await pipeline.idle();
  clearInterval(progress);
  const scoredPerS = count / ((performance.now() - started) / 1000);
  publisher.close();
  await source.stop();
  await pipeline.close();
  await forgetSessions(clientId, SUBSCRIBERS);
  await store.close();
  latencies.sort((a, b) => a - b);
  steadyLatencies.sort((a, b) => a - b);
  const quantile = (sorted, q) => Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1));
  const at = (q) => quantile(latencies, q);
  return {
    rate_msg_per_s: rate,
    seconds,
    assets,
    scored: latencies.length,
    scored_readings_per_s: Math.round(scoredPerS),
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    steady_p50_ms: quantile(steadyLatencies, 0.5),
    steady_p99_ms: quantile(steadyLatencies, 0.99),
  };
}

/** Readings/s the pipeline scores when fed directly (no MQTT), 100 assets × 4 metrics, batches of 1,000. */
async function scoringCapacity(dir, readings = 50_000) {
  const { DuckDBStore } = await dist('store/duckdb.js');
  const { Pipeline } = await dist('stream/pipeline.js');
  const { AssetHealthScorer } = await dist('scoring/asset-health.js');
  const store = await DuckDBStore.open(join(dir, 'scoring.duckdb'));
  const pipeline = new Pipeline({ store, scorer: new AssetHealthScorer(store) }, { capacity: readings + 1 });
  const started = performance.now();
  for (let start = 0; start < readings; start += 1000) {
    await pipeline.ingest(
      Array.from({ length: 1000 }, (_, k) => reading(start + k, 100)),
      'mqtt',
    );
  }
  await pipeline.idle();
  const seconds = (performance.now() - started) / 1000;
  await pipeline.close();
  await store.close();
  return { readings, readings_per_s: Math.round(readings / seconds) };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP → DuckDB: a server process (`upkeep serve`), batches of 1,000 readings × 4 metrics, 4 requests in flight.

async function httpToDuckDb(dir, { requests }) {
  // The API server on its own (no scoring pipeline: the latency part measures scoring), as in bench/ingest.mjs.
  const script = `
    const { openStore } = await import(${JSON.stringify(join(ROOT, 'dist/store/open.js'))});
    const { startServer } = await import(${JSON.stringify(join(ROOT, 'dist/api/server.js'))});
    const { DEFAULT_LIMITS } = await import(${JSON.stringify(join(ROOT, 'dist/api/context.js'))});
    const store = await openStore(${JSON.stringify(join(dir, 'http.duckdb'))});
    const server = await startServer({ store, port: 0, limits: DEFAULT_LIMITS, handleSignals: true });
    console.log('Upkeep is serving on ' + server.url);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /Upkeep is serving on (\S+)/.exec(line);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  const perRequest = 1000;
  const bodies = Array.from({ length: requests }, (_, r) =>
    JSON.stringify(Array.from({ length: perRequest }, (_, k) => reading(r * perRequest + k, 1000))),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < requests) {
        const body = bodies[next++];
        for (;;) {
          const response = await fetch(`${url}/v1/readings`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          await response.arrayBuffer();
          if (response.ok) break;
          if (response.status !== 503) throw new Error(`POST answered ${response.status}`);
          await sleep(50);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  const values = requests * perRequest * METRICS.length;
  return { requests, readings_per_request: perRequest, values_per_s: Math.round(values / seconds) };
}

// ---------------------------------------------------------------------------------------------------------------
// JetStream → N workers → PostgreSQL: the stream is filled first, then N `upkeep worker` processes drain it into a
// fresh schema; values/s from the first stored value to the last.

async function pgCount(schema) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const result = await client.query(`SELECT count(*)::int AS n FROM "${schema}".readings`);
    return result.rows[0].n;
  } catch {
    return 0;
  } finally {
    await client.end();
  }
}

async function dropSchema(schema) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

async function fillStream(stream, prefix, readings) {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const { ensureTelemetryStream } = await dist('stream/jetstream.js');
  const { publishReadings } = await dist('stream/jetstream-publisher.js');
  const nc = await connect({ servers: NATS_URL });
  await ensureTelemetryStream(await jetstreamManager(nc), { stream, subjectPrefix: prefix });
  const js = jetstream(nc);
  for (let start = 0; start < readings; start += 20_000) {
    const part = Array.from({ length: Math.min(20_000, readings - start) }, (_, k) => reading(start + k, 1000));
    await publishReadings(js, part, { subjectPrefix: prefix, readingsPerMessage: 100 });
  }
  return {
    async close() {
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
      await nc.close();
    },
  };
}

async function jetstreamToPostgres({ workers, stream, prefix, readings }) {
  const schema = `upkeep_bench_${RUN}_${workers}`;
  const durable = `bench-${RUN}-${workers}`;
  const dbUrl = `${PG_URL}?schema=${schema}`;
  // Create the schema and its tables first so that worker start-up is not timed.
  const { PostgresStore } = await dist('store/postgres.js');
  await (await PostgresStore.open(dbUrl)).close();
  const children = Array.from({ length: workers }, () =>
    spawn(
      process.execPath,
      [
        join(ROOT, 'dist/cli/main.js'),
        'worker',
        '--nats',
        NATS_URL,
        '--db',
        dbUrl,
        '--stream',
        stream,
        '--subject-prefix',
        prefix,
        '--durable',
        durable,
        '--batch',
        '100',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    ),
  );
  const total = readings * METRICS.length;
  let first;
  let count = 0;
  while (count < total) {
    count = await pgCount(schema);
    if (first === undefined && count > 0) first = performance.now();
    await sleep(20);
  }
  const seconds = (performance.now() - first) / 1000;
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map(
      (child) => new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve))),
    ),
  );
  await dropSchema(schema);
  return { workers, values: total, values_per_s: Math.round(total / seconds) };
}

/** PostgreSQL's own rate for the same appends from one process (the ceiling the workers share). */
async function postgresDirect(readings) {
  const { PostgresStore } = await dist('store/postgres.js');
  const schema = `upkeep_bench_${RUN}_direct`;
  const store = await PostgresStore.open(`${PG_URL}?schema=${schema}`);
  const started = performance.now();
  const pending = [];
  for (let start = 0; start < readings; start += 10_000) {
    pending.push(
      store.appendReadings(
        Array.from({ length: Math.min(10_000, readings - start) }, (_, k) => reading(start + k, 1000)),
      ),
    );
    if (pending.length >= 4) await pending.shift();
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  await dropSchema(schema);
  return { values_per_s: Math.round((readings * METRICS.length) / seconds) };
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const only = new Set(options.only.split(','));
  const messages = Number(options.messages);
  const dir = await mkdtemp(join(tmpdir(), 'upkeep-bench-stream-'));
  const result = { bench: 'stream', load_before: Number(loadavg()[0].toFixed(2)) };
  try {
    if (only.has('mqtt') || only.has('latency')) {
      result.mqtt_duckdb_single = await mqttToDuckDb(dir, { messages, batch: 1 });
    }
    if (only.has('mqtt')) {
      result.mqtt_duckdb_batched = await mqttToDuckDb(dir, { messages: Math.round(messages / 50), batch: 100 });
    }
    if (only.has('http')) result.http_duckdb = await httpToDuckDb(dir, { requests: 100 });
    if (only.has('jetstream')) {
      const readings = 100_000;
      const stream = `BENCH_${RUN}`;
      const prefix = `bench${RUN}`;
      const filled = await fillStream(stream, prefix, readings);
      try {
        result.jetstream_pg_1_worker = await jetstreamToPostgres({ workers: 1, stream, prefix, readings });
        result.jetstream_pg_2_workers = await jetstreamToPostgres({ workers: 2, stream, prefix, readings });
        result.jetstream_pg_2_vs_1 = Number(
          (result.jetstream_pg_2_workers.values_per_s / result.jetstream_pg_1_worker.values_per_s).toFixed(2),
        );
        result.postgres_direct_append = await postgresDirect(readings);
      } finally {
        await filled.close();
      }
    }
    if (only.has('latency')) {
      result.scoring_capacity = await scoringCapacity(dir);
      // Half of the slower of ingest and scoring: above the scoring rate the queue only grows (and fills to 503s).
      const max = Math.min(result.mqtt_duckdb_single.messages_per_s, result.scoring_capacity.readings_per_s);
      result.latency_half_load = await latency(dir, { rate: Math.round(max / 2), seconds: 15, assets: 100 });
      // A rate the scoring keeps up with while sharing the CPU with ingest (UPKEEP_BENCH_LATENCY_RATE, default 1000/s).
      const sustained = Number(process.env.UPKEEP_BENCH_LATENCY_RATE ?? 1000);
      result.latency_sustained = await latency(dir, { rate: sustained, seconds: 15, assets: 100 });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  result.load_after = Number(loadavg()[0].toFixed(2));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
