// Peak memory of a batch-inference job on a large upload: `upkeep serve` (from dist/) runs as a child process; a
// CSV file of --mb megabytes (machine readings: an id and six numeric columns) is streamed to POST /v1/jobs, scored
// by a logistic model in the job's worker thread and the output streamed back from GET /v1/jobs/{id}/output. The
// server's peak resident set (VmHWM from /proc, worker threads included) is read at the end and compared with its
// resident set before the upload. Prints one JSON line.
//
//   npx tsc -p tsconfig.build.json && node bench/upload.mjs [--mb 200]
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../dist/core/rng.js';

const { values: options } = parseArgs({ options: { mb: { type: 'string', default: '200' } } });
const targetBytes = Number(options.mb) * 1024 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = await mkdtemp(join(tmpdir(), 'upkeep-upload-bench-'));

/** Deterministic uniforms in [0, 1) (the product's seeded Rng). */
function random(seed) {
  const rng = new Rng(seed);
  return () => rng.next();
}

const HEADER = 'machine_id,temperature,pressure,vibration,speed,torque,wear,failed\n';

function row(next, i) {
  const temperature = 60 + 20 * next();
  const torque = 40 * next();
  const wear = 250 * next();
  const failed = temperature / 80 + torque / 40 + wear / 250 + 0.3 * next() > 2.1 ? 1 : 0;
  return `m-${i % 5000},${temperature.toFixed(3)},${(1 + next()).toFixed(4)},${next().toFixed(5)},${(1200 + 600 * next()).toFixed(1)},${torque.toFixed(3)},${wear.toFixed(1)},${failed}\n`;
}

async function writeCsv(path, bytes) {
  const next = random(7);
  const out = createWriteStream(path);
  let written = HEADER.length;
  out.write(HEADER);
  let rows = 0;
  while (written < bytes) {
    let block = '';
    for (let k = 0; k < 1000; k++) block += row(next, rows++);
    written += block.length;
    if (!out.write(block)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve) => out.end(resolve));
  return rows;
}

function trainingCsv(rows) {
  const next = random(3);
  let text = HEADER;
  for (let i = 0; i < rows; i++) text += row(next, i);
  return text;
}

async function peakKiB(pid, field) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
}

function startServer() {
  return new Promise((resolve, reject) => {
    const server = spawn(
      process.execPath,
      [join(root, 'dist', 'cli', 'main.js'), 'serve', '--db', join(dir, 'bench.duckdb'), '--port', '0', '--no-auth'],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, UPKEEP_LOG_LEVEL: 'warn' } },
    );
    let output = '';
    server.stdout.on('data', (data) => {
      output += data;
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ server, url: match[1] });
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

async function waitForJob(url, id) {
  for (;;) {
    const job = await (await fetch(`${url}/v1/jobs/${id}`)).json();
    if (['succeeded', 'failed', 'cancelled'].includes(job.state)) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const input = join(dir, 'input.csv');
const rows = await writeCsv(input, targetBytes);
const fileBytes = (await stat(input)).size;
const { server, url } = await startServer();
try {
  const trained = await fetch(`${url}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'train',
      name: 'risk',
      target: 'failed',
      drop: ['machine_id'],
      model: 'logistic',
      data: { csv: trainingCsv(5000) },
    }),
  });
  const training = await waitForJob(url, (await trained.json()).job_id);
  if (training.state !== 'succeeded') throw new Error(`training ${training.state}: ${training.error}`);
  const baselineKiB = await peakKiB(server.pid, 'VmRSS');

  const started = performance.now();
  const submitted = await fetch(`${url}/v1/jobs?model=risk&input_format=csv`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', 'content-length': String(fileBytes) },
    body: Readable.toWeb(createReadStream(input)),
    duplex: 'half',
  });
  const { job_id: id } = await submitted.json();
  const uploaded = performance.now();
  const afterUploadKiB = await peakKiB(server.pid, 'VmHWM');
  const job = await waitForJob(url, id);
  if (job.state !== 'succeeded') throw new Error(`batch job ${job.state}: ${job.error}`);
  const scored = performance.now();
  const output = await fetch(`${url}/v1/jobs/${id}/output`);
  await pipeline(Readable.fromWeb(output.body), createWriteStream('/dev/null'));
  const downloaded = performance.now();
  const peak = await peakKiB(server.pid, 'VmHWM');

  console.log(
    JSON.stringify({
      bench: 'upload',
      file_mb: Number((fileBytes / 1024 / 1024).toFixed(1)),
      rows,
      rows_written: job.result.rows_written,
      upload_s: Number(((uploaded - started) / 1000).toFixed(2)),
      score_s: Number(((scored - uploaded) / 1000).toFixed(2)),
      download_s: Number(((downloaded - scored) / 1000).toFixed(2)),
      rows_per_s: Math.round(rows / ((scored - uploaded) / 1000)),
      server_rss_before_mb: Number((baselineKiB / 1024).toFixed(1)),
      server_peak_rss_after_upload_mb: Number((afterUploadKiB / 1024).toFixed(1)),
      server_peak_rss_mb: Number((peak / 1024).toFixed(1)),
      growth_over_file: Number((((peak - baselineKiB) * 1024) / fileBytes).toFixed(3)),
    }),
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  await rm(dir, { recursive: true, force: true });
}
