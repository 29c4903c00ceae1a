import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceAvailable } from '../../test/helpers/services.js';
import type { DetectorStateStore } from './detector-states.js';
import { DuckDBStore } from './duckdb.js';
import { openDetectorStates } from './open-detector-states.js';
import { PostgresStore, quoteIdentifier } from './postgres.js';

const URL = process.env.UPKEEP_TEST_POSTGRES ?? 'postgres://127.0.0.1:5432/test';
const postgresAvailable = await serviceAvailable('PostgreSQL', 5432);
const RUN = randomBytes(4).toString('hex');
const schemas: string[] = [];

afterAll(async () => {
  if (!postgresAvailable || schemas.length === 0) return;
  const admin = await PostgresStore.open(URL, { schema: `upkeep_states_${RUN}_drop` });
  try {
    for (const schema of [...schemas, admin.schema]) {
      await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    }
  } finally {
    await admin.close();
  }
});

function runSuite(name: string, open: () => Promise<{ states: DetectorStateStore; close: () => Promise<void> }>) {
  describe(`${name} detector states`, () => {
    it('saves, replaces by (asset, metric) and loads the most recently saved first', async () => {
      const { states, close } = await open();
      try {
        // A detector JSON with values that must survive exactly (text, not a lossy float column).
        const detector = JSON.stringify({ className: 'Ewma', config: { alpha: 0.02 }, state: { mean: 0.1 + 0.2 } });
        await states.save([
          { asset: 'a', metric: 'x', detector, lastTs: 1_767_225_600_000, score: 0.25, savedAt: 10 },
          { asset: 'a', metric: 'y', detector: '{}', lastTs: 1, score: 0, savedAt: 10 },
        ]);
        await states.save([{ asset: 'a', metric: 'y', detector: '{"v":2}', lastTs: 2, score: 0.5, savedAt: 20 }]);
        const loaded = await states.load();
        expect(loaded).toEqual([
          { asset: 'a', metric: 'y', detector: '{"v":2}', lastTs: 2, score: 0.5, savedAt: 20 },
          { asset: 'a', metric: 'x', detector, lastTs: 1_767_225_600_000, score: 0.25, savedAt: 10 },
        ]);
        expect(JSON.parse(loaded[1].detector).state.mean).toBe(0.30000000000000004);
        expect(await states.load(1)).toHaveLength(1);
        await states.clear();
        expect(await states.load()).toEqual([]);
      } finally {
        await close();
      }
    });

    it('keeps the previous states when a save fails part-way (one transaction)', async () => {
      const { states, close } = await open();
      try {
        await states.save([{ asset: 'a', metric: 'x', detector: '{}', lastTs: 1, score: 0, savedAt: 1 }]);
        const bad = { asset: 'a', metric: 'z', detector: null as unknown as string, lastTs: 2, score: 0, savedAt: 2 };
        await expect(
          states.save([{ asset: 'a', metric: 'x', detector: '{"v":2}', lastTs: 2, score: 0, savedAt: 2 }, bad]),
        ).rejects.toThrow();
        expect((await states.load()).map((record) => record.detector)).toEqual(['{}']);
      } finally {
        await close();
      }
    });
  });
}

runSuite('DuckDB', async () => {
  const store = await DuckDBStore.open(':memory:');
  const states = await openDetectorStates(store);
  if (!states) throw new Error('no detector states on DuckDB');
  return { states, close: () => store.close() };
});

describe.runIf(postgresAvailable)('PostgreSQL', () => {
  runSuite('PostgreSQL', async () => {
    const schema = `upkeep_states_${RUN}_${schemas.length}`;
    schemas.push(schema);
    const store = await PostgresStore.open(URL, { schema });
    const states = await openDetectorStates(store);
    if (!states) throw new Error('no detector states on PostgreSQL');
    return { states, close: () => store.close() };
  });
});
