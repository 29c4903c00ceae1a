import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/core/version.js';
import { openStore } from '../src/store/open.js';
import { MAIN, type RunResult, runUpkeep, TSX } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PUMPS = join(ROOT, 'test', 'fixtures', 'pumps.csv');

function upkeep(args: string[]): Promise<RunResult> {
  return runUpkeep(args);
}

/** Starts `upkeep serve …`, resolves with the process and its first stdout line(s) once the URL is printed. */
function startServe(
  args: string[],
  waitFor = /Upkeep is serving on (\S+)/,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [MAIN, 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Upkeep is serving on (\S+)/.exec(stdout);
      if (match && waitFor.test(stdout)) resolve({ child, url: match[1] as string, output: () => stdout });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'upkeep-cli-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('upkeep CLI', () => {
  it('lists its commands with --help and prints the version with --version', async () => {
    const help = await upkeep(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: upkeep/);
    expect(help.stdout).toMatch(/\n\s+serve \[options\]/);
    expect(help.stdout).toMatch(/\n\s+import \[options\] <file>/);
    const version = await upkeep(['--version']);
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('answers a usage error with one line on stderr and exit code 2', async () => {
    const unknown = await upkeep(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^upkeep: unknown command 'frobnicate'\n/);
    const badBatch = await upkeep(['import', PUMPS, '--batch', '0']);
    expect(badBatch.code).toBe(2);
    expect(badBatch.stderr).toBe(
      "upkeep: option '--batch <rows>' argument '0' is invalid. --batch must be a whole number from 1 to 1000000, got \"0\"\n",
    );
  });

  it('imports the pumps fixture, prints a summary, and skips values already stored on a second import', async () => {
    const db = join(workDir, 'pumps.duckdb');
    const first = await upkeep(['import', PUMPS, '--format', 'csv', '--db', db]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // 8 rows × 4 metrics − 2 empty cells = 30 values, 3 pumps
    expect(first.stdout).toMatch(/^imported 8 rows → 30 values \(0 duplicates\) for 3 assets in \d+\.\d s\n$/);

    const second = await upkeep(['import', PUMPS, '--db', db, '--json']);
    expect(second.code).toBe(0);
    const summary = JSON.parse(second.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      rows: 8,
      values: 30,
      accepted: 0,
      duplicates: 30,
      assets: 3,
      metrics: ['temperature', 'vibration', 'pressure', 'running'],
      attributes: ['model', 'site', 'notes'],
    });

    const store = await openStore(db);
    try {
      const pump2 = await store.getAsset('pump-02');
      expect(pump2?.attributes).toEqual({ model: 'P200', site: 'Plant B', notes: 'new seal, "rev 2"' });
      expect(pump2?.readingCount).toBe(8);
      const pump1 = await store.queryReadings('pump-01', { metric: 'vibration' });
      // Row 4 (pump-01 at 00:01) has an empty vibration cell: no value stored for it.
      expect(pump1).toEqual([
        { ts: Date.UTC(2026, 0, 1, 0, 0), metric: 'vibration', value: 0.52 },
        { ts: Date.UTC(2026, 0, 1, 0, 2), metric: 'vibration', value: 0.55 },
      ]);
      const running = await store.queryReadings('pump-03', { metric: 'running' });
      expect(running.map((row) => row.value)).toEqual([0, 0, 0]);
      expect((await store.listAssets()).map((asset) => asset.id).sort()).toEqual(['pump-01', 'pump-02', 'pump-03']);
    } finally {
      await store.close();
    }
  });

  it('rejects bad files with one line naming the problem and exit code 2, keeping batches stored before it', async () => {
    const db = join(workDir, 'bad.duckdb');
    const missing = await upkeep(['import', join(workDir, 'nope.csv'), '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`upkeep: cannot read ${join(workDir, 'nope.csv')}: no such file\n`);

    const unknownColumn = await upkeep(['import', PUMPS, '--id', 'serial', '--db', db]);
    expect(unknownColumn.code).toBe(2);
    expect(unknownColumn.stderr).toMatch(
      /^upkeep: .*pumps\.csv: id column "serial" is not in the header \(columns: sensor_id, /,
    );

    const unknownFormat = await upkeep(['import', PUMPS, '--format', 'parquet', '--db', db]);
    expect(unknownFormat).toMatchObject({ code: 2, stderr: "upkeep: unknown import format 'parquet' (known: csv)\n" });

    const textOnly = join(workDir, 'text-only.csv');
    await writeFile(textOnly, 'asset,ts,site\np1,2026-01-01T00:00:00Z,plant-a\n');
    const noMetrics = await upkeep(['import', textOnly, '--db', db]);
    expect(noMetrics.code).toBe(2);
    expect(noMetrics.stderr).toMatch(/^upkeep: .*text-only\.csv: no metric columns/);

    const badNumber = join(workDir, 'bad-number.csv');
    await writeFile(
      badNumber,
      'asset,ts,temperature\np1,1000,70\np1,2000,71\np1,3000,72\np1,4000,73\np1,5000,seventy\np1,6000,75\n',
    );
    const result = await upkeep(['import', badNumber, '--db', db, '--batch', '2']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `upkeep: ${badNumber} row 5 (line 6): column 'temperature' must be a number (or true/false), got "seventy" (the first 4 rows were imported)\n`,
    );
    const store = await openStore(db);
    try {
      expect((await store.queryReadings('p1')).map((row) => row.value)).toEqual([70, 71, 72, 73]);
    } finally {
      await store.close();
    }
  });

  it('serves on a free port with --port 0, answers /health, and stops cleanly on SIGTERM', async () => {
    const { child, url } = await startServe(['--port', '0', '--db', ':memory:']);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(url).not.toMatch(/:0$/);
      const response = await fetch(`${url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', version: VERSION });

      const busy = await upkeep(['serve', '--port', url.split(':')[2] as string, '--db', ':memory:']);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toBe(`upkeep: cannot listen on 127.0.0.1:${url.split(':')[2]}: the port is already in use\n`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitOf(child)).toBe(0);
  });

  it('streams a simulated fleet into the store and continues its history after a restart', async () => {
    const db = join(workDir, 'fleet.duckdb');
    const run = async (whileServing?: () => Promise<void>) => {
      const { child, output } = await startServe(
        ['--port', '0', '--db', db, '--simulate', '3'],
        /simulating 3 machines/,
      );
      expect(output()).toMatch(/simulating 3 machines \(.+\): \d+ values\/s into /);
      const started = Date.now();
      await whileServing?.();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2500 - (Date.now() - started))));
      child.kill('SIGINT');
      expect(await exitOf(child)).toBe(0);
    };
    const seriesOf = async () => {
      const store = await openStore(db);
      try {
        const assets = await store.listAssets();
        const first = assets[0];
        return {
          ids: assets.map((asset) => asset.id).sort(),
          kind: first?.attributes.kind,
          times: first ? [...new Set((await store.queryReadings(first.id)).map((row) => row.ts))] : [],
        };
      } finally {
        await store.close();
      }
    };
    await run(async () => {
      // The running server holds the database file: a second process is told so in one line.
      const locked = await upkeep(['import', PUMPS, '--db', db]);
      expect(locked.code).toBe(2);
      expect(locked.stderr).toMatch(/^upkeep: \S+fleet\.duckdb is in use by another process \(PID \d+\): stop it, /);
    });
    const before = await seriesOf();
    expect(before.ids).toHaveLength(3);
    expect(before.kind).toMatch(/^(pump|motor|compressor)$/);
    expect(before.times.length).toBeGreaterThanOrEqual(2);
    await run();
    const after = await seriesOf();
    expect(after.ids).toEqual(before.ids);
    // The second run adds later ticks on the same one-second grid and never rewrites the first run's.
    expect(after.times.slice(0, before.times.length)).toEqual(before.times);
    expect(after.times.length).toBeGreaterThan(before.times.length);
    for (const ts of after.times) expect(ts % 1000).toBe(0);
  });
});
