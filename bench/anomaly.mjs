// Throughput of every single-metric streaming detector: 1,000,000 points of a realistic synthetic sensor series
// (5-minute readings, a daily cycle, a weekly rhythm, Gaussian noise, a few spikes, a level shift and a flat stretch),
// each point scored then learned as the service does. Prints one JSON line per detector with values/s (wall clock, and
// per second of this process's CPU time, which a machine shared with other jobs distorts less), ns per value, the peak
// resident set size and a checksum of the scores (equal checksums = identical outputs across builds).
// Run `npm run build` first: this imports from dist/ (or from --dist DIR).
//
//   npm run build && node bench/anomaly.mjs [--points 1000000] [--detectors default,ewma,…] [--dist DIR]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    points: { type: 'string', default: '1000000' },
    detectors: { type: 'string' },
    dist: { type: 'string', default: new URL('../dist', import.meta.url).pathname },
  },
});

const factory = await import(pathToFileURL(resolve(args.dist, 'models/anomaly/factory.js')).href);
const { Rng } = await import(pathToFileURL(resolve(args.dist, 'core/rng.js')).href);
const points = Number(args.points);
const names = args.detectors
  ? args.detectors.split(',')
  : factory.detectorNames().filter((n) => !factory.isMultivariate(n));

function syntheticSeries(n) {
  // Seeded, so every run sees the same series.
  const rng = new Rng(42);
  const random = () => rng.next();
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const step = 300_000;
  const start = Date.UTC(2024, 0, 1);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ts = start + i * step;
    const dayPhase = (ts % 86_400_000) / 86_400_000;
    const weekday = Math.floor(ts / 86_400_000 + 4) % 7; // 1970-01-01 was a Thursday
    let value = 50 + 10 * Math.sin(2 * Math.PI * dayPhase) + (weekday >= 5 ? -4 : 0) + gaussian();
    if (i % 97_003 === 50_000) value += 25; // spikes
    if (i >= 0.6 * n && i < 0.6 * n + 2_000) value += 8; // a level shift
    if (i >= 0.8 * n && i < 0.8 * n + 500) value = 42; // a stuck sensor
    timestamps[i] = ts;
    values[i] = Math.round(value * 1000) / 1000;
  }
  return { timestamps, values };
}

const { timestamps, values } = syntheticSeries(points);
for (const name of names) {
  const detector = factory.createDetector(name);
  let checksum = 0;
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < points; i++) checksum += detector.scoreThenLearn({ ts: timestamps[i], value: values[i] });
  const elapsedNs = Number(process.hrtime.bigint() - started);
  const cpu = process.cpuUsage(cpuStarted);
  const cpuNs = (cpu.user + cpu.system) * 1000;
  console.log(
    JSON.stringify({
      bench: 'anomaly',
      detector: name,
      points,
      values_per_s: Math.round((points * 1e9) / elapsedNs),
      cpu_values_per_s: Math.round((points * 1e9) / cpuNs),
      ns_per_value: Math.round(elapsedNs / points),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      score_checksum: checksum,
    }),
  );
}
