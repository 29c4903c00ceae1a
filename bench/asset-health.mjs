// GET /v1/assets/{id}/health and POST /v1/analyse?mode=history, in process on an in-memory DuckDB store.
// Prints one JSON line: health latency on a first call (detectors fed each metric's last 2,000 values), on a repeat
// call (cached detectors, nothing new) and after one new reading; history-mode latency for a batch of one reading
// per asset (one metric, 1,000 stored values each).
//
//   npm run build && node bench/asset-health.mjs [--metrics 3] [--values 10000] [--assets 100] [--seed 1]

import { parseArgs } from 'node:util';
import { createApp } from '../dist/api/app.js';
import { DEFAULT_LIMITS } from '../dist/api/context.js';
import { ManualClock } from '../dist/core/clock.js';
import { Rng } from '../dist/core/rng.js';
import { openStore } from '../dist/store/open.js';

const { values: args } = parseArgs({
  options: {
    metrics: { type: 'string', default: '3' },
    values: { type: 'string', default: '10000' },
    assets: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
  },
});
const metricCount = Number(args.metrics);
const valueCount = Number(args.values);
const assetCount = Number(args.assets);
const rng = new Rng(Number(args.seed));
/** 2026-01-01T00:00:00Z */
const T0 = 1_767_225_600_000;
const MINUTE = 60_000;

const store = await openStore(':memory:');
const names = Array.from({ length: metricCount }, (_, index) => `m${index}`);
const reading = (asset, index) => ({
  asset,
  ts: T0 + index * MINUTE,
  metrics: Object.fromEntries(names.map((name) => [name, 50 + rng.normal()])),
});
await store.appendReadings(Array.from({ length: valueCount }, (_, index) => reading('pump', index)));
for (let asset = 0; asset < assetCount; asset++) {
  await store.appendReadings(
    Array.from({ length: 1000 }, (_, index) => ({
      asset: `a${asset}`,
      ts: T0 + index * MINUTE,
      metrics: { x: 50 + rng.normal() },
    })),
  );
}
const app = createApp({ store, clock: new ManualClock(T0), limits: DEFAULT_LIMITS, version: 'bench' });

async function timed(path, init) {
  const start = performance.now();
  const response = await app.request(path, init);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  return performance.now() - start;
}

const healthFirstMs = await timed('/v1/assets/pump/health');
const healthCachedMs = await timed('/v1/assets/pump/health');
await store.appendReadings([reading('pump', valueCount)]);
const healthOneNewMs = await timed('/v1/assets/pump/health');
const body = JSON.stringify({
  readings: Array.from({ length: assetCount }, (_, asset) => ({ sensor_id: `a${asset}`, x: 50 })),
});
const historyMs = await timed('/v1/analyse?mode=history', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
});
await store.close();

const round = (ms) => Math.round(ms * 10) / 10;
console.log(
  JSON.stringify({
    bench: 'asset-health',
    metrics: metricCount,
    stored_values_per_metric: valueCount,
    health_first_ms: round(healthFirstMs),
    health_cached_ms: round(healthCachedMs),
    health_one_new_ms: round(healthOneNewMs),
    history_assets: assetCount,
    history_batch_ms: round(historyMs),
    history_ms_per_asset: round(historyMs / assetCount),
  }),
);
