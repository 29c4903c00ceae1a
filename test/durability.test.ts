import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

/** The smallest real server: the store on a file, the API app on a free port; prints its URL. */
const SERVER_SCRIPT = `
import { startServer } from ${JSON.stringify(join(ROOT, 'src/api/server.ts'))};
import { openStore } from ${JSON.stringify(join(ROOT, 'src/store/open.ts'))};
const store = await openStore(process.argv[2]);
const server = await startServer({ store, port: 0, handleSignals: true });
console.log(JSON.stringify({ url: server.url }));
`;

interface Server {
  child: ChildProcess;
  url: string;
}

/** One process (node with the tsx loader, no wrapper), so that SIGKILL hits the process holding the database. */
function startServer(script: string, dbPath: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, dbPath], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolvePromise({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${stderr}`)));
  });
}

function killHard(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolvePromise) => {
    child.once('exit', (_code, signal) => resolvePromise(signal));
    child.kill('SIGKILL');
  });
}

function batch(index: number, readings: number) {
  return Array.from({ length: readings }, (_, row) => ({
    asset: `pump-${String(row % 10).padStart(2, '0')}`,
    ts: T0 + (index * readings + row) * 1000,
    metrics: { temperature: 60 + row / 10, vibration: index + row / 1000, pressure: 3 },
  }));
}

async function postReadings(url: string, body: unknown) {
  const response = await fetch(`${url}/v1/readings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, number> };
}

describe('durability: an acknowledged batch survives kill -9', () => {
  let folder: string;
  let script: string;
  let running: ChildProcess | undefined;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'upkeep-durability-'));
    script = join(folder, 'serve.mts');
    await writeFile(script, SERVER_SCRIPT);
  });

  afterAll(async () => {
    if (running && running.exitCode === null && running.signalCode === null) await killHard(running);
    await rm(folder, { recursive: true, force: true });
  });

  it('reads back every value acknowledged before the crash, and stays idempotent', async () => {
    const dbPath = join(folder, 'data', 'upkeep.duckdb');
    const first = await startServer(script, dbPath);
    running = first.child;

    // 8 batches of 250 readings × 3 metrics, four at a time so that several share one commit.
    const batches = Array.from({ length: 8 }, (_, index) => batch(index, 250));
    for (let start = 0; start < batches.length; start += 4) {
      const results = await Promise.all(batches.slice(start, start + 4).map((body) => postReadings(first.url, body)));
      for (const result of results) {
        expect(result).toEqual({ status: 200, body: { accepted: 750, duplicates: 0, readings: 250 } });
      }
    }
    expect(await killHard(first.child)).toBe('SIGKILL');
    // The values were not checkpointed into the database file yet: the restart has to replay the write-ahead log.
    expect(existsSync(`${dbPath}.wal`)).toBe(true);

    const second = await startServer(script, dbPath);
    running = second.child;
    const assets = (await (await fetch(`${second.url}/v1/assets`)).json()) as {
      assets: { id: string; reading_count: number }[];
    };
    expect(assets.assets).toHaveLength(10);
    // 8 batches × 250 readings × 3 metrics = 6,000 values, 600 per asset.
    expect(assets.assets.every((asset) => asset.reading_count === 600)).toBe(true);

    const stored = (await (
      await fetch(`${second.url}/v1/assets/pump-03/readings?metric=vibration&limit=100000`)
    ).json()) as {
      readings: { ts: string; value: number }[];
    };
    const expected = batches.flat().filter((reading) => reading.asset === 'pump-03');
    expect(stored.readings.map((reading) => Date.parse(reading.ts))).toEqual(expected.map((reading) => reading.ts));
    expect(stored.readings.map((reading) => reading.value)).toEqual(
      expected.map((reading) => reading.metrics.vibration),
    );

    expect(await postReadings(second.url, batches[5])).toEqual({
      status: 200,
      body: { accepted: 0, duplicates: 750, readings: 250 },
    });
    await killHard(second.child);
  });
});
