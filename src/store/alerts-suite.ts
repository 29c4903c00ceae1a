import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertStores } from './open-alerts.js';

export interface AlertStoresUnderTest extends AlertStores {
  close(): Promise<void>;
}

/**
 * The behaviour every engine's alert, dead-letter and webhook tables must have, each test on fresh, empty tables
 * from `factory`. DuckDB runs it in duckdb-alerts.test.ts, PostgreSQL in postgres-alerts.test.ts.
 */
export function runAlertStoresSuite(name: string, factory: () => Promise<AlertStoresUnderTest>): void {
  describe(`Alert stores contract: ${name}`, () => {
    let stores: AlertStoresUnderTest;

    beforeEach(async () => {
      stores = await factory();
    });

    afterEach(async () => {
      await stores.close();
    });

    it('adds, lists and deletes rules, keeping optional asset and metric absent when not given', async () => {
      const { alerts } = stores;
      const hot = await alerts.addRule({
        name: 'hot',
        asset: 'p1',
        condition: { kind: 'metric_above', metric: 'temperature', threshold: 80.5, clear: 70 },
        severity: 'major',
        forMs: 60_000,
        clearForMs: 120_000,
      });
      const rul = await alerts.addRule({
        name: 'RUL',
        condition: { kind: 'rul_below', threshold: 20, clear: 30 },
        severity: 'critical',
        forMs: 0,
        clearForMs: 0,
      });
      expect(await alerts.listRules()).toEqual([hot, rul]);
      expect(rul).not.toHaveProperty('asset');
      const { asset: _all, ...everyAsset } = hot;
      const cooler = {
        ...everyAsset,
        condition: { ...hot.condition, threshold: 85, clear: 75 },
        severity: 'minor' as const,
      };
      expect(await alerts.updateRule(cooler)).toEqual(cooler);
      expect(await alerts.listRules()).toEqual([cooler, rul]);
      await expect(alerts.updateRule({ ...cooler, id: '999' })).rejects.toThrow("no alert rule with id '999'");
      await alerts.deleteRule(hot.id);
      expect((await alerts.listRules()).map((rule) => rule.id)).toEqual([rul.id]);
      await expect(alerts.deleteRule(hot.id)).rejects.toThrow(`no alert rule with id '${hot.id}'`);
      await expect(alerts.deleteRule('x1')).rejects.toThrow(expect.objectContaining({ name: 'NotFoundError' }));
    });

    it('opens one active alert per (rule, asset), round-trips updates and filters lists', async () => {
      const { alerts } = stores;
      const base = { ruleId: '1', severity: 'major' as const, message: 'm', value: 90 };
      const a = await alerts.open({ ...base, asset: 'p1', openedAt: 1000 });
      const again = await alerts.open({ ...base, asset: 'p1', openedAt: 2000 });
      const b = await alerts.open({ ...base, asset: 'p2', severity: 'critical', openedAt: 3000 });
      expect([a.created, again.created, b.created]).toEqual([true, false, true]);
      expect(again.alert).toEqual(a.alert);
      const resolved = {
        ...a.alert,
        state: 'resolved' as const,
        acknowledged: { by: 'ana', at: 1500, comment: 'on it' },
        resolved: { by: 'bo', at: 2500, comment: '' },
        resolution: 'manual' as const,
      };
      await alerts.update(resolved);
      expect(await alerts.get(a.alert.id)).toEqual(resolved);
      expect(await alerts.active('1', 'p1')).toBeUndefined();
      const c = await alerts.open({ ...base, asset: 'p1', openedAt: 4000 });
      expect(c.created).toBe(true);

      const ids = async (query: Parameters<typeof alerts.list>[0]) => (await alerts.list(query)).map((x) => x.id);
      expect(await ids({})).toEqual([c.alert.id, b.alert.id, a.alert.id]);
      expect(await ids({ state: 'open' })).toEqual([c.alert.id, b.alert.id]);
      expect(await ids({ asset: 'p1' })).toEqual([c.alert.id, a.alert.id]);
      expect(await ids({ severity: 'critical', state: 'open' })).toEqual([b.alert.id]);
      expect(await ids({ limit: 1 })).toEqual([c.alert.id]);
      await expect(alerts.get('999')).rejects.toThrow(/^no alert with id '999'$/);
      await expect(alerts.get("1' OR '1'='1")).rejects.toThrow(expect.objectContaining({ name: 'NotFoundError' }));
      await expect(alerts.update({ ...resolved, id: '999' })).rejects.toThrow(/^no alert with id '999'$/);
    });

    it('opens one alert when the same pair opens concurrently', async () => {
      const base = { ruleId: '7', asset: 'p9', severity: 'minor' as const, message: 'm', value: 1, openedAt: 10 };
      const results = await Promise.all(Array.from({ length: 5 }, () => stores.alerts.open(base)));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.alert.id)).size).toBe(1);
    });

    it('keeps dead letters byte for byte, newest first, and counts them', async () => {
      const { deadLetters } = stores;
      const binary = new Uint8Array([0xff, 0x00, 0xfe]);
      await deadLetters.add([
        {
          receivedAt: 1000,
          source: 'mqtt',
          topic: 'a/b',
          reason: 'invalid JSON',
          payload: new TextEncoder().encode('x'),
        },
        { receivedAt: 2000, source: 'mqtt', topic: 'a/c', reason: 'bad reading', payload: binary },
      ]);
      await deadLetters.add([]);
      expect(await deadLetters.count()).toBe(2);
      const [newest, oldest] = await deadLetters.list();
      expect(newest).toMatchObject({ receivedAt: 2000, topic: 'a/c', reason: 'bad reading' });
      expect([...(newest?.payload ?? [])]).toEqual([0xff, 0x00, 0xfe]);
      expect(new TextDecoder().decode(oldest?.payload)).toBe('x');
      expect((newest?.id ?? 0) > (oldest?.id ?? 0)).toBe(true);
      expect(await deadLetters.list({ limit: 1 })).toHaveLength(1);
    });

    it('adds, lists and deletes webhooks and logs deliveries newest first, filtered by webhook and alert', async () => {
      const { webhooks } = stores;
      const hook = await webhooks.addWebhook({ url: 'http://127.0.0.1:9/hook', secret: 's3cret', createdAt: 5 });
      const other = await webhooks.addWebhook({ url: 'https://example.com/x', secret: 'k', createdAt: 6 });
      expect(await webhooks.listWebhooks()).toEqual([hook, other]);
      const base = { deliveryId: 'd1', event: 'alert.opened' as const, alertId: '3', at: 100 };
      const failed = await webhooks.recordDelivery({
        ...base,
        webhookId: hook.id,
        attempt: 1,
        statusCode: 500,
        error: 'HTTP 500',
        ok: false,
      });
      const refused = await webhooks.recordDelivery({
        ...base,
        webhookId: other.id,
        attempt: 1,
        error: 'ECONNREFUSED',
        ok: false,
      });
      const done = await webhooks.recordDelivery({
        ...base,
        webhookId: hook.id,
        attempt: 2,
        statusCode: 204,
        ok: true,
      });
      expect(await webhooks.listDeliveries()).toEqual([done, refused, failed]);
      expect(refused).not.toHaveProperty('statusCode');
      expect(done).not.toHaveProperty('error');
      expect(await webhooks.listDeliveries({ webhookId: hook.id })).toEqual([done, failed]);
      expect(await webhooks.listDeliveries({ alertId: '4' })).toEqual([]);
      expect(await webhooks.listDeliveries({ limit: 1 })).toEqual([done]);
      await webhooks.deleteWebhook(hook.id);
      expect(await webhooks.listWebhooks()).toEqual([other]);
      expect(await webhooks.listDeliveries({ webhookId: hook.id })).toHaveLength(2);
      await expect(webhooks.deleteWebhook(hook.id)).rejects.toThrow(`no webhook with id '${hook.id}'`);
    });
  });
}
