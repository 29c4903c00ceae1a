// Ingest and query throughput of the PostgreSQL store, in-process (no HTTP): a fleet of 1,000 pumps, 4 metrics,
// one reading each per second, appended as batches of 1,000 readings (4,000 values) by C concurrent appenders, into
// a fresh schema dropped afterwards. Then the same batches again (all duplicates), then per-asset range queries.
// Prints one JSON line.
//
//   npm run build && node bench/postgres-store.mjs [--db postgres://127.0.0.1:5432/test] [--batches 100] [--concurrency 2]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PostgresStore, quoteIdentifier } from '../dist/store/postgres.js';

const { values: options } = parseArgs({
  options: {
    db: { type: 'string', default: 'postgres://127.0.0.1:5432/test' },
    batches: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '2' },
  },
});
const METRICS = ['temperature', 'vibration', 'pressure', 'current'];
const ASSETS = 1000;
const T0 = Date.UTC(2026, 0, 1);
const batches = Number(options.batches);
const concurrency = Number(options.concurrency);

/** Second `second` of the fleet as value rows: 1,000 readings × 4 metrics. */
function batchAt(second) {
  const length = ASSETS * METRICS.length;
  const rows = { length, asset: [], metric: [], ts: new Float64Array(length), value: new Float64Array(length) };
  let row = 0;
  for (let asset = 0; asset < ASSETS; asset++) {
    for (let metric = 0; metric < METRICS.length; metric++) {
      rows.asset.push(`pump-${String(asset).padStart(4, '0')}`);
      rows.metric.push(METRICS[metric]);
      rows.ts[row] = T0 + second * 1000;
      rows.value[row] = 50 + ((asset * 7 + metric * 13 + second) % 100) / 10;
      row++;
    }
  }
  return rows;
}

async function appendAll(store) {
  let next = 0;
  let accepted = 0;
  let duplicates = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches) {
        const result = await store.appendValues(batchAt(next++));
        accepted += result.accepted;
        duplicates += result.duplicates;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { accepted, duplicates, seconds, valuesPerSecond: Math.round((batches * ASSETS * METRICS.length) / seconds) };
}

const schema = `upkeep_bench_${randomBytes(4).toString('hex')}`;
const store = await PostgresStore.open(options.db, { schema, maxConnections: Math.max(2, concurrency) });
try {
  const fresh = await appendAll(store);
  const replay = await appendAll(store);
  const queries = 200;
  const started = performance.now();
  for (let index = 0; index < queries; index++) {
    const asset = `pump-${String((index * 37) % ASSETS).padStart(4, '0')}`;
    await store.queryReadings(asset, { from: T0 + 10_000, to: T0 + 70_000 });
  }
  const queryMs = (performance.now() - started) / queries;
  const latestStarted = performance.now();
  for (let index = 0; index < queries; index++) await store.latestValues(`pump-${String(index).padStart(4, '0')}`);
  const latestMs = (performance.now() - latestStarted) / queries;
  console.log(
    JSON.stringify({
      bench: 'postgres-store',
      batches,
      valuesPerBatch: ASSETS * METRICS.length,
      concurrency,
      ingestValuesPerSecond: fresh.valuesPerSecond,
      ingestAccepted: fresh.accepted,
      replayValuesPerSecond: replay.valuesPerSecond,
      replayDuplicates: replay.duplicates,
      rangeQueryMs: Number(queryMs.toFixed(2)),
      latestValuesMs: Number(latestMs.toFixed(2)),
    }),
  );
} finally {
  await store.query(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
  await store.close();
}
