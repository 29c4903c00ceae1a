// Alert rule evaluation: readings through AlertEvaluator (every rule on every asset, hysteresis and deduplication
// per (asset, rule)), then one batch of readings through AlertMonitor into an in-memory DuckDB alert store.
// Prints one JSON line: evaluator observations per second, events produced, and the monitor's latency per batch.
//
//   npm run build && node bench/alert-rules.mjs [--assets 1000] [--steps 100] [--rules 10] [--seed 1]

import { parseArgs } from 'node:util';
import { Rng } from '../dist/core/rng.js';
import { AlertMonitor } from '../dist/scoring/alert-monitor.js';
import { AlertEvaluator } from '../dist/scoring/alert-rules.js';
import { DuckDBStore } from '../dist/store/duckdb.js';
import { DuckDBAlerts } from '../dist/store/duckdb-alerts.js';

const { values: args } = parseArgs({
  options: {
    assets: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '100' },
    rules: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
  },
});
const assetCount = Number(args.assets);
const steps = Number(args.steps);
const ruleCount = Number(args.rules);
const rng = new Rng(Number(args.seed));
/** 2026-01-01T00:00:00Z */
const T0 = 1_767_225_600_000;
const SECOND = 1000;

/** Temperature rules at thresholds 70, 71, …: about one in six readings breaches the lowest. */
const rules = Array.from({ length: ruleCount }, (_, i) => ({
  name: `hot ${i}`,
  condition: { kind: 'metric_above', metric: 'temperature', threshold: 70 + i, clear: 65 + i },
  severity: 'major',
  forMs: 10 * SECOND,
  clearForMs: 60 * SECOND,
}));

function batch(step) {
  const readings = new Array(assetCount);
  for (let a = 0; a < assetCount; a++) {
    readings[a] = { asset: `m-${a}`, ts: T0 + step * SECOND, metrics: { temperature: 65 + 5 * rng.normal() } };
  }
  return readings;
}
const batches = Array.from({ length: steps }, (_, step) => batch(step));

const evaluator = new AlertEvaluator(rules.map((rule, i) => ({ ...rule, id: String(i + 1) })));
let events = 0;
const started = performance.now();
for (const readings of batches) {
  for (const reading of readings) events += evaluator.observe(reading.asset, reading.ts, reading.metrics).length;
}
const evaluatorMs = performance.now() - started;

const store = await DuckDBStore.open(':memory:');
const alerts = await DuckDBAlerts.open(store);
for (const rule of rules) await alerts.addRule(rule);
const monitor = await AlertMonitor.open(alerts);
const monitorStarted = performance.now();
let opened = 0;
const monitorBatches = Math.min(steps, 20);
for (let b = 0; b < monitorBatches; b++) opened += (await monitor.observe(batches[b])).opened.length;
const monitorMs = (performance.now() - monitorStarted) / monitorBatches;
await store.close();

console.log(
  JSON.stringify({
    bench: 'alert-rules',
    assets: assetCount,
    rules: ruleCount,
    observations: assetCount * steps * ruleCount,
    evaluator_observations_per_second: Math.round((assetCount * steps * ruleCount) / (evaluatorMs / 1000)),
    events,
    monitor_batch_ms: Number(monitorMs.toFixed(2)),
    monitor_batches: monitorBatches,
    monitor_alerts_opened: opened,
  }),
);
