// POST /analyse throughput and latency: Upkeep's route on Node's HTTP server against the NumPy reference service
// (bench/reference/analyse_numpy.py), same payloads, same client, in one run. Prints one JSON line per batch size.
//
//   npm run build && node bench/analyse.mjs [--sizes 10,1000,100000] [--seed 7]
//
// Requests are sequential on one keep-alive connection per service, alternating between the services so both see
// the same machine load. readings_per_s = readings sent / total request time; latencies are per request (ms).

import { spawn } from 'node:child_process';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from '../dist/api/context.js';
import { startServer } from '../dist/api/server.js';
import { Rng } from '../dist/core/rng.js';
import { openStore } from '../dist/store/open.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: { sizes: { type: 'string', default: '10,1000,100000' }, seed: { type: 'string', default: '7' } },
});
const sizes = args.sizes.split(',').map(Number);

/** Requests per service for a batch size: enough for a stable p50, bounded in time for the big batches. */
function requestCount(batch) {
  if (batch <= 100) return 1000;
  if (batch <= 10_000) return 200;
  return 12;
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

function post(agent, port, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: '/analyse',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
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

async function startReference() {
  const child = spawn('/usr/bin/python3', [join(here, 'reference', 'analyse_numpy.py'), '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`reference exited with code ${code}`)));
    child.stdout.once('data', (data) => resolve(Number(/port (\d+)/.exec(String(data))?.[1])));
  });
  child.removeAllListeners('exit');
  return { port, stop: () => child.kill('SIGTERM') };
}

const store = await openStore(':memory:');
const ours = await startServer({ store, port: 0, limits: { ...DEFAULT_LIMITS, maxReadings: Math.max(...sizes) } });
const reference = await startReference();
const ourAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const referenceAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const rng = new Rng(Number(args.seed));

try {
  for (const batch of sizes) {
    const payload = makePayload(batch, rng);
    const count = requestCount(batch);
    const ourFirst = await post(ourAgent, ours.port, payload);
    const referenceFirst = await post(referenceAgent, reference.port, payload);
    if (ourFirst.status !== 200 || referenceFirst.status !== 200) {
      throw new Error(`batch ${batch}: status ${ourFirst.status} (ours), ${referenceFirst.status} (reference)`);
    }
    const agreement = sameResults(ourFirst.body.toString(), referenceFirst.body.toString());
    // Warm-up: let both services reach steady state (JIT, caches) before timing.
    for (let i = 0; i < Math.min(50, Math.ceil(count / 4)); i++) {
      await post(ourAgent, ours.port, payload);
      await post(referenceAgent, reference.port, payload);
    }
    const ourLatencies = [];
    const referenceLatencies = [];
    for (let i = 0; i < count; i++) {
      let start = performance.now();
      await post(ourAgent, ours.port, payload);
      ourLatencies.push(performance.now() - start);
      start = performance.now();
      await post(referenceAgent, reference.port, payload);
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
        same_results: agreement,
      }),
    );
  }
} finally {
  ourAgent.destroy();
  referenceAgent.destroy();
  reference.stop();
  await ours.close();
}
