import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceAvailable } from '../../test/helpers/services.js';
import { openStore } from './open.js';
import { openRegistry } from './open-registry.js';
import { PostgresStore, quoteIdentifier } from './postgres.js';
import { PostgresJobStore } from './postgres-jobs.js';
import { PostgresModelRegistry } from './postgres-registry.js';
import { runRegistrySuite } from './registry-suite.js';
import { runStoreSuite } from './suite.js';

const URL = process.env.UPKEEP_TEST_POSTGRES ?? 'postgres://127.0.0.1:5432/test';
const available = await serviceAvailable('PostgreSQL', 5432);

/** 2026-01-01T00:00:00Z in epoch ms: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

/** Schemas this run created (one per store), dropped at the end. */
const schemas: string[] = [];
const RUN = randomBytes(4).toString('hex');

function freshSchema(): string {
  const schema = `upkeep_test_${RUN}_${schemas.length}`;
  schemas.push(schema);
  return schema;
}

afterAll(async () => {
  if (!available || schemas.length === 0) return;
  // Opened in a schema of its own (dropped with the others), so that nothing is created in the default one.
  const admin = await PostgresStore.open(URL, { schema: freshSchema() });
  try {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  } finally {
    await admin.close();
  }
});

describe.runIf(available)('PostgreSQL store', () => {
  runStoreSuite('PostgreSQL', () => PostgresStore.open(URL, { schema: freshSchema() }));

  runRegistrySuite('PostgreSQL', async () => {
    const store = await PostgresStore.open(URL, { schema: freshSchema() });
    return {
      registry: await PostgresModelRegistry.open(store),
      jobs: await PostgresJobStore.open(store),
      close: () => store.close(),
    };
  });

  describe('PostgreSQL specifics', () => {
    it('opens through openStore with ?schema= and serves the registry from the same database', async () => {
      const schema = freshSchema();
      const store = await openStore(`${URL}?schema=${schema}`);
      try {
        expect(store.kind).toBe('postgres');
        expect((store as PostgresStore).schema).toBe(schema);
        const { registry, jobs } = await openRegistry(store);
        expect(registry).toBeInstanceOf(PostgresModelRegistry);
        expect(await jobs.listJobs()).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('keeps values, attributes and idempotency across a reopen and between two processes’ stores', async () => {
      const schema = freshSchema();
      const first = await PostgresStore.open(URL, { schema });
      const second = await PostgresStore.open(URL, { schema });
      try {
        await first.upsertAssets([{ id: 'pump-01', attributes: { site: 'north' } }]);
        const batch = [{ asset: 'pump-01', ts: T0, metrics: { temperature: 70.5, vibration: 0.25 } }];
        const results = await Promise.all([first.appendReadings(batch), second.appendReadings(batch)]);
        expect(results.map((result) => result.accepted).sort()).toEqual([0, 2]);
        expect(await second.queryReadings('pump-01')).toEqual([
          { ts: T0, metric: 'temperature', value: 70.5 },
          { ts: T0, metric: 'vibration', value: 0.25 },
        ]);
        expect((await second.getAsset('pump-01'))?.attributes).toEqual({ site: 'north' });
      } finally {
        await first.close();
        await second.close();
      }
    });

    it('counts every value accepted exactly once when two processes append overlapping batches', async () => {
      const schema = freshSchema();
      const first = await PostgresStore.open(URL, { schema });
      const second = await PostgresStore.open(URL, { schema });
      try {
        // 20 assets × 30 seconds × 2 metrics = 1,200 distinct values, sent whole by both, in opposite orders.
        const readings = Array.from({ length: 600 }, (_, index) => ({
          asset: `pump-${index % 20}`,
          ts: T0 + Math.floor(index / 20) * 1000,
          metrics: { temperature: index, vibration: -index },
        }));
        const chunks = (list: typeof readings) =>
          Array.from({ length: 6 }, (_, k) => list.slice(k * 100, k * 100 + 100));
        const results = await Promise.all([
          ...chunks(readings).map((chunk) => first.appendReadings(chunk)),
          ...chunks([...readings].reverse()).map((chunk) => second.appendReadings(chunk)),
        ]);
        expect(results.reduce((sum, result) => sum + result.accepted, 0)).toBe(1200);
        expect(results.reduce((sum, result) => sum + result.duplicates, 0)).toBe(1200);
        const count = await first.query<{ n: number }>('SELECT count(*)::int AS n FROM readings');
        expect(count.rows[0]?.n).toBe(1200);
      } finally {
        await first.close();
        await second.close();
      }
    });

    it('creates one partition per month on demand and drops whole months for retention', async () => {
      const store = await PostgresStore.open(URL, { schema: freshSchema() });
      try {
        const jan = Date.UTC(2026, 0, 31, 23, 59, 59, 999);
        const feb = Date.UTC(2026, 1, 1);
        const mar = Date.UTC(2026, 2, 15);
        const readings = [jan, feb, mar].map((ts) => ({ asset: 'pump-01', ts, metrics: { temperature: 1 } }));
        expect(await store.appendReadings(readings)).toEqual({ accepted: 3, duplicates: 0 });
        const partitions = await store.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'readings'::regclass ORDER BY 1`,
        );
        expect(await store.latestValues('pump-01')).toEqual({ temperature: { ts: mar, value: 1 } });
        expect(partitions.rows.map((row) => row.name)).toEqual([
          'readings_p202601',
          'readings_p202602',
          'readings_p202603',
        ]);
        // Mid-February: only January ends before it.
        expect(await store.dropPartitionsBefore(Date.UTC(2026, 1, 15))).toEqual(['readings_p202601']);
        expect((await store.queryReadings('pump-01')).map((value) => value.ts)).toEqual([feb, mar]);
        expect(await store.dropPartitionsBefore(Date.UTC(2026, 2, 1))).toEqual(['readings_p202602']);
        // A dropped month receives values again: its partition is created anew.
        expect(await store.appendReadings([readings[0] as (typeof readings)[number]])).toEqual({
          accepted: 1,
          duplicates: 0,
        });
        expect((await store.queryReadings('pump-01')).map((value) => value.ts)).toEqual([jan, mar]);
      } finally {
        await store.close();
      }
    });

    it('re-creates a partition another process dropped', async () => {
      const schema = freshSchema();
      const writer = await PostgresStore.open(URL, { schema });
      const janitor = await PostgresStore.open(URL, { schema });
      try {
        await writer.appendReadings([{ asset: 'a', ts: Date.UTC(2025, 5, 1), metrics: { x: 1 } }]);
        expect(await janitor.dropPartitionsBefore(Date.UTC(2025, 6, 1))).toEqual(['readings_p202506']);
        expect(await writer.appendReadings([{ asset: 'a', ts: Date.UTC(2025, 5, 2), metrics: { x: 2 } }])).toEqual({
          accepted: 1,
          duplicates: 0,
        });
      } finally {
        await writer.close();
        await janitor.close();
      }
    });

    it('survives its connections being terminated mid-stream: nothing lost, nothing doubled', async () => {
      const schema = freshSchema();
      const application = `${schema}_writer`;
      const store = await PostgresStore.open(`${URL}?application_name=${application}`, { schema });
      const killer = await PostgresStore.open(URL, { schema });
      try {
        const batch = (second: number) =>
          Array.from({ length: 100 }, (_, asset) => ({
            asset: `pump-${asset}`,
            ts: T0 + second * 1000,
            metrics: { temperature: second, vibration: asset },
          }));
        await store.appendReadings(batch(0));
        const appends: Promise<{ accepted: number; duplicates: number }>[] = [];
        let killed = 0;
        for (let second = 1; second <= 40; second++) {
          appends.push(store.appendReadings(batch(second)));
          if (second % 10 === 0) {
            const result = await killer.query(
              'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
              [application],
            );
            killed += result.rowCount ?? 0;
          }
        }
        const results = await Promise.all(appends);
        expect(killed).toBeGreaterThan(0);
        // A batch whose commit went through just before its connection died is stored once, counted as duplicates.
        expect(results.every((result) => result.accepted + result.duplicates === 200)).toBe(true);
        const count = await killer.query<{ n: number }>('SELECT count(*)::int AS n FROM readings');
        expect(count.rows[0]?.n).toBe(41 * 200);
        expect((await store.getAsset('pump-7'))?.readingCount).toBe(82);
      } finally {
        await store.close();
        await killer.close();
      }
    });

    it('takes a large batch in several statements of one transaction, deduplicating across them', async () => {
      const store = await PostgresStore.open(URL, { schema: freshSchema() });
      try {
        // 60,000 distinct values, then the first 10,000 again at the end: 70,000 rows, 60,000 kept.
        const count = 60_000;
        const rows = {
          length: count + 10_000,
          asset: [] as string[],
          metric: [] as string[],
          ts: new Float64Array(count + 10_000),
          value: new Float64Array(count + 10_000),
        };
        for (let row = 0; row < count + 10_000; row++) {
          const index = row % count;
          rows.asset.push(`pump-${index % 10}`);
          rows.metric.push('temperature');
          rows.ts[row] = T0 + Math.floor(index / 10) * 1000;
          rows.value[row] = row < count ? index : -1;
        }
        expect(await store.appendValues(rows)).toEqual({ accepted: count, duplicates: 10_000 });
        expect((await store.getAsset('pump-3'))?.readingCount).toBe(count / 10);
        expect(await store.latestValues('pump-3')).toEqual({
          temperature: { ts: T0 + (count / 10 - 1) * 1000, value: count - 7 },
        });
      } finally {
        await store.close();
      }
    });

    it('refuses a NUL in an id and a time outside PostgreSQL’s range, naming the row', async () => {
      const store = await PostgresStore.open(URL, { schema: freshSchema() });
      try {
        await expect(store.appendReadings([{ asset: 'a\u0000b', ts: T0, metrics: { x: 1 } }])).rejects.toThrow(
          /row 0: asset must be a non-empty string without NUL/,
        );
        await expect(store.appendReadings([{ asset: 'a', ts: -8.64e15, metrics: { x: 1 } }])).rejects.toThrow(
          /row 0: ts must be finite epoch milliseconds from 4712 BC/,
        );
        // The extremes it takes: 1 January 4712 BC and the last instant of JS dates (13 September 275760).
        const extremes = [Date.UTC(-4711, 0, 1), 8.64e15].map((ts) => ({ asset: 'a', ts, metrics: { x: 1 } }));
        expect(await store.appendReadings(extremes)).toEqual({ accepted: 2, duplicates: 0 });
        expect((await store.queryReadings('a')).map((value) => value.ts)).toEqual([Date.UTC(-4711, 0, 1), 8.64e15]);
        expect(await store.dropPartitionsBefore(0)).toEqual(['readings_pm471101']);
      } finally {
        await store.close();
      }
    });

    it('says which database it cannot open, without the password', async () => {
      await expect(PostgresStore.open('postgres://someone:secret@127.0.0.1:1/nowhere')).rejects.toThrow(
        /^cannot open the PostgreSQL database "postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nowhere": /,
      );
    });

    it('refuses use after close', async () => {
      const store = await PostgresStore.open(URL, { schema: freshSchema() });
      await store.close();
      await expect(store.listAssets()).rejects.toThrow(/closed/);
    });
  });
});
