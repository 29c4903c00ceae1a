import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { withoutCredentials } from '../../core/url.js';
import { DuckDBStore } from '../../store/duckdb.js';
import { type AlertStores, openAlertStores } from '../../store/open-alerts.js';
import { acknowledge, resolve } from '../alert-lifecycle.js';
import { NotifyingAlertStore } from './notifying-alerts.js';
import { signBody, verifyDelivery } from './signature.js';
import { WebhookNotifier } from './webhook.js';

/** 2026-01-01T00:00:00Z. */
const T0 = 1_767_225_600_000;
const SECRET = 'whsec-test-0123456789abcdef';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

/** A real HTTP receiver answering with the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: request.headers });
      response.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 204;
      response.end();
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/upkeep`, received, server };
}

const header = (received: Received, name: string) => {
  const value = received.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

describe('signatures', () => {
  it('signs the raw body with HMAC-SHA256 as sha256=<hex>', () => {
    // python3 -c "import hmac,hashlib;print(hmac.new(b'key',b'{\"a\":1}',hashlib.sha256).hexdigest())"
    expect(signBody('key', '{"a":1}')).toBe('sha256=88a67f24bbcdaed0e6c997404bb79a743baf44c6bab2f4c27328e3009d22e342');
  });

  it('refuses a changed body, a wrong secret, a stale timestamp and a header that differs from the body', () => {
    const now = T0;
    const body = JSON.stringify({ id: 'x', timestamp: now / 1000 });
    const good = { signature: signBody(SECRET, body), timestamp: String(now / 1000) };
    expect(verifyDelivery(SECRET, body, good, now)).toEqual({ ok: true });
    expect(verifyDelivery(SECRET, `${body} `, good, now)).toMatchObject({ ok: false, reason: /does not match/ });
    expect(verifyDelivery('other', body, good, now)).toMatchObject({ ok: false });
    expect(verifyDelivery(SECRET, body, good, now + 301_000)).toMatchObject({ ok: false, reason: /tolerance/ });
    const moved = { ...good, timestamp: String(now / 1000 + 10) };
    expect(verifyDelivery(SECRET, body, moved, now)).toMatchObject({ ok: false, reason: /differs/ });
    expect(verifyDelivery(SECRET, body, { ...good, signature: undefined }, now)).toMatchObject({ ok: false });
  });

  it('describes a target without its credentials or query string', () => {
    expect(withoutCredentials('https://user:pw@hooks.example.com/in?token=abc')).toBe('https://hooks.example.com/in');
  });
});

describe('WebhookNotifier over a real HTTP receiver', () => {
  let store: DuckDBStore;
  let stores: AlertStores;
  let servers: Server[];
  let logged: string[];

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:');
    stores = await openAlertStores(store);
    servers = [];
    logged = [];
  });

  afterEach(async () => {
    for (const server of servers) await new Promise((done) => server.close(done));
    await store.close();
  });

  function notifier(clock: ManualClock, maxAttempts = 5) {
    return new WebhookNotifier({
      store: stores.webhooks,
      clock,
      baseDelayMs: 5,
      maxAttempts,
      log: (line) => logged.push(line),
    });
  }

  it('posts signed open, acknowledge and resolve payloads, retrying after 500s until the receiver accepts', async () => {
    const target = await receiver([500, 500, 204]);
    servers.push(target.server);
    const hook = await stores.webhooks.addWebhook({ url: target.url, secret: SECRET, createdAt: T0 });
    const clock = new ManualClock(T0);
    const webhooks = notifier(clock);
    const alerts = new NotifyingAlertStore(stores.alerts, webhooks);

    const { alert } = await alerts.open({
      ruleId: '1',
      asset: 'pump-01',
      severity: 'major',
      message: 'pump-01: temperature = 91 above 80',
      value: 91,
      openedAt: T0,
    });
    await webhooks.idle();
    const acked = acknowledge(alert, { by: 'ana', at: T0 + 1000, comment: 'on it' });
    await alerts.update(acked);
    await webhooks.idle();
    await alerts.update(resolve(acked, { by: 'bo', at: T0 + 2000, comment: 'bearing replaced' }));
    await webhooks.idle();

    // 2 refused attempts + 1 accepted for the opening, then 1 each for acknowledge and resolve.
    expect(target.received).toHaveLength(5);
    const bodies = target.received.map((request) => JSON.parse(request.body));
    expect(bodies.map((body) => body.event)).toEqual([
      'alert.opened',
      'alert.opened',
      'alert.opened',
      'alert.acknowledged',
      'alert.resolved',
    ]);
    for (const request of target.received) {
      const check = verifyDelivery(
        SECRET,
        request.body,
        { signature: header(request, 'X-Upkeep-Signature'), timestamp: header(request, 'X-Upkeep-Timestamp') },
        clock.now(),
      );
      expect(check).toEqual({ ok: true });
      expect(header(request, 'content-type')).toBe('application/json');
    }
    // Retries of one event carry one delivery id.
    expect(new Set(bodies.slice(0, 3).map((body) => body.id)).size).toBe(1);
    expect(bodies[0]).toMatchObject({
      timestamp: T0 / 1000,
      sent_at: '2026-01-01T00:00:00.000Z',
      alert: { id: alert.id, asset: 'pump-01', state: 'open', severity: 'major', acknowledged: null },
    });
    expect(bodies[3].alert.acknowledged).toEqual({ by: 'ana', at: '2026-01-01T00:00:01.000Z', comment: 'on it' });
    expect(bodies[4].alert).toMatchObject({ state: 'resolved', resolution: 'manual' });

    const log = (await stores.webhooks.listDeliveries({ webhookId: hook.id })).reverse();
    expect(log.map((row) => [row.event, row.attempt, row.statusCode, row.ok, row.error ?? null])).toEqual([
      ['alert.opened', 1, 500, false, 'HTTP 500'],
      ['alert.opened', 2, 500, false, 'HTTP 500'],
      ['alert.opened', 3, 204, true, null],
      ['alert.acknowledged', 1, 204, true, null],
      ['alert.resolved', 1, 204, true, null],
    ]);
    expect(log.every((row) => row.alertId === alert.id)).toBe(true);
    expect(logged).toEqual([]);
  });

  it('does not notify a deduplicated opening', async () => {
    const target = await receiver([204]);
    servers.push(target.server);
    await stores.webhooks.addWebhook({ url: target.url, secret: SECRET, createdAt: T0 });
    const webhooks = notifier(new ManualClock(T0));
    const alerts = new NotifyingAlertStore(stores.alerts, webhooks);
    const breach = { ruleId: '1', asset: 'p', severity: 'minor' as const, message: 'm', value: 1, openedAt: T0 };
    await alerts.open(breach);
    await alerts.open(breach);
    await webhooks.idle();
    expect(target.received).toHaveLength(1);
  });

  it('gives up after the last attempt (or at once on a 4xx) and logs why, never the secret', async () => {
    const failing = await receiver([503]);
    const refusing = await receiver([400]);
    servers.push(failing.server, refusing.server);
    await stores.webhooks.addWebhook({ url: failing.url, secret: SECRET, createdAt: T0 });
    await stores.webhooks.addWebhook({ url: refusing.url, secret: SECRET, createdAt: T0 });
    // A port nothing listens on any more: refused connections are retried too.
    const gone = await receiver([204]);
    await new Promise((done) => gone.server.close(done));
    await stores.webhooks.addWebhook({ url: gone.url, secret: SECRET, createdAt: T0 });
    const webhooks = notifier(new ManualClock(T0), 3);
    const alerts = new NotifyingAlertStore(stores.alerts, webhooks);
    await alerts.open({ ruleId: '2', asset: 'p', severity: 'critical', message: 'm', value: 2, openedAt: T0 });
    await webhooks.idle();
    expect(failing.received).toHaveLength(3);
    expect(refusing.received).toHaveLength(1);
    const log = await stores.webhooks.listDeliveries();
    expect(log).toHaveLength(3 + 1 + 3);
    expect(log.filter((row) => row.statusCode === undefined).every((row) => /ECONNREFUSED/.test(row.error ?? ''))).toBe(
      true,
    );
    expect(logged).toHaveLength(3);
    expect(logged.join('\n')).toMatch(/gave up on alert.opened of alert \d+ after 3 attempts: HTTP 503/);
    expect(logged.join('\n')).not.toContain(SECRET);
  });
});
