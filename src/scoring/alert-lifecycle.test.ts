import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../core/alert.js';
import { DuckDBStore } from '../store/duckdb.js';
import { DuckDBAlerts } from '../store/duckdb-alerts.js';
import { acknowledge, applyAlertEvents, autoResolve, isActive, resolve } from './alert-lifecycle.js';
import type { AlertEvent } from './alert-rules.js';

const opened: Alert = {
  id: '7',
  ruleId: '1',
  asset: 'p1',
  severity: 'major',
  state: 'open',
  message: 'p1: temperature = 90 above 80 (bearing hot)',
  value: 90,
  openedAt: 1000,
};

describe('alert lifecycle', () => {
  it('goes open → acknowledged → resolved, keeping who, when and why', () => {
    const acked = acknowledge(opened, { by: 'ana', at: 2000, comment: 'looking' });
    expect(acked.state).toBe('acknowledged');
    expect(acked.acknowledged).toEqual({ by: 'ana', at: 2000, comment: 'looking' });
    expect(isActive(acked)).toBe(true);
    const done = resolve(acked, { by: 'bo', at: 3000, comment: 'bearing greased' });
    expect(done).toMatchObject({
      state: 'resolved',
      resolution: 'manual',
      acknowledged: { by: 'ana' },
      resolved: { by: 'bo', at: 3000, comment: 'bearing greased' },
    });
    expect(isActive(done)).toBe(false);
    expect(opened.state).toBe('open');
  });

  it('resolves an open alert directly, and rejects invalid transitions with a ConflictError', () => {
    const done = resolve(opened, { by: 'bo', at: 3000, comment: '' });
    expect(done.state).toBe('resolved');
    expect(() => resolve(done, { by: 'bo', at: 4000, comment: '' })).toThrow(/^alert 7 is already resolved$/);
    expect(() => acknowledge(done, { by: 'bo', at: 4000, comment: '' })).toThrow(
      expect.objectContaining({
        name: 'ConflictError',
        message: 'alert 7 is resolved: only an open alert can be acknowledged',
      }),
    );
    const acked = acknowledge(opened, { by: 'ana', at: 2000, comment: '' });
    expect(() => acknowledge(acked, { by: 'ana', at: 2500, comment: '' })).toThrow(/is acknowledged/);
    expect(() => acknowledge(opened, { by: '  ', at: 2000, comment: '' })).toThrow(
      expect.objectContaining({ name: 'ValidationError' }),
    );
  });

  it('resolves automatically without touching an alert someone already resolved', () => {
    const auto = autoResolve(opened, 5000, 'p1: temperature back to 60');
    expect(auto).toMatchObject({ state: 'resolved', resolution: 'auto', resolved: { by: 'upkeep', at: 5000 } });
    const manual = resolve(opened, { by: 'bo', at: 3000, comment: '' });
    expect(autoResolve(manual, 5000, 'x')).toBe(manual);
  });
});

describe('applyAlertEvents', () => {
  let store: DuckDBStore;
  let alerts: DuckDBAlerts;

  beforeEach(async () => {
    store = await DuckDBStore.open(':memory:');
    alerts = await DuckDBAlerts.open(store);
  });

  afterEach(async () => {
    await store.close();
  });

  const event = (kind: AlertEvent['kind'], ts: number): AlertEvent => ({
    kind,
    ruleId: '1',
    asset: 'p1',
    severity: 'major',
    ts,
    value: 90,
    message: `${kind} at ${ts}`,
  });

  it('opens one alert per pair while it is active, and resolves it on a clear event', async () => {
    const first = await applyAlertEvents(alerts, [event('open', 1000), event('open', 2000)]);
    expect(first.opened.map((alert) => alert.openedAt)).toEqual([1000]);
    const acked = acknowledge(await alerts.get(first.opened[0]?.id ?? ''), { by: 'ana', at: 1500, comment: '' });
    await alerts.update(acked);
    expect((await applyAlertEvents(alerts, [event('open', 3000)])).opened).toEqual([]);
    const cleared = await applyAlertEvents(alerts, [event('clear', 4000)]);
    expect(cleared.resolved).toHaveLength(1);
    expect(await alerts.get(acked.id)).toMatchObject({
      state: 'resolved',
      resolution: 'auto',
      acknowledged: { by: 'ana', at: 1500 },
      resolved: { by: 'upkeep', at: 4000, comment: 'clear at 4000' },
    });
    const next = await applyAlertEvents(alerts, [event('open', 5000), event('clear', 6000), event('clear', 7000)]);
    expect(next.opened.map((alert) => alert.openedAt)).toEqual([5000]);
    expect(next.resolved.map((alert) => alert.resolved?.at)).toEqual([6000]);
    expect(await alerts.list()).toHaveLength(2);
  });
});
