import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBStore } from './duckdb.js';
import { DuckDBAlerts } from './duckdb-alerts.js';

describe('DuckDBAlerts', () => {
  let store: DuckDBStore;
  let alerts: DuckDBAlerts;

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:');
    alerts = await DuckDBAlerts.open(store);
  });

  afterEach(async () => {
    await store.close();
  });

  it('adds, lists and deletes rules, keeping optional asset and metric absent when not given', async () => {
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
    await alerts.deleteRule(hot.id);
    expect((await alerts.listRules()).map((rule) => rule.id)).toEqual([rul.id]);
    await expect(alerts.deleteRule(hot.id)).rejects.toThrow(`no alert rule with id '${hot.id}'`);
    await expect(alerts.deleteRule('x1')).rejects.toThrow(expect.objectContaining({ name: 'NotFoundError' }));
  });

  it('opens one active alert per (rule, asset), round-trips updates and filters lists', async () => {
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

    const ids = async (query: Parameters<DuckDBAlerts['list']>[0]) => (await alerts.list(query)).map((x) => x.id);
    expect(await ids({})).toEqual([c.alert.id, b.alert.id, a.alert.id]);
    expect(await ids({ state: 'open' })).toEqual([c.alert.id, b.alert.id]);
    expect(await ids({ asset: 'p1' })).toEqual([c.alert.id, a.alert.id]);
    expect(await ids({ severity: 'critical', state: 'open' })).toEqual([b.alert.id]);
    expect(await ids({ limit: 1 })).toEqual([c.alert.id]);
    await expect(alerts.get('999')).rejects.toThrow(/^no alert with id '999'$/);
    await expect(alerts.update({ ...resolved, id: '999' })).rejects.toThrow(/^no alert with id '999'$/);
  });
});
