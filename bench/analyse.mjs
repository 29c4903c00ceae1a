// POST /analyse throughput and latency: Upkeep's route on Node's HTTP server against the NumPy reference service
// (bench/reference/analyse_numpy.py), same payloads, same client, in one run. Prints one JSON line per batch size.
//
//   npm run build && node bench/analyse.mjs [--sizes 10,1000,100000] [--seed 7]
//
// Each service runs in its own process (ours: this script with --serve), so neither shares a thread with the client.
// Requests are sequential on one keep-alive connection per service (a minimal raw HTTP/1.1 client), alternating between the services so both see
// the same machine load. readings_per_s = readings sent / total request time; latencies are per request (ms);
// ratio = our readings/s over the reference's, ratio_p50 = the reference's median latency over ours.

import { spawn } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from '../dist/api/context.js';
import { startServer } from '../dist/api/server.js';
import { Rng } from '../dist/core/rng.js';
import { openStore } from '../dist/store/open.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,1000,100000' },
    seed: { type: 'string', default: '7' },
    serve: { type: 'boolean', default: false },
  },
});
const sizes = args.sizes.split(',').map(Number);

/** Requests per service for a batch size: enough for a stable p50, bounded in time for the big batches. */
function requestCount(batch) {
  if (batch <= 100) return 1000;
  if (batch <= 10_000) return 500;
  return 20;
}

/** Pumps with temperature and vibration, a pressure gauge on every other one, and about 0.5% faulty readings. */
function makePayload(batch, rng) {
  const readings = new Array(batch);
  for (let i = 0; i < batch; i++) {
    const faulty = rng.next() < 0.005;
    const reading = {
      sensor_id: `pump-${String(i % 500).padStart(3, '0')}`,
      temperature: Math.round(((faulty ? 150 : 70) + 2 * rng.normal()) * 100) / 100,
      vibration: Math.round(((faulty ? 4 : 0.5) + 0.05 * rng.normal()) * 1000) / 1000,
    };
    if (i % 2 === 0) reading.pressure = Math.round((1013 + 3 * rng.normal()) * 10) / 10;
    readings[i] = reading;
  }
  return Buffer.from(JSON.stringify({ readings }));
}

/**
 * A minimal HTTP/1.1 client on one keep-alive socket: the request is written in one go, the response is read by its
 * Content-Length. Lighter than http.request, so the measured time is mostly the services' own.
 */
class Connection {
  constructor(port) {
    this.port = port;
    this.chunks = [];
    this.received = 0;
    this.expected = -1;
    this.status = 0;
    this.pending = undefined;
  }

  async open() {
    this.socket = net.connect(this.port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', (error) => this.pending?.reject(error));
    await new Promise((resolve, reject) => this.socket.once('connect', resolve).once('error', reject));
    return this;
  }

  post(path, body) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.chunks = [];
      this.received = 0;
      this.expected = -1;
      const head =
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`;
      this.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    });
  }

  onData(chunk) {
    this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.expected < 0) {
      const buffered = Buffer.concat(this.chunks);
      const headerEnd = buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const head = buffered.subarray(0, headerEnd).toString('latin1');
      this.status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!length) {
        this.pending.reject(new Error('response without Content-Length'));
        return;
      }
      this.chunks = [buffered.subarray(headerEnd + 4)];
      this.received = buffered.length - headerEnd - 4;
      this.expected = Number(length[1]);
    }
    if (this.received >= this.expected) {
      const { resolve } = this.pending;
      this.pending = undefined;
      resolve({ status: this.status, body: Buffer.concat(this.chunks, this.received) });
    }
  }

  close() {
    this.socket.destroy();
  }
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function summary(latencies, batch) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const total = latencies.reduce((sum, ms) => sum + ms, 0);
  return {
    readings_per_s: Math.round((batch * latencies.length) / (total / 1000)),
    p50_ms: Number(percentile(sorted, 0.5).toFixed(3)),
    p99_ms: Number(percentile(sorted, 0.99).toFixed(3)),
  };
}

/** Both answers agree: same flags, scores within the last rounding digit (NumPy's pairwise sums differ in ulps). */
function sameResults(ours, reference) {
  const a = JSON.parse(ours);
  const b = JSON.parse(reference);
  if (a.total_readings !== b.total_readings || a.anomalies_detected !== b.anomalies_detected) return false;
  let exact = true;
  for (let i = 0; i < a.results.length; i++) {
    const x = a.results[i];
    const y = b.results[i];
    if (x.is_anomaly !== y.is_anomaly || x.anomalous_metrics.join() !== y.anomalous_metrics.join()) return false;
    for (const metric of Object.keys(y.anomaly_scores)) {
      const difference = Math.abs(x.anomaly_scores[metric] - y.anomaly_scores[metric]);
      if (difference > 1.5e-4) return false;
      if (difference !== 0) exact = false;
    }
  }
  return exact ? 'exact' : 'within 1e-4';
}

/** Starts a service process that prints "port N" once listening and exits when its stdin closes. */
async function startService(command, commandArgs) {
  const child = spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${command} exited with code ${code}`)));
    child.stdout.once('data', (data) => resolve(Number(/port (\d+)/.exec(String(data))?.[1])));
  });
  child.removeAllListeners('exit');
  return { port, stop: () => child.kill('SIGTERM') };
}

async function main() {
  // The server runs with the young-generation size `npm start` uses (docs/operations.md): with Node's default the
  // short-lived request buffers trigger a scavenge every few requests, which shows as a p99 tail.
  const ours = await startService(process.execPath, [
    '--max-semi-space-size=32',
    fileURLToPath(import.meta.url),
    '--serve',
    '--sizes',
    args.sizes,
  ]);
  const reference = await startService('/usr/bin/python3', [
    join(here, 'reference', 'analyse_numpy.py'),
    '0',
    '--exit-with-stdin',
  ]);
  const ourConnection = await new Connection(ours.port).open();
  const referenceConnection = await new Connection(reference.port).open();
  const rng = new Rng(Number(args.seed));

  try {
    for (const batch of sizes) {
      const payload = makePayload(batch, rng);
      const count = requestCount(batch);
      const ourFirst = await ourConnection.post('/analyse', payload);
      const referenceFirst = await referenceConnection.post('/analyse', payload);
      if (ourFirst.status !== 200 || referenceFirst.status !== 200) {
        throw new Error(`batch ${batch}: status ${ourFirst.status} (ours), ${referenceFirst.status} (reference)`);
      }
      const agreement = sameResults(ourFirst.body.toString(), referenceFirst.body.toString());
      // Warm-up: let both services reach steady state (JIT, caches) before timing.
      for (let i = 0; i < Math.min(50, Math.ceil(count / 4)); i++) {
        await ourConnection.post('/analyse', payload);
        await referenceConnection.post('/analyse', payload);
      }
      const ourLatencies = [];
      const referenceLatencies = [];
      for (let i = 0; i < count; i++) {
        let start = performance.now();
        await ourConnection.post('/analyse', payload);
        ourLatencies.push(performance.now() - start);
        start = performance.now();
        await referenceConnection.post('/analyse', payload);
        referenceLatencies.push(performance.now() - start);
      }
      const ourSummary = summary(ourLatencies, batch);
      const referenceSummary = summary(referenceLatencies, batch);
      console.log(
        JSON.stringify({
          bench: 'analyse',
          batch,
          requests: count,
          payload_bytes: payload.length,
          ours: ourSummary,
          reference: referenceSummary,
          ratio: Number((ourSummary.readings_per_s / referenceSummary.readings_per_s).toFixed(2)),
          // The same ratio from median latencies: robust to stalls when other processes load the machine.
          ratio_p50: Number((referenceSummary.p50_ms / ourSummary.p50_ms).toFixed(2)),
          same_results: agreement,
        }),
      );
    }
  } finally {
    ourConnection.close();
    referenceConnection.close();
    reference.stop();
    ours.stop();
  }
}

if (args.serve) {
  // Child mode: Upkeep's HTTP server on a free port, as `upkeep serve` runs it.
  const store = await openStore(':memory:');
  const server = await startServer({ store, port: 0, limits: { ...DEFAULT_LIMITS, maxReadings: Math.max(...sizes) } });
  console.log(`port ${server.port}`);
  const stop = () => server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  // Stdin closes when the benchmark exits, however it exits: never outlive it.
  process.stdin.on('end', stop).resume();
} else {
  await main();
}
