import type { AssetUpdate, FleetEvent } from './api';

export type LiveState = 'connecting' | 'live' | 'reconnecting';
type Listener = (event: FleetEvent) => void;

/**
 * One Server-Sent Events connection to /v1/events shared by every page. Keeps the latest full fleet state so a
 * page opened later starts from it; the browser reconnects on its own after a drop.
 */
export class LiveFeed {
  private source: EventSource | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  state: LiveState = 'connecting';
  /** The latest values of every asset seen on the stream. */
  readonly latest = new Map<string, AssetUpdate>();
  lastEventAt: number | null = null;

  start(): void {
    if (this.source) return;
    const source = new EventSource('/v1/events');
    this.source = source;
    source.addEventListener('fleet', (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as FleetEvent;
      this.lastEventAt = Date.now();
      for (const asset of event.assets) this.latest.set(asset.id, asset);
      this.setState('live');
      for (const listener of this.listeners) listener(event);
    });
    source.addEventListener('open', () => this.setState('live'));
    source.addEventListener('error', () => this.setState('reconnecting'));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (state: LiveState) => void): void {
    this.stateListeners.add(listener);
    listener(this.state);
  }

  private setState(state: LiveState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

export const live = new LiveFeed();
