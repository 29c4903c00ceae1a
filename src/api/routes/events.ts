import type { OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { formatTimestamp } from '../../core/time.js';
import type { Store } from '../../store/store.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';

/** How often the fleet is polled for new values while at least one client listens (ms). */
export const FLEET_POLL_MS = 2000;
/** Most assets read per poll (the asset list is paged by the store at this size). */
const ASSET_PAGE = 1000;
/** A comment line this often keeps idle proxies from closing the stream (ms). */
const KEEPALIVE_MS = 15_000;

/** The latest state of one asset as sent to dashboards. */
export interface AssetUpdate {
  id: string;
  last_ts: string | null;
  /** The most recent value of every metric. */
  latest: Record<string, { ts: string; value: number }>;
}

/** One `fleet` event: every asset on the first event of a stream, afterwards only those with new values. */
export interface FleetEvent {
  ts: string;
  full: boolean;
  assets: AssetUpdate[];
}

type Listener = (event: FleetEvent) => void;

/**
 * Polls the store while anyone listens and hands every listener the assets whose last time moved. One poller per
 * app, however many dashboards are open; it stops when the last listener leaves. Cost per poll: one asset list
 * plus one latest-values query per changed asset.
 */
export class FleetWatcher {
  private readonly listeners = new Set<Listener>();
  private readonly lastSeen = new Map<string, number | null>();
  private readonly latest = new Map<string, AssetUpdate>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling: Promise<void> | undefined;
  private primed: Promise<void> | undefined;
  /** False until the first poll has filled the cache (that poll's changes are the snapshot, not an update). */
  private ready = false;

  constructor(
    private readonly store: Store,
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
    const snapshot: FleetEvent = { ts: formatTimestamp(this.now()), full: true, assets: [...this.latest.values()] };
    return {
      snapshot,
      unsubscribe: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
          this.primed = undefined;
        }
      },
    };
  }

  private poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        const changed = await this.changedAssets();
        if (changed.length > 0 && this.ready) {
          const event: FleetEvent = { ts: formatTimestamp(this.now()), full: false, assets: changed };
          for (const listener of this.listeners) listener(event);
        }
        this.ready = true;
      } catch {
        // The store is closing or busy: the next poll tries again.
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  private async changedAssets(): Promise<AssetUpdate[]> {
    const changed: AssetUpdate[] = [];
    for (let offset = 0; ; offset += ASSET_PAGE) {
      const page = await this.store.listAssets({ limit: ASSET_PAGE, offset });
      for (const asset of page) {
        if (this.lastSeen.has(asset.id) && this.lastSeen.get(asset.id) === asset.lastTs) continue;
        this.lastSeen.set(asset.id, asset.lastTs);
        const latest: AssetUpdate['latest'] = {};
        if (asset.lastTs !== null) {
          for (const [metric, value] of Object.entries(await this.store.latestValues(asset.id))) {
            latest[metric] = { ts: formatTimestamp(value.ts), value: value.value };
          }
        }
        const update: AssetUpdate = {
          id: asset.id,
          last_ts: asset.lastTs === null ? null : formatTimestamp(asset.lastTs),
          latest,
        };
        this.latest.set(asset.id, update);
        changed.push(update);
      }
      if (page.length < ASSET_PAGE) break;
    }
    return changed;
  }
}

/**
 * `GET /v1/events`: Server-Sent Events for dashboards. Each `fleet` event carries a `FleetEvent` as JSON: the
 * whole fleet first, then every `FLEET_POLL_MS` the assets with new values (their latest value of every metric).
 */
export function eventsRoutes(ctx: AppContext, options: { intervalMs?: number } = {}): OpenAPIHono {
  const router = newRouter();
  const watcher = new FleetWatcher(ctx.store, () => ctx.clock.now(), options.intervalMs);

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
