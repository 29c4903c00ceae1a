import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../core/reading.js';
import { DuckDBStore } from '../store/duckdb.js';
import { DuckDBAlerts } from '../store/duckdb-alerts.js';
import { AlertMonitor } from './alert-monitor.js';

const S = 1000;

function readings(asset: string, temperatures: readonly number[], startSeconds = 0): Reading[] {
  return temperatures.map((temperature, i) => ({ asset, ts: (startSeconds + i * 10) * S, metrics: { temperature } }));
}

describe('AlertMonitor', () => {
  let store: DuckDBStore;
  let alerts: DuckDBAlerts;

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:');
    alerts = await DuckDBAlerts.open(store);
  });

  afterEach(async () => {
    await store.close();
  });

  const hot = {
    name: 'hot',
    condition: { kind: 'metric_above' as const, metric: 'temperature', threshold: 80, clear: 70 },
    severity: 'major' as const,
    forMs: 20 * S,
    clearForMs: 30 * S,
  };

  it('opens and auto-resolves stored alerts from batches, picking up rules added between batches', async () => {
    const monitor = await AlertMonitor.open(alerts);
    expect((await monitor.observe(readings('p1', [90, 90, 90]))).opened).toEqual([]);
    const rule = await alerts.addRule(hot);
    // on at 30 s, held 20 s at 50 s; the batch arrives out of order
    const batch = readings('p1', [85, 85, 85, 60], 30).reverse();
    const first = await monitor.observe(batch);
    expect(first.opened.map((alert) => [alert.ruleId, alert.asset, alert.openedAt])).toEqual([[rule.id, 'p1', 50 * S]]);
    // clear from 60 s; 30 s later (90 s) it resolves
    const second = await monitor.observe(readings('p1', [65, 65, 65], 70));
    expect(second.resolved.map((alert) => [alert.resolution, alert.resolved?.at])).toEqual([['auto', 90 * S]]);
  });

  it('after a restart resolves alerts left open instead of opening duplicates', async () => {
    const rule = await alerts.addRule({ ...hot, forMs: 0 });
    const before = await AlertMonitor.open(alerts);
    expect((await before.observe(readings('p1', [90]))).opened).toHaveLength(1);
    const after = await AlertMonitor.open(alerts);
    expect((await after.observe(readings('p1', [95], 10))).opened).toEqual([]);
    const cleared = await after.observe(readings('p1', [60, 60, 60, 60], 20));
    expect(cleared.resolved.map((alert) => alert.ruleId)).toEqual([rule.id]);
    expect(await alerts.list({ state: 'resolved' })).toHaveLength(1);
    expect(await alerts.list()).toHaveLength(1);
  });
});
