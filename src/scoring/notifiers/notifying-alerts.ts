import type { Alert, AlertRule } from '../../core/alert.js';
import type { AlertQuery, AlertStore, NewAlert, NewAlertRule } from '../../store/alerts.js';
import type { AlertNotifier } from './webhook.js';

/**
 * An AlertStore that tells a notifier of every change it writes: a newly opened alert (not a deduplicated one),
 * and each update by the state it leaves the alert in (acknowledged or resolved). The rule evaluator, the API and
 * the CLI all write through it, so no path changes an alert without a notification.
 */
export class NotifyingAlertStore implements AlertStore {
  constructor(
    private readonly inner: AlertStore,
    private readonly notifier: AlertNotifier,
  ) {}

  listRules(): Promise<AlertRule[]> {
    return this.inner.listRules();
  }

  addRule(rule: NewAlertRule): Promise<AlertRule> {
    return this.inner.addRule(rule);
  }

  updateRule(rule: AlertRule): Promise<AlertRule> {
    return this.inner.updateRule(rule);
  }

  deleteRule(id: string): Promise<void> {
    return this.inner.deleteRule(id);
  }

  async open(alert: NewAlert): Promise<{ alert: Alert; created: boolean }> {
    const result = await this.inner.open(alert);
    if (result.created) this.notifier.notify({ event: 'alert.opened', alert: result.alert });
    return result;
  }

  get(id: string): Promise<Alert> {
    return this.inner.get(id);
  }

  active(ruleId: string, asset: string): Promise<Alert | undefined> {
    return this.inner.active(ruleId, asset);
  }

  list(query?: AlertQuery): Promise<Alert[]> {
    return this.inner.list(query);
  }

  async update(alert: Alert): Promise<void> {
    await this.inner.update(alert);
    if (alert.state === 'acknowledged') this.notifier.notify({ event: 'alert.acknowledged', alert });
    if (alert.state === 'resolved') this.notifier.notify({ event: 'alert.resolved', alert });
  }
}
