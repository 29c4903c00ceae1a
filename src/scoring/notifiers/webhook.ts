import { randomUUID } from 'node:crypto';
import { type Alert, alertJson } from '../../core/alert.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { formatTimestamp } from '../../core/time.js';
import { withoutCredentials } from '../../core/url.js';
import { VERSION } from '../../core/version.js';
import type { Webhook, WebhookEvent, WebhookStore } from '../../store/webhooks.js';
import { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from './signature.js';

/** A change to an alert that receivers are told about. */
export interface AlertChange {
  event: WebhookEvent;
  alert: Alert;
}

/** Told of every alert change; must not block or throw (delivery happens in the background). */
export interface AlertNotifier {
  notify(change: AlertChange): void;
}

export interface WebhookNotifierOptions {
  /** Stored webhooks (read on every change, so ones added through the API apply at once) and the delivery log. */
  store: WebhookStore;
  /** Webhooks from the command line, not stored. */
  fixed?: readonly Webhook[];
  clock?: Clock;
  fetch?: typeof fetch;
  /** Attempts per delivery, the first included. Default 5. */
  maxAttempts?: number;
  /** Pause before the second attempt; doubled for each later one. Default 1 s. */
  baseDelayMs?: number;
  /** Longest pause between attempts. Default 60 s. */
  maxDelayMs?: number;
  /** Longest wait for a receiver's answer. Default 10 s. */
  timeoutMs?: number;
  /** Problems the notifier meets (delivery given up, log not written). Never handed a secret. */
  log?: (line: string) => void;
}

/** Retry on no answer, 408, 429 and 5xx; another 4xx means the receiver refuses this payload for good. */
function retryable(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/**
 * Posts alert changes to webhooks: a JSON payload signed with HMAC-SHA256 (`X-Upkeep-Signature: sha256=<hex>` over
 * the raw body) and stamped (`X-Upkeep-Timestamp`, also inside the signed body, against replays); failed attempts
 * are retried with exponential backoff, and every attempt — status code or error — is written to the delivery log.
 * Deliveries run in the background: `notify` returns at once, `idle()` waits for them.
 */
export class WebhookNotifier implements AlertNotifier {
  private readonly pending = new Set<Promise<void>>();
  private readonly wakeUps = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: WebhookNotifierOptions) {}

  notify(change: AlertChange): void {
    if (this.closed) return;
    const task = this.deliverToAll(change).catch((error) =>
      this.log(`webhooks: ${error instanceof Error ? error.message : String(error)}`),
    );
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Resolves once every delivery started so far has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Stops retrying: waiting deliveries make no further attempt (logged as given up). */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.wakeUps) wake();
    await this.idle();
  }

  private async deliverToAll(change: AlertChange): Promise<void> {
    const targets = [...(this.options.fixed ?? []), ...(await this.options.store.listWebhooks())];
    await Promise.all(targets.map((webhook) => this.deliver(webhook, change)));
  }

  private async deliver(webhook: Webhook, change: AlertChange): Promise<void> {
    const clock = this.options.clock ?? systemClock;
    const maxAttempts = this.options.maxAttempts ?? 5;
    const deliveryId = randomUUID();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const at = clock.now();
      const timestamp = Math.floor(at / 1000);
      const body = JSON.stringify({
        id: deliveryId,
        event: change.event,
        timestamp,
        sent_at: formatTimestamp(at),
        alert: alertJson(change.alert),
      });
      const { statusCode, error } = await this.post(webhook, change.event, deliveryId, timestamp, body);
      const ok = error === undefined;
      await this.options.store
        .recordDelivery({
          webhookId: webhook.id,
          deliveryId,
          event: change.event,
          alertId: change.alert.id,
          attempt,
          at,
          ...(statusCode !== undefined ? { statusCode } : {}),
          ...(error !== undefined ? { error } : {}),
          ok,
        })
        .catch((failure) =>
          this.log(
            `webhook ${webhook.id}: delivery log not written: ${failure instanceof Error ? failure.message : ''}`,
          ),
        );
      if (ok) return;
      const last = attempt === maxAttempts || !retryable(statusCode) || this.closed;
      if (last) {
        this.log(
          `webhook ${webhook.id} (${withoutCredentials(webhook.url)}): gave up on ${change.event} of alert ` +
            `${change.alert.id} after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${error}`,
        );
        return;
      }
      await this.pause(this.delayBefore(attempt + 1));
    }
  }

  private async post(
    webhook: Webhook,
    event: WebhookEvent,
    deliveryId: string,
    timestamp: number,
    body: string,
  ): Promise<{ statusCode?: number; error?: string }> {
    const send = this.options.fetch ?? fetch;
    try {
      const response = await send(webhook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': `upkeep/${VERSION}`,
          'X-Upkeep-Event': event,
          'X-Upkeep-Delivery': deliveryId,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signBody(webhook.secret, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { statusCode: response.status };
      return { statusCode: response.status, error: `HTTP ${response.status}` };
    } catch (failure) {
      const cause = (failure as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (failure instanceof Error ? failure.message : String(failure));
      return { error: reason };
    }
  }

  /** Before attempt n (n ≥ 2): base × 2^(n−2), at most maxDelayMs. */
  private delayBefore(attempt: number): number {
    const base = this.options.baseDelayMs ?? 1000;
    return Math.min(this.options.maxDelayMs ?? 60_000, base * 2 ** (attempt - 2));
  }

  private pause(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeUps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeUps.add(wake);
    });
  }

  private log(line: string): void {
    (this.options.log ?? ((text: string) => process.stderr.write(`upkeep: ${text}\n`)))(line);
  }
}
