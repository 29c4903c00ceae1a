import type { Alert, AlertAction } from '../core/alert.js';
import { ConflictError, ValidationError } from '../core/errors.js';
import type { AlertStore } from '../store/alerts.js';
import type { AlertEvent } from './alert-rules.js';

export type { Alert, AlertAction };

/** Who resolves an alert automatically. */
export const AUTO_RESOLVER = 'upkeep';

function checkActor(by: string): void {
  if (by.trim() === '') throw new ValidationError("by: must name who acts, got ''", [{ path: 'by', message: 'empty' }]);
}

/** open → acknowledged. Throws a ConflictError when the alert is already acknowledged or resolved. */
export function acknowledge(alert: Alert, action: AlertAction): Alert {
  checkActor(action.by);
  if (alert.state !== 'open') {
    throw new ConflictError(`alert ${alert.id} is ${alert.state}: only an open alert can be acknowledged`);
  }
  return { ...alert, state: 'acknowledged', acknowledged: { ...action } };
}

/** open or acknowledged → resolved by someone. Throws a ConflictError when it is already resolved. */
export function resolve(alert: Alert, action: AlertAction): Alert {
  checkActor(action.by);
  if (alert.state === 'resolved') throw new ConflictError(`alert ${alert.id} is already resolved`);
  return { ...alert, state: 'resolved', resolved: { ...action }, resolution: 'manual' };
}

/** open or acknowledged → resolved because the condition has been clear long enough; a resolved alert is kept as is. */
export function autoResolve(alert: Alert, at: number, comment: string): Alert {
  if (alert.state === 'resolved') return alert;
  return { ...alert, state: 'resolved', resolved: { by: AUTO_RESOLVER, at, comment }, resolution: 'auto' };
}

/** Open or acknowledged: an alert that still needs someone, and the one a new breach is deduplicated against. */
export function isActive(alert: Alert): boolean {
  return alert.state !== 'resolved';
}

/** What applying a batch of rule events did to the stored alerts. */
export interface AppliedEvents {
  opened: Alert[];
  resolved: Alert[];
}

/**
 * Rule events into stored alerts: `open` adds an alert unless the pair already has an active one (deduplication
 * survives restarts), `clear` resolves the pair's active alert automatically. Events apply in order.
 */
export async function applyAlertEvents(alerts: AlertStore, events: readonly AlertEvent[]): Promise<AppliedEvents> {
  const applied: AppliedEvents = { opened: [], resolved: [] };
  for (const event of events) {
    if (event.kind === 'open') {
      const { alert, created } = await alerts.open({
        ruleId: event.ruleId,
        asset: event.asset,
        severity: event.severity,
        message: event.message,
        value: event.value,
        openedAt: event.ts,
      });
      if (created) applied.opened.push(alert);
      continue;
    }
    const active = await alerts.active(event.ruleId, event.asset);
    if (!active) continue;
    const resolved = autoResolve(active, event.ts, event.message);
    await alerts.update(resolved);
    applied.resolved.push(resolved);
  }
  return applied;
}
