import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBStore } from '../src/store/duckdb.js';
import { PostgresStore, quoteIdentifier } from '../src/store/postgres.js';
import { applyRetention } from '../src/store/retention.js';
import { runUpkeep } from './helpers/cli.js';
import { serviceAvailable } from './helpers/services.js';

const PG_URL = process.env.UPKEEP_TEST_POSTGRES ?? 'postgres://127.0.0.1:5432/test';
const pgUp = await serviceAvailable('PostgreSQL', 5432);
const DAY = 86_400_000;
/** Midday, so that "n days ago" never straddles a test's cut-off by a few milliseconds. */
const NOW = Math.floor(Date.now() / DAY) * DAY + DAY / 2;

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'upkeep-retention-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** One value of `v` on each of the given days ago. */
const daysAgo = (...days: number[]) =>
  days.map((day) => ({ asset: 'pump-1', ts: NOW - day * DAY, metrics: { v: day } }));

describe('retention', () => {
  it('DuckDB: upkeep retention --older-than deletes exactly the older values', async () => {
    const path = join(workDir, 'retention.duckdb');
    const store = await DuckDBStore.open(path);
    await store.appendReadings(daysAgo(400, 120, 91, 89, 10, 0));
    await store.close();

    const run = await runUpkeep(['retention', '--db', path, '--older-than', '90d']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^deleted 3 values older than \d{4}-\d\d-\d\dT/);

    const reopened = await DuckDBStore.open(path);
    try {
      expect((await reopened.queryReadings('pump-1')).map((row) => row.value)).toEqual([89, 10, 0]);
      // Appends after a retention run still work, including into the deleted range.
      expect(await reopened.appendReadings(daysAgo(120, 0))).toEqual({ accepted: 1, duplicates: 1 });
      expect(await applyRetention(reopened, NOW - 90 * DAY)).toEqual({ kind: 'duckdb', deletedValues: 1 });
    } finally {
      await reopened.close();
    }
  });

  it('rejects a duration it cannot read, naming the option', async () => {
    const run = await runUpkeep(['retention', '--db', join(workDir, 'x.duckdb'), '--older-than', 'ninety']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/'older-than' must be a duration such as 30d/);
  });

  it.skipIf(!pgUp)('PostgreSQL: drops the monthly partitions entirely older than the cut-off', async () => {
    const schema = `upkeep_retention_${randomBytes(4).toString('hex')}`;
    const url = `${PG_URL}?schema=${schema}`;
    const store = await PostgresStore.open(url);
    try {
      await store.appendReadings(daysAgo(400, 120, 91, 89, 10, 0));
      const run = await runUpkeep(['retention', '--db', url, '--older-than', '90d']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const month = (ms: number) => new Date(ms).toISOString().slice(0, 7).replace('-', '');
      const cutoff = NOW - 90 * DAY;
      // Every month that ends at or before the cut-off goes; the month holding it stays whole.
      const gone = [400, 120, 91].filter((day) => {
        const start = new Date(NOW - day * DAY);
        return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1) <= cutoff;
      });
      const expected = [...new Set(gone.map((day) => `readings_p${month(NOW - day * DAY)}`))];
      expect(run.stdout).toMatch(new RegExp(`^dropped ${expected.length} partition\\(s\\) before `));
      for (const name of expected) expect(run.stdout).toContain(name);
      const kept = (await store.queryReadings('pump-1')).map((row) => row.value);
      expect(kept).toEqual([400, 120, 91, 89, 10, 0].filter((day) => !gone.includes(day)));
      expect(kept).not.toContain(400);
      expect(kept).toEqual(expect.arrayContaining([89, 10, 0]));
    } finally {
      await store.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
      await store.close();
    }
  });
});
