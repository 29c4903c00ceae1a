import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runUpkeep } from '../../../test/helpers/cli.js';
import { serviceAvailable } from '../../../test/helpers/services.js';
import { ManualClock } from '../../core/clock.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { openAlertStores } from '../../store/open-alerts.js';
import { PostgresStore, quoteIdentifier } from '../../store/postgres.js';
import { runAlertAction, runAlertsList } from './alerts.js';

/** 2026-01-01T00:00:00Z: Date.UTC(2026, 0, 1). */
const T0 = 1_767_225_600_000;

function capture() {
  const lines = { stdout: '', stderr: '' };
  return {
    lines,
    output: { stdout: (text: string) => (lines.stdout += text), stderr: (text: string) => (lines.stderr += text) },
  };
}

describe('upkeep alerts', () => {
  let directory: string;
  let db: string;
  const clock = new ManualClock(T0 + 60_000);

  /** Two open alerts (pump-01 major, pump-02 critical) and, optionally, a webhook. */
  async function seed(webhookUrl?: string): Promise<string[]> {
    const store = await DuckDBStore.open(db, { threads: 1 });
    try {
      const { alerts, webhooks } = await openAlertStores(store);
      if (webhookUrl) await webhooks.addWebhook({ url: webhookUrl, secret: 'a-secret-of-16-chars', createdAt: T0 });
      const base = { ruleId: '1', message: 'hot', value: 91, openedAt: T0 };
      const first = await alerts.open({ ...base, asset: 'pump-01', severity: 'major' });
      const second = await alerts.open({ ...base, asset: 'pump-02', severity: 'critical', openedAt: T0 + 1000 });
      return [first.alert.id, second.alert.id];
    } finally {
      await store.close();
    }
  }

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'upkeep-alerts-cli-'));
    db = join(directory, 'upkeep.duckdb');
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('lists alerts newest first as a table or JSON, filtered by state and severity', async () => {
    const [first, second] = await seed();
    const table = capture();
    await runAlertsList({ db, limit: 100 }, table.output);
    const lines = table.lines.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATE\s+SEVERITY\s+ASSET\s+OPENED\s+MESSAGE$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([second, first]);
    expect(lines[1]).toMatch(/open\s+critical\s+pump-02\s+2026-01-01T00:00:01.000Z\s+hot$/);

    const json = capture();
    await runAlertsList({ db, limit: 100, severity: 'major', json: true }, json.output);
    expect(JSON.parse(json.lines.stdout)).toEqual({
      alerts: [
        {
          id: first,
          rule_id: '1',
          asset: 'pump-01',
          severity: 'major',
          state: 'open',
          message: 'hot',
          value: 91,
          opened_at: '2026-01-01T00:00:00.000Z',
          acknowledged: null,
          resolved: null,
          resolution: null,
        },
      ],
    });
    await expect(runAlertsList({ db, limit: 10, state: 'closed' }, capture().output)).rejects.toThrow(
      /^--state must be one of open, acknowledged, resolved, got "closed"$/,
    );
  });

  it('acknowledges then resolves, refuses a second resolve and an unknown id, and tells the webhooks', async () => {
    const received: string[] = [];
    const receiver = createServer((request, response) => {
      request.on('data', (chunk: Buffer) => received.push(chunk.toString('utf8')));
      request.on('end', () => response.end());
    });
    await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', ready));
    try {
      const [first = ''] = await seed(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`);
      const ack = capture();
      await runAlertAction('ack', first, { db, by: 'ana', comment: 'on it' }, ack.output, clock);
      expect(ack.lines.stdout).toBe(`alert ${first} (pump-01) is acknowledged by ana\n`);
      const done = capture();
      const resolved = await runAlertAction('resolve', first, { db, by: 'bo', json: true }, done.output, clock);
      expect(JSON.parse(done.lines.stdout)).toMatchObject({
        state: 'resolved',
        resolution: 'manual',
        acknowledged: { by: 'ana', at: '2026-01-01T00:01:00.000Z', comment: 'on it' },
        resolved: { by: 'bo', comment: '' },
      });
      expect(resolved.state).toBe('resolved');
      await expect(runAlertAction('resolve', first, { db, by: 'bo' }, capture().output, clock)).rejects.toThrow(
        `alert ${first} is already resolved`,
      );
      await expect(runAlertAction('ack', '4242', { db, by: 'bo' }, capture().output, clock)).rejects.toThrow(
        "no alert with id '4242'",
      );
      expect(received.map((body) => JSON.parse(body).event)).toEqual(['alert.acknowledged', 'alert.resolved']);
    } finally {
      await new Promise((done) => receiver.close(done));
    }
  });

  it('is a command of the CLI: a bad id is one line on stderr and exit code 2', async () => {
    await seed();
    const missing = await runUpkeep(['alerts', 'ack', 'nope', '--by', 'ana', '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("upkeep: no alert with id 'nope'\n");
  });
});

const POSTGRES = process.env.UPKEEP_TEST_POSTGRES ?? 'postgres://127.0.0.1:5432/test';
const postgresUp = await serviceAvailable('PostgreSQL', 5432);

describe.runIf(postgresUp)('upkeep alerts on PostgreSQL', () => {
  const schema = `upkeep_alerts_cli_${randomBytes(4).toString('hex')}`;
  const db = `${POSTGRES}?schema=${schema}`;

  afterAll(async () => {
    const admin = await PostgresStore.open(POSTGRES, { schema });
    try {
      await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    } finally {
      await admin.close();
    }
  });

  it('lists and acknowledges alerts kept in PostgreSQL', async () => {
    const store = await PostgresStore.open(POSTGRES, { schema });
    let id = '';
    try {
      const { alerts } = await openAlertStores(store);
      id = (
        await alerts.open({ ruleId: '1', asset: 'press-7', severity: 'minor', message: 'm', value: 1, openedAt: T0 })
      ).alert.id;
    } finally {
      await store.close();
    }
    const clock = new ManualClock(T0 + 5000);
    const acked = await runAlertAction('ack', id, { db, by: 'ana' }, capture().output, clock);
    expect(acked.acknowledged).toEqual({ by: 'ana', at: T0 + 5000, comment: '' });
    const listed = capture();
    await runAlertsList({ db, limit: 10, state: 'acknowledged', json: true }, listed.output);
    expect(JSON.parse(listed.lines.stdout).alerts.map((alert: { id: string }) => alert.id)).toEqual([id]);
  });
});
