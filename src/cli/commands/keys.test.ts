import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { runKeysCreate, runKeysList, runKeysRevoke } from './keys.js';
import { serveAuth } from './serve.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

function capture() {
  const lines = { stdout: '', stderr: '' };
  return {
    lines,
    output: { stdout: (text: string) => (lines.stdout += text), stderr: (text: string) => (lines.stderr += text) },
  };
}

describe('upkeep keys', () => {
  let directory: string;
  let db: string;
  const clock = new ManualClock(T0);

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'upkeep-keys-cli-'));
    db = join(directory, 'upkeep.duckdb');
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('creates a key shown once, lists it without the secret, revokes it; serve turns auth on only while one is usable', async () => {
    const open = async () => {
      const store = await DuckDBStore.open(db, { threads: 1 });
      try {
        return await serveAuth(store, { auth: true, db, host: '127.0.0.1' }, clock);
      } finally {
        await store.close();
      }
    };
    const before = await open();
    expect(before.auth).toBeUndefined();
    expect(before.notice).toContain(
      `no API keys yet, so every route is open to anyone on this machine. To require keys, stop the server, run \`upkeep keys create --role admin --name NAME --db ${db}\``,
    );

    const created = capture();
    await runKeysCreate({ role: 'admin', name: 'ops team', expires: '30d', db, json: true }, created.output, clock);
    const key = JSON.parse(created.lines.stdout) as { key: string; id: string; role: string; expires_at: string };
    expect(key.key).toMatch(/^upk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(key.key.startsWith(`upk_${key.id}_`)).toBe(true);
    expect(key.role).toBe('admin');
    // 2026-01-01 + 30 days
    expect(key.expires_at).toBe('2026-01-31T00:00:00.000Z');

    const human = capture();
    await runKeysCreate({ role: 'ingest', db }, human.output, clock);
    const [plaintext, summary] = human.lines.stdout.trimEnd().split('\n');
    expect(plaintext).toMatch(/^upk_/);
    expect(summary).toMatch(/^created API key [0-9a-f]{16} \(ingest, "ingest"\): it is shown only this once/);

    const listed = capture();
    await runKeysList({ db }, listed.output, clock);
    expect(listed.lines.stdout).toMatch(/^ID +ROLE +NAME +STATE +LAST USED\n/);
    expect(listed.lines.stdout).toContain('ops team');
    expect(listed.lines.stdout).not.toContain(key.key);
    expect(listed.lines.stdout).not.toContain(plaintext);

    const on = await open();
    expect(on.auth).toBeDefined();
    expect(on.notice).toBe('API keys required (2 active; 100 requests/s per key)');

    const revoked = capture();
    await runKeysRevoke(key.id, { db }, revoked.output, clock);
    expect(revoked.lines.stdout).toBe(`revoked API key ${key.id} (admin, "ops team")\n`);
    const json = capture();
    await runKeysList({ db, json: true }, json.output, clock);
    const all = JSON.parse(json.lines.stdout) as { keys: { id: string; revoked_at: string | null }[] };
    expect(all.keys.find((item) => item.id === key.id)?.revoked_at).toBe('2026-01-01T00:00:00.000Z');
    expect(JSON.stringify(all)).not.toMatch(/upk_/);
  });

  it('refuses an unknown role, a bad lifetime and an unknown id with the field named', async () => {
    await expect(runKeysCreate({ role: 'root', db }, capture().output, clock)).rejects.toThrow(
      /'role' must be one of ingest, read, operate, admin, got "root"/,
    );
    await expect(runKeysCreate({ role: 'read', expires: 'forever', db }, capture().output, clock)).rejects.toThrow(
      /'expires' must be a duration such as 30d, 12h or 15m, got "forever"/,
    );
    await expect(runKeysRevoke('abc', { db }, capture().output, clock)).rejects.toThrow(/unknown API key "abc"/);
  });

  it('says when auth is off, and refuses --no-auth on an address beyond this machine', async () => {
    const store = await DuckDBStore.open(':memory:', { threads: 1 });
    try {
      expect((await serveAuth(store, { auth: false, db, host: '127.0.0.1' }, clock)).notice).toBe(
        'authentication is off (--no-auth): every route is open to anyone on this machine (127.0.0.1)',
      );
      expect((await serveAuth(store, { auth: false, db, host: '::1' }, clock)).notice).toMatch(/\(::1\)$/);
      for (const host of ['0.0.0.0', '::', '192.168.1.20', 'example.com']) {
        // Without keys, auth on would leave every route open just the same: refused too.
        await expect(serveAuth(store, { auth: true, db, host }, clock)).rejects.toThrow(
          /^no API keys yet, so every route would be open on --host \S+: serving beyond localhost needs a key/,
        );
        await expect(serveAuth(store, { auth: false, db, host }, clock)).rejects.toThrow(
          new RegExp(
            `^--no-auth is allowed only on localhost \\(127\\.0\\.0\\.1, ::1\\), not on --host ${host.replace(/\./g, '\\.')}:`,
          ),
        );
      }
    } finally {
      await store.close();
    }
  });
});
