import type { Reading } from '../core/reading.js';
import type { AlertStore } from '../store/alerts.js';
import { type AppliedEvents, applyAlertEvents } from './alert-lifecycle.js';
import { AlertEvaluator } from './alert-rules.js';

/** Most active alerts restored into the evaluator's state at start. */
const MAX_RESTORED = 100_000;

/**
 * Stored rules over incoming readings: each batch re-reads the rules (so rules added through the API apply from
 * the next batch), runs every reading through the evaluator in time order and writes the resulting alerts.
 * Readings carry raw metrics, so only the metric kinds fire here; the likelihood, failure-probability and RUL
 * kinds need their signals from the scorers.
 */
export class AlertMonitor {
  private constructor(
    private readonly alerts: AlertStore,
    private readonly evaluator: AlertEvaluator,
  ) {}

  /** Loads the rules, and marks the pairs with an active alert as firing so that their clears resolve them. */
  static async open(alerts: AlertStore): Promise<AlertMonitor> {
    const evaluator = new AlertEvaluator(await alerts.listRules());
    for (const state of ['open', 'acknowledged'] as const) {
      for (const alert of await alerts.list({ state, limit: MAX_RESTORED })) {
        evaluator.restoreFiring(alert.ruleId, alert.asset, alert.openedAt);
      }
    }
    return new AlertMonitor(alerts, evaluator);
  }

  /** One batch of readings through the current rules. O(readings × rules). */
  async observe(readings: readonly Reading[]): Promise<AppliedEvents> {
    this.evaluator.setRules(await this.alerts.listRules());
    const ordered = [...readings].sort((a, b) => a.ts - b.ts);
    const events = [];
    for (const reading of ordered) events.push(...this.evaluator.observe(reading.asset, reading.ts, reading.metrics));
    return applyAlertEvents(this.alerts, events);
  }
}
