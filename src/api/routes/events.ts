import type { OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { formatTimestamp } from '../../core/time.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import type { FleetRow, FleetSummary } from '../fleet-summary.js';
import { fleetSummaryFor } from './fleet.js';

/** How often the fleet is polled for new values while at least one client listens (ms). */
export const FLEET_POLL_MS = 2000;
/** A comment line this often keeps idle proxies from closing the stream (ms). */
const KEEPALIVE_MS = 15_000;

/** The latest state of one asset as sent to dashboards: its fleet row (latest values, status, risk, RUL, alerts). */
export type AssetUpdate = FleetRow;

/** One `fleet` event: every asset on the first event of a stream, afterwards only those whose row changed. */
export interface FleetEvent {
  ts: string;
  full: boolean;
  assets: AssetUpdate[];
}

type Listener = (event: FleetEvent) => void;

/**
 * Polls the fleet summary while anyone listens and hands every listener the rows that changed. One poller per app,
 * however many dashboards are open; it stops when the last listener leaves. Cost per poll: one summary refresh
 * (which reads only the assets with new values) and a comparison of every row with the one sent before.
 */
export class FleetWatcher {
  private readonly listeners = new Set<Listener>();
  private readonly sent = new Map<string, string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling: Promise<void> | undefined;
  private primed: Promise<void> | undefined;
  private latest: AssetUpdate[] = [];

  constructor(
    private readonly summary: FleetSummary,
    private readonly now: () => number,
    private readonly intervalMs = FLEET_POLL_MS,
  ) {}

  /** Registers a listener and resolves with the full current fleet (for the first event of its stream). */
  async subscribe(listener: Listener): Promise<{ snapshot: FleetEvent; unsubscribe: () => void }> {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
      this.timer.unref?.();
    }
    this.primed ??= this.poll();
    await this.primed;
    await this.polling;
    const snapshot: FleetEvent = { ts: formatTimestamp(this.now()), full: true, assets: this.latest };
    return {
      snapshot,
      unsubscribe: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
          this.primed = undefined;
          this.sent.clear();
        }
      },
    };
  }

  private poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        const first = this.sent.size === 0;
        const rows = await this.summary.freshRows();
        const changed: AssetUpdate[] = [];
        for (const row of rows) {
          const signature = JSON.stringify(row);
          if (this.sent.get(row.id) === signature) continue;
          this.sent.set(row.id, signature);
          changed.push(row);
        }
        this.latest = rows;
        if (changed.length > 0 && !first) {
          const event: FleetEvent = { ts: formatTimestamp(this.now()), full: false, assets: changed };
          for (const listener of this.listeners) listener(event);
        }
      } catch {
        // The store is closing or busy: the next poll tries again.
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }
}

/**
 * `GET /v1/events`: Server-Sent Events for dashboards. Each `fleet` event carries a `FleetEvent` as JSON: the
 * whole fleet first, then every `FLEET_POLL_MS` the assets whose fleet row changed (see `GET /v1/fleet`).
 */
export function eventsRoutes(ctx: AppContext, options: { intervalMs?: number } = {}): OpenAPIHono {
  const router = newRouter();
  const watcher = new FleetWatcher(fleetSummaryFor(ctx), () => ctx.clock.now(), options.intervalMs);

  router.get('/v1/events', (c) => {
    c.header('Cache-Control', 'no-cache');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      let id = 0;
      const queue: FleetEvent[] = [];
      let wake: (() => void) | undefined;
      const { snapshot, unsubscribe } = await watcher.subscribe((event) => {
        queue.push(event);
        wake?.();
      });
      const closed = new Promise<void>((resolve) => {
        stream.onAbort(() => resolve());
        c.req.raw.signal?.addEventListener('abort', () => resolve());
      });
      let open = true;
      void closed.then(() => {
        open = false;
        wake?.();
      });
      try {
        await stream.writeSSE({ event: 'fleet', data: JSON.stringify(snapshot), id: String(++id), retry: 3000 });
        while (open && !stream.aborted) {
          const next = queue.shift();
          if (next) {
            await stream.writeSSE({ event: 'fleet', data: JSON.stringify(next), id: String(++id) });
            continue;
          }
          await new Promise<void>((resolve) => {
            const keepalive = setTimeout(resolve, KEEPALIVE_MS);
            wake = () => {
              clearTimeout(keepalive);
              resolve();
            };
          });
          wake = undefined;
          if (queue.length === 0 && open) await stream.write(': keepalive\n\n');
        }
      } finally {
        unsubscribe();
      }
    });
  });

  return router;
}
