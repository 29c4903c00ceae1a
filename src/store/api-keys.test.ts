import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { serviceAvailable } from '../../test/helpers/services.js';
import { hashSecret, parseKey, secretMatches } from '../core/api-keys.js';
import { type ApiKeyStore, createApiKey, MemoryApiKeyStore } from './api-keys.js';
import { DuckDBStore } from './duckdb.js';
import { DuckDBApiKeyStore } from './duckdb-api-keys.js';
import { openApiKeyStore } from './open-api-keys.js';
import { PostgresStore, quoteIdentifier } from './postgres.js';

const T0 = Date.UTC(2026, 0, 1);

const POSTGRES_URL = process.env.UPKEEP_TEST_POSTGRES ?? 'postgres://127.0.0.1:5432/test';
const postgresUp = await serviceAvailable('PostgreSQL', 5432);
const RUN = `${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];

afterAll(async () => {
  if (schemas.length === 0) return;
  const admin = await PostgresStore.open(POSTGRES_URL, { schema: `upkeep_keys_${RUN}_admin` });
  try {
    for (const schema of [...schemas, `upkeep_keys_${RUN}_admin`]) {
      await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    }
  } finally {
    await admin.close();
  }
});

const stores: Array<[string, () => Promise<{ keys: ApiKeyStore; close: () => Promise<void> }>]> = [
  ['memory', async () => ({ keys: new MemoryApiKeyStore(), close: async () => undefined })],
  [
    'DuckDB (:memory:)',
    async () => {
      const store = await DuckDBStore.open(':memory:', { threads: 1 });
      return { keys: await DuckDBApiKeyStore.open(store), close: () => store.close() };
    },
  ],
  ...(postgresUp
    ? [
        [
          'PostgreSQL',
          async () => {
            const schema = `upkeep_keys_${RUN}_${schemas.length}`;
            schemas.push(schema);
            const store = await PostgresStore.open(POSTGRES_URL, { schema });
            return { keys: await openApiKeyStore(store), close: () => store.close() };
          },
        ] as (typeof stores)[number],
      ]
    : []),
];

describe.each(stores)('API key store: %s', (_name, open) => {
  it('stores only the salted hash, lists, touches, expires and revokes', async () => {
    const { keys, close } = await open();
    try {
      const { key, summary } = await createApiKey(keys, { name: ' gateway ', role: 'ingest', createdAt: T0 });
      const parsed = parseKey(key);
      expect(parsed?.id).toBe(summary.id);
      expect(summary).toEqual({ id: summary.id, name: 'gateway', role: 'ingest', createdAt: T0 });
      const record = await keys.get(summary.id);
      expect(record?.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(record?.hash).toBe(hashSecret(record?.salt ?? '', parsed?.secret ?? ''));
      expect(JSON.stringify(record)).not.toContain(parsed?.secret);
      expect(secretMatches(parsed?.secret ?? '', record?.salt ?? '', record?.hash ?? '')).toBe(true);
      expect(secretMatches(`${parsed?.secret}x`, record?.salt ?? '', record?.hash ?? '')).toBe(false);

      const temporary = await createApiKey(keys, {
        name: 'contractor',
        role: 'read',
        createdAt: T0 + 1,
        expiresAt: T0 + 1000,
      });
      expect(await keys.countUsable(T0 + 999)).toBe(2);
      expect(await keys.countUsable(T0 + 1000)).toBe(1);

      await keys.touch(summary.id, T0 + 50);
      await keys.touch(summary.id, T0 + 20); // an older use does not move the time back
      expect((await keys.get(summary.id))?.lastUsedAt).toBe(T0 + 50);

      const revoked = await keys.revoke(summary.id, T0 + 60);
      expect(revoked.revokedAt).toBe(T0 + 60);
      expect((await keys.revoke(summary.id, T0 + 70)).revokedAt).toBe(T0 + 60);
      expect(await keys.countUsable(T0 + 100)).toBe(1);

      const listed = await keys.list();
      expect(listed.map((item) => item.id)).toEqual([summary.id, temporary.summary.id]);
      expect(listed[1]).toEqual({ ...temporary.summary, expiresAt: T0 + 1000 });
      expect(Object.keys(listed[0] ?? {})).not.toContain('hash');

      await expect(keys.revoke('0000000000000000', T0)).rejects.toThrow(/unknown API key "0000000000000000"/);
      expect(await keys.get('0000000000000000')).toBeUndefined();
    } finally {
      await close();
    }
  });

  it('refuses an empty name, an unknown role and an expiry before creation', async () => {
    const { keys, close } = await open();
    try {
      await expect(createApiKey(keys, { name: '  ', role: 'read', createdAt: T0 })).rejects.toThrow(
        /'name' must be 1 to 100 characters, got " {2}"/,
      );
      // @ts-expect-error an unknown role, as a user may type it
      await expect(createApiKey(keys, { name: 'x', role: 'root', createdAt: T0 })).rejects.toThrow(
        /'role' must be one of ingest, read, operate, admin, got "root"/,
      );
      await expect(createApiKey(keys, { name: 'x', role: 'read', createdAt: T0, expiresAt: T0 })).rejects.toThrow(
        /'expiresAt' must be after the creation time/,
      );
      expect(await keys.list()).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('DuckDB API keys on a database file', () => {
  let directory: string | undefined;

  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
    directory = undefined;
  });

  it('keeps keys across a reopen', async () => {
    directory = await mkdtemp(join(tmpdir(), 'upkeep-keys-'));
    const path = join(directory, 'upkeep.duckdb');
    const first = await DuckDBStore.open(path, { threads: 1 });
    const created = await createApiKey(await DuckDBApiKeyStore.open(first), {
      name: 'ops',
      role: 'operate',
      createdAt: T0,
    });
    await first.close();
    const second = await DuckDBStore.open(path, { threads: 1 });
    try {
      const keys = await DuckDBApiKeyStore.open(second);
      expect(await keys.list()).toEqual([created.summary]);
    } finally {
      await second.close();
    }
  });
});
