// The dashboard in Chromium against an in-process server on an in-memory DuckDB store. Prints one JSON line:
// - fleet_first_render_ms: a fresh page of the fleet with 1,000 assets, from navigation to the rows drawn (failure
//   risk and RUL from the default models), right after the server started (its first fleet summary possibly still
//   being computed), and again (warm); target < 1,000 ms;
// - chart_fps: an asset chart holding 1,000,000 points panned and zoomed, one step per animation frame (the chart
//   keeps every point and hands uPlot a min/max decimation of the visible range); target >= 30;
//   chart_frame_ms: median JS time of one step; chart_first_draw_ms: the asset page over an asset with 1,000,000
//   stored values, navigation to its chart drawn (the server reduces the range with ?points=);
// - page_transfer_gzip_bytes: bytes over the wire (gzip) for the fleet page's HTML, JS and CSS;
//   fleet_api_gzip_bytes: the /v1/fleet answer gzipped (as sent to clients that accept gzip);
// - cpus and load_average: the machine's state during the run (the frame rate depends on it).
//
//   npm run build && node bench/dashboard.mjs [--assets 1000] [--points 1000000]

import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startServer } from '../dist/api/server.js';
import { systemClock } from '../dist/core/clock.js';
import { FleetSimulator } from '../dist/io/fleet-simulator.js';
import { ensureDefaultModels } from '../dist/jobs/default-models.js';
import { DuckDBStore } from '../dist/store/duckdb.js';
import { DuckDBAlerts } from '../dist/store/duckdb-alerts.js';
import { openRegistry } from '../dist/store/open-registry.js';
import { Pipeline } from '../dist/stream/pipeline.js';

const { values: args } = parseArgs({
  options: { assets: { type: 'string', default: '1000' }, points: { type: 'string', default: '1000000' } },
});
const assetCount = Number(args.assets);
const pointCount = Number(args.points);
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing`);
if (!existsSync('web/dist/index.html')) throw new Error('web/dist is missing: run npm run build first');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const store = await DuckDBStore.open(':memory:', { threads: 2 });
const { registry } = await openRegistry(store);
const alerts = await DuckDBAlerts.open(store);
const simulator = new FleetSimulator({ machines: assetCount, clock: systemClock });
await store.upsertAssets(simulator.assets());
const now = Math.floor(Date.now() / 1000) * 1000;
// Ten minutes of each machine, a reading a minute.
const recent = [];
for (let minute = 10; minute > 0; minute--) recent.push(...simulator.readingsAt(now - minute * 60_000));
await store.appendReadings(recent);
await ensureDefaultModels({
  store,
  registry,
  simulator,
  clock: systemClock,
  historyMs: 6 * 3_600_000,
  sampleStepMs: 1_800_000,
});

// One asset with `pointCount` vibration values, half a second apart, ending now.
const LONG_ASSET = 'bench-long';
await store.upsertAssets([{ id: LONG_ASSET, attributes: { kind: 'pump', site: 'bench' } }]);
const stepMs = 500;
const start = now - pointCount * stepMs;
for (let offset = 0; offset < pointCount; offset += 100_000) {
  const batch = [];
  for (let i = offset; i < Math.min(pointCount, offset + 100_000); i++) {
    const spike = i % 50_021 === 0 ? 8 : 0;
    batch.push({
      asset: LONG_ASSET,
      ts: start + i * stepMs,
      metrics: { vibration: 2 + Math.sin(i / 5000) + 0.2 * Math.sin(i * 1.7) + spike },
    });
  }
  await store.appendReadings(batch);
}

// As `upkeep serve` runs it: with an ingest pipeline (which also has the fleet summary computed at start).
const pipeline = new Pipeline({ store });
const server = await startServer({ store, registry, alerts, pipeline, port: 0 });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

/** Navigation to `ready` (a page expression), in ms of the page's own clock, and the bytes the page received. */
async function measure(path, ready, init) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  if (init) await page.addInitScript(init);
  const client = await page.context().newCDPSession(page);
  await client.send('Network.enable');
  const bytes = new Map();
  const urls = new Map();
  client.on('Network.requestWillBeSent', (event) => urls.set(event.requestId, event.request.url));
  client.on('Network.loadingFinished', (event) => bytes.set(event.requestId, event.encodedDataLength));
  await page.goto(`${server.url}${path}`);
  await page.waitForFunction(ready, undefined, { timeout: 60_000, polling: 'raf' });
  const ms = await page.evaluate('performance.now()');
  let staticBytes = 0;
  for (const [id, size] of bytes) {
    const url = urls.get(id) ?? '';
    if (!url.includes('/v1/')) staticBytes += size;
  }
  return { page, ms, staticBytes };
}

const FLEET_READY = `document.querySelectorAll('tbody tr[data-id]').length > 10 && /%/.test(document.querySelector('tbody tr[data-id] td.risk')?.textContent ?? '')`;
const cold = await measure('/', FLEET_READY);
const rows = await cold.page.evaluate(`document.querySelector('#fleet-summary').textContent`);
await cold.page.close();
const warm = await measure('/', FLEET_READY);
await warm.page.close();
const fleetBody = await (await fetch(`${server.url}/v1/fleet`)).arrayBuffer();

const CHART_READY = `document.querySelectorAll('#charts .uplot').length === 1`;
const asset = await measure(`/asset/${LONG_ASSET}`, CHART_READY, () => sessionStorage.setItem('upkeep.range', '7d'));
const serverPoints = await asset.page.evaluate('window.upkeepCharts()[0].size');
// The chart with every point in the browser: pan and zoom one step per frame.
const frames = await asset.page.evaluate(`(async () => {
  const chart = window.upkeepCharts()[0];
  const n = ${pointCount};
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const t0 = ${start / 1000};
  for (let i = 0; i < n; i++) {
    xs[i] = t0 + i * ${stepMs / 1000};
    ys[i] = 2 + Math.sin(i / 5000) + 0.2 * Math.sin(i * 1.7) + (i % 50021 === 0 ? 8 : 0);
  }
  chart.setData(xs, ys);
  const first = xs[0];
  const span = xs[n - 1] - first;
  const steps = 240;
  const work = [];
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  await frame();
  const began = performance.now();
  for (let step = 0; step < steps; step++) {
    // Zoom from the whole range to 2 % of it and back, panning across as it goes.
    const phase = step / steps;
    const width = span * (0.02 + 0.98 * Math.abs(Math.cos(Math.PI * phase)));
    const left = first + (span - width) * phase;
    const t = performance.now();
    chart.view(left, left + width);
    // uPlot draws in a microtask after the change: wait for it so that the time includes the drawing.
    await Promise.resolve();
    work.push(performance.now() - t);
    await frame();
  }
  const elapsed = performance.now() - began;
  return { fps: (steps * 1000) / elapsed, work, held: chart.size, drawn: chart.drawn };
})()`);
await asset.page.close();

await browser.close();
await server.close();

console.log(
  JSON.stringify({
    bench: 'dashboard',
    assets: assetCount,
    fleet_summary: rows,
    fleet_first_render_ms: Math.round(cold.ms),
    fleet_render_warm_ms: Math.round(warm.ms),
    fleet_target_ms: 1000,
    page_transfer_gzip_bytes: cold.staticBytes,
    fleet_api_bytes: fleetBody.byteLength,
    fleet_api_gzip_bytes: gzipSync(Buffer.from(fleetBody)).length,
    chart_points: frames.held,
    chart_first_draw_ms: Math.round(asset.ms),
    chart_server_points: serverPoints,
    chart_fps: Math.round(frames.fps * 10) / 10,
    chart_frame_ms: Math.round(median(frames.work) * 100) / 100,
    chart_fps_target: 30,
    cpus: cpus().length,
    load_average: Math.round(loadavg()[0] * 10) / 10,
  }),
);
