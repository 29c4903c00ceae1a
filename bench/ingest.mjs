// HTTP ingest throughput into the embedded DuckDB store: autocannon POSTs batches of 1,000 canonical readings ×
// 4 metrics (a fleet of 1,000 pumps, one reading each per second, ISO times) to a real server process on a temporary
// database file. Every request carries a new second, so every value is new and really stored.
// Prints one JSON line. Run `npm run build` first: this imports the built server from dist/.
//
//   node bench/ingest.mjs [--duration 10] [--connections 2] [--readings 1000] [--threads N] [--mode new|replay] [--keep]
//
// `--serve DB_PATH` is the server half (started by the bench as a child process).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const METRICS = ['temperature', 'vibration', 'pressure', 'current'];
const T0 = Date.UTC(2026, 0, 1);

const { values: options } = parseArgs({
  options: {
    serve: { type: 'string' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '2' },
    readings: { type: 'string', default: '1000' },
    threads: { type: 'string' },
    // new: every request a new second (all values stored); replay: the same 10 seconds over and over (duplicates).
    mode: { type: 'string', default: 'new' },
    keep: { type: 'boolean', default: false },
  },
});

if (options.serve) {
  await serve(options.serve);
} else {
  await bench();
}

async function serve(dbPath) {
  const { openStore } = await import('../dist/store/open.js');
  const { startServer } = await import('../dist/api/server.js');
  const { DEFAULT_LIMITS } = await import('../dist/api/context.js');
  const store = await openStore(dbPath, options.threads ? { threads: Number(options.threads) } : {});
  const server = await startServer({ store, port: 0, limits: DEFAULT_LIMITS, handleSignals: true });
  console.log(JSON.stringify({ url: server.url }));
}

function startServerProcess(dbPath) {
  const args = [new URL(import.meta.url).pathname, '--serve', dbPath];
  if (options.threads) args.push('--threads', options.threads);
  const execArgv = process.env.UPKEEP_BENCH_SERVER_ARGS ? process.env.UPKEEP_BENCH_SERVER_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...execArgv, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('{')) resolve({ child, url: JSON.parse(line).url });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
async function processCpuSeconds(pid) {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * The body of request `index` as a template split at the time: joining the parts with an ISO time gives a batch of
 * `readings` readings, all at that second, so that preparing a request costs one string join.
 */
function bodyTemplate(readings) {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const items = [];
  for (let row = 0; row < readings; row++) {
    const metrics = METRICS.map((metric) => `"${metric}":${(random() * 100).toFixed(3)}`).join(',');
    items.push(`{"asset":"pump-${String(row).padStart(4, '0')}","ts":"\u0000","metrics":{${metrics}}}`);
  }
  return `[${items.join(',')}]`.split('\u0000');
}

async function bench() {
  const { default: autocannon } = await import('autocannon');
  const folder = await mkdtemp(join(tmpdir(), 'upkeep-bench-ingest-'));
  const dbPath = join(folder, 'ingest.duckdb');
  const readings = Number(options.readings);
  const connections = Number(options.connections);
  const duration = Number(options.duration);
  const { child, url } = await startServerProcess(dbPath);
  try {
    const parts = bodyTemplate(readings);
    let second = 0;
    const replay = options.mode === 'replay';
    const serverCpuBefore = await processCpuSeconds(child.pid);
    const clientCpuBefore = process.cpuUsage();
    const result = await autocannon({
      url: `${url}/v1/readings`,
      connections,
      duration,
      pipelining: 1,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({
            ...request,
            body: parts.join(new Date(T0 + (replay ? second++ % 10 : second++) * 1000).toISOString()),
          }),
        },
      ],
    });
    const serverCpuAfter = await processCpuSeconds(child.pid);
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const timed = async (path) => {
      const started = performance.now();
      const body = await (await fetch(`${url}${path}`)).json();
      return { body, ms: Number((performance.now() - started).toFixed(1)) };
    };
    const { body: assets, ms: listMs } = await timed('/v1/assets?limit=1000');
    const { ms: assetMs } = await timed('/v1/assets/pump-0500');
    const { body: history, ms: historyMs } = await timed(
      '/v1/assets/pump-0500/readings?metric=temperature&limit=100000',
    );
    const storedValues = assets.assets.reduce((sum, asset) => sum + asset.reading_count, 0);
    const ok = result['2xx'];
    const valuesPerRequest = readings * METRICS.length;
    console.log(
      JSON.stringify({
        bench: 'ingest',
        values_per_s: Math.round((ok * valuesPerRequest) / result.duration),
        readings_per_s: Math.round((ok * readings) / result.duration),
        requests_per_s: Number((ok / result.duration).toFixed(1)),
        p50_ms: result.latency.p50,
        p99_ms: result.latency.p99,
        mean_ms: result.latency.average,
        // CPU the server process used per million stored values, and its share of the run (1 = one core busy).
        server_cpu_s_per_million_values:
          serverCpuBefore === null
            ? null
            : Number(((serverCpuAfter - serverCpuBefore) / ((ok * valuesPerRequest) / 1e6)).toFixed(3)),
        server_cores_busy:
          serverCpuBefore === null ? null : Number(((serverCpuAfter - serverCpuBefore) / result.duration).toFixed(2)),
        client_cores_busy: Number(((clientCpu.user + clientCpu.system) / 1e6 / result.duration).toFixed(2)),
        load_average_1m: Number(loadavg()[0].toFixed(2)),
        body_kb: Math.round(Buffer.byteLength(parts.join(new Date(T0).toISOString())) / 1024),
        requests_ok: ok,
        non_2xx: result.non2xx,
        errors: result.errors,
        stored_values: storedValues,
        expected_values: replay ? Math.min(ok, 10) * valuesPerRequest : ok * valuesPerRequest,
        mode: options.mode,
        // Reads after the run, on the database just written.
        list_assets_ms: listMs,
        get_asset_ms: assetMs,
        asset_history_ms: historyMs,
        asset_history_values: history.readings.length,
        connections,
        duration_s: result.duration,
        batch_readings: readings,
        metrics_per_reading: METRICS.length,
        store: 'duckdb-file',
        duckdb_threads: Number(options.threads ?? 1),
      }),
    );
  } finally {
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    if (!options.keep) await rm(folder, { recursive: true, force: true });
  }
}
