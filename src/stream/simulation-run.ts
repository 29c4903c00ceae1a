import type { Reading } from '../core/reading.js';
import type { FleetSimulator } from '../io/fleet-simulator.js';
import type { TelemetrySink } from './telemetry-sinks.js';

export interface SimulationRunOptions {
  /** Wall-clock time between two ticks (one reading per machine each), ms; may be fractional. */
  wallMsPerTick: number;
  /** Time of the first tick (epoch ms, on the simulator's interval grid). */
  startTs: number;
  /** Ticks to send; unbounded when omitted (until `signal` aborts). */
  ticks?: number;
  /** Most readings handed to the sink in one call. */
  maxChunk?: number;
  signal?: AbortSignal;
}

export interface SimulationRunResult {
  ticks: number;
  readings: number;
  values: number;
  /** Time of the first and the last tick sent (epoch ms of simulated time). */
  firstTs: number;
  lastTs: number | undefined;
  wallMs: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Paces a simulated fleet into a sink: tick k (simulated time `startTs + k · intervalMs`) is due `k · wallMsPerTick`
 * after the start. Ticks fall due in real time and go out in chunks; when the sink is slower than the pace the run
 * falls behind but skips nothing, so the readings sent depend only on the seed, the start and the tick count.
 */
export async function runSimulation(
  simulator: FleetSimulator,
  sink: TelemetrySink,
  options: SimulationRunOptions,
): Promise<SimulationRunResult> {
  const maxChunk = options.maxChunk ?? 20_000;
  const wallStart = performance.now();
  const total = options.ticks ?? Number.POSITIVE_INFINITY;
  let sent = 0;
  let readings = 0;
  let values = 0;
  while (sent < total && !options.signal?.aborted) {
    const due = Math.min(total, Math.floor((performance.now() - wallStart) / options.wallMsPerTick) + 1);
    if (due <= sent) {
      await sleep(Math.max(1, wallStart + sent * options.wallMsPerTick - performance.now()), options.signal);
      continue;
    }
    const batch: Reading[] = [];
    while (sent < due && batch.length < maxChunk) {
      for (const reading of simulator.readingsAt(options.startTs + sent * simulator.intervalMs)) {
        batch.push(reading);
        values += Object.keys(reading.metrics).length;
      }
      sent++;
    }
    await sink.send(batch);
    readings += batch.length;
  }
  return {
    ticks: sent,
    readings,
    values,
    firstTs: options.startTs,
    lastTs: sent > 0 ? options.startTs + (sent - 1) * simulator.intervalMs : undefined,
    wallMs: performance.now() - wallStart,
  };
}
