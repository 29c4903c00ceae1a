import { type AssetUpdate, authHeaders, type FleetEvent, reportAuthProblem } from './api';

/** Wait before connecting again after the stream dropped (ms). */
const RETRY_MS = 3000;

export type LiveState = 'connecting' | 'live' | 'reconnecting';
type Listener = (event: FleetEvent) => void;

/**
 * One Server-Sent Events connection to /v1/events shared by every page. Keeps the latest values of every asset so
 * a page opened later starts from them.
 */
export class LiveFeed {
  private running = false;
  private abort: AbortController | undefined;
  private retryNow: (() => void) | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  state: LiveState = 'connecting';
  /** The latest values of every asset seen on the stream. */
  readonly latest = new Map<string, AssetUpdate>();
  lastEventAt: number | null = null;

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  /** Drops the current connection and connects again at once (e.g. after an API key was entered). */
  restart(): void {
    this.abort?.abort();
    this.retryNow?.();
  }

  /**
   * Reads the stream with fetch rather than EventSource so that the API key can travel in a header. Reconnects
   * after a drop, waiting RETRY_MS between attempts.
   */
  private async run(): Promise<void> {
    for (;;) {
      const abort = new AbortController();
      this.abort = abort;
      try {
        const response = await fetch('/v1/events', {
          headers: { Accept: 'text/event-stream', ...authHeaders() },
          signal: abort.signal,
        });
        if (!response.ok || !response.body) {
          reportAuthProblem(response.status);
          throw new Error(`events: ${response.status}`);
        }
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            this.handle(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        // dropped, refused or aborted: wait and connect again
      }
      this.setState('reconnecting');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RETRY_MS);
        this.retryNow = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.retryNow = undefined;
    }
  }

  private handle(block: string): void {
    let name = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trimStart();
    }
    if (name !== 'fleet' || !data) return;
    const event = JSON.parse(data) as FleetEvent;
    this.lastEventAt = Date.now();
    for (const asset of event.assets) this.latest.set(asset.id, asset);
    this.setState('live');
    for (const listener of this.listeners) listener(event);
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
