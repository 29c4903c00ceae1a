import type { Clock } from '../core/clock.js';
import { describeValue, ValidationError } from '../core/errors.js';
import type { Reading } from '../core/reading.js';
import { Rng } from '../core/rng.js';

export type MachineKind = 'pump' | 'motor' | 'compressor';

/** One simulated machine; `degrading` and the cycle are the ground truth a model should recover. */
export interface SimulatedMachine {
  id: string;
  kind: MachineKind;
  site: string;
  /** Whether the machine wears out toward failure, is repaired at failure, and starts again. */
  degrading: boolean;
  /** Length of one run-to-failure cycle (ms); only meaningful when `degrading`. */
  cycleMs: number;
  /** Offset of the cycle against the epoch (ms), so machines do not all fail together. */
  phaseMs: number;
  baseline: { temperature: number; vibration: number; pressure: number | undefined; rpm: number };
  loadPhase: number;
}

export interface FleetSimulatorOptions {
  machines: number;
  clock: Clock;
  seed?: number;
  /** Time between two readings of a machine (ms). */
  intervalMs?: number;
  /** Share of machines that degrade toward failure (at least one when > 0). */
  degradingShare?: number;
  /** Chance that one metric value of one reading is a spike. */
  spikeProbability?: number;
  /** Range of run-to-failure cycle lengths (ms). */
  cycleMs?: readonly [number, number];
  /** Share of a cycle after which wear begins to show. */
  wearOnset?: number;
  /** Emit only readings strictly after this time (epoch ms): continues a stored history. */
  startAfter?: number;
  /** Most ticks `next()` emits at once after a pause; older missed ticks are skipped. */
  maxCatchUpTicks?: number;
  /** Adds a `current` metric (A) that follows load and wear (off by default: earlier fleets keep their metrics). */
  currentSensor?: boolean;
  /** Adds a day/night cycle (UTC): load and ambient temperature peak at noon, lowest at midnight. */
  dailyCycle?: boolean;
  /** Sudden faults per machine per day (default 0): a short precursor, then a failure recorded as ground truth. */
  suddenFaultsPerDay?: number;
  /** Chance that one metric value of one reading is a sensor glitch: a dropout to 0 or a tenfold blip. */
  glitchProbability?: number;
}

/** What ended a machine's run: slow wear at the end of its cycle, or a sudden fault. */
export type FailureCause = 'wear' | 'sudden';

/** One ground-truth failure: when a model should have seen it coming. */
export interface FailureEvent {
  asset: string;
  kind: MachineKind;
  /** Epoch ms of the failure. */
  ts: number;
  cause: FailureCause;
  /** The failure mode, e.g. `bearing-wear` or `seal-leak`. */
  mode: string;
}

const KINDS: readonly MachineKind[] = ['pump', 'motor', 'compressor'];
const DAY_MS = 24 * 3_600_000;
/** How long before a sudden fault its precursor (rising vibration and current) shows. */
export const SUDDEN_FAULT_PRECURSOR_MS = 10 * 60_000;
/** Failure modes per kind: [slow wear, sudden fault]. */
const FAILURE_MODES: Record<MachineKind, [string, string]> = {
  pump: ['impeller-wear', 'seal-leak'],
  motor: ['bearing-wear', 'winding-short'],
  compressor: ['valve-wear', 'valve-break'],
};
/** Baseline mean and spread of the `current` metric per kind (A). */
const CURRENT_PROFILES: Record<MachineKind, [number, number]> = { pump: [40, 3], motor: [25, 2], compressor: [60, 4] };
/** Salts of the seeded streams that must not disturb the original ones (so earlier fleets stay identical). */
const SALT = { current: 0xc0, fault: 0xfa17, glitch: 0x611c };
const SITES = ['plant-a', 'plant-b', 'plant-c'];
const LOAD_PERIOD_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;

/** Baseline mean and spread of each metric per kind (°C, mm/s RMS, bar, rpm); motors have no pressure. */
const PROFILES: Record<
  MachineKind,
  { temperature: [number, number]; vibration: [number, number]; pressure?: [number, number]; rpm: [number, number] }
> = {
  pump: { temperature: [65, 4], vibration: [2.0, 0.3], pressure: [6, 0.6], rpm: [1480, 15] },
  motor: { temperature: [55, 4], vibration: [1.2, 0.2], rpm: [2950, 25] },
  compressor: { temperature: [80, 5], vibration: [3.0, 0.4], pressure: [8, 0.8], rpm: [3550, 30] },
};

/** A 32-bit mix of integers (MurmurHash3's finaliser over a running xor), used to seed one tick of one machine. */
function mixSeed(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    const low = part >>> 0;
    const high = Math.floor(part / 4294967296) >>> 0;
    for (const word of [low, high]) {
      hash = Math.imul(hash ^ word, 0x85ebca6b);
      hash ^= hash >>> 13;
      hash = Math.imul(hash, 0xc2b2ae35);
      hash ^= hash >>> 16;
    }
  }
  return hash >>> 0;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function positive(name: string, value: number, integer = false): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ValidationError(
      `simulator '${name}' must be a positive ${integer ? 'integer' : 'number'}, got ${describeValue(value)}`,
      [{ path: name, message: 'must be positive' }],
    );
  }
  return value;
}

function share(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new ValidationError(`simulator '${name}' must be between 0 and 1, got ${describeValue(value)}`, [
      { path: name, message: 'must be in [0, 1]' },
    ]);
  }
  return value;
}

/**
 * A seeded fleet of pumps, motors and compressors reporting temperature, vibration, pressure and rpm.
 *
 * Every value is a pure function of (seed, machine, time): `readingsAt(ts)` gives the same readings whatever was
 * asked before, so a restarted simulator continues the same story. Some machines wear out over a cycle: past
 * `wearOnset` of the cycle a wear level w rises as ((position − onset)/(1 − onset))² to 1 at failure, raising
 * temperature (+30 °C at w = 1) and vibration (×5), lowering pressure (−20 %) and rpm (−3 %), and widening the
 * noise; at the end of the cycle the machine is repaired and starts over. Independently a small share of values
 * are spikes. `next()` reads the injected clock and returns the readings of the ticks due since the last call.
 *
 * Opt-in realism (what `upkeep simulate` turns on): a `current` metric, a day/night cycle, sudden faults (a
 * 10-minute precursor of rising vibration and current, then the failure) and sensor glitches. `failuresBetween`
 * gives the ground truth: every wear-out and sudden failure with its time, cause and mode.
 */
export class FleetSimulator {
  readonly machines: readonly SimulatedMachine[];
  readonly intervalMs: number;
  private readonly seed: number;
  private readonly clock: Clock;
  private readonly spikeProbability: number;
  private readonly wearOnset: number;
  private readonly maxCatchUpTicks: number;
  private readonly currentSensor: boolean;
  private readonly dailyCycle: boolean;
  private readonly suddenFaultsPerDay: number;
  private readonly glitchProbability: number;
  /** Baseline current per machine (A), from its own seeded stream. */
  private readonly baseCurrent: readonly number[];
  /** Time of the next tick to emit; undefined until the first `next()`. */
  private cursor: number | undefined;

  constructor(options: FleetSimulatorOptions) {
    const count = positive('machines', options.machines, true);
    this.intervalMs = positive('intervalMs', options.intervalMs ?? 1000, true);
    this.seed = options.seed ?? 1;
    this.clock = options.clock;
    this.spikeProbability = share('spikeProbability', options.spikeProbability ?? 0.002);
    this.wearOnset = share('wearOnset', options.wearOnset ?? 0.5);
    this.maxCatchUpTicks = positive('maxCatchUpTicks', options.maxCatchUpTicks ?? 60, true);
    this.currentSensor = options.currentSensor ?? false;
    this.dailyCycle = options.dailyCycle ?? false;
    const faults = options.suddenFaultsPerDay ?? 0;
    if (!Number.isFinite(faults) || faults < 0 || faults > 24) {
      throw new ValidationError(
        `simulator 'suddenFaultsPerDay' must be between 0 and 24, got ${describeValue(faults)}`,
        [{ path: 'suddenFaultsPerDay', message: 'must be in [0, 24]' }],
      );
    }
    this.suddenFaultsPerDay = faults;
    this.glitchProbability = share('glitchProbability', options.glitchProbability ?? 0);
    const degradingShare = share('degradingShare', options.degradingShare ?? 0.25);
    const [shortestCycle, longestCycle] = options.cycleMs ?? [2 * HOUR_MS, 6 * HOUR_MS];
    positive('cycleMs', shortestCycle);
    if (!(longestCycle >= shortestCycle)) {
      throw new ValidationError(
        `simulator 'cycleMs' must be [shortest, longest], got ${describeValue(options.cycleMs)}`,
        [{ path: 'cycleMs', message: 'longest below shortest' }],
      );
    }
    if (options.startAfter !== undefined) {
      this.cursor = (Math.floor(options.startAfter / this.intervalMs) + 1) * this.intervalMs;
    }

    const rng = new Rng(mixSeed(this.seed, 0x5eed));
    const degradingCount = degradingShare > 0 ? Math.max(1, Math.round(count * degradingShare)) : 0;
    const order = Array.from({ length: count }, (_, index) => index);
    rng.shuffle(order);
    const degrading = new Set(order.slice(0, degradingCount));
    const digits = Math.max(3, String(count).length);
    const machines: SimulatedMachine[] = [];
    for (let index = 0; index < count; index++) {
      const kind = KINDS[rng.int(KINDS.length)] as MachineKind;
      const profile = PROFILES[kind];
      const draw = ([mean, spread]: [number, number]) => mean + spread * rng.normal();
      const cycleMs = Math.round(shortestCycle + (longestCycle - shortestCycle) * rng.next());
      machines.push({
        id: `${kind}-${String(index + 1).padStart(digits, '0')}`,
        kind,
        site: SITES[rng.int(SITES.length)] as string,
        degrading: degrading.has(index),
        cycleMs,
        phaseMs: Math.floor(rng.next() * cycleMs),
        baseline: {
          temperature: draw(profile.temperature),
          vibration: Math.max(0.2, draw(profile.vibration)),
          pressure: profile.pressure ? draw(profile.pressure) : undefined,
          rpm: draw(profile.rpm),
        },
        loadPhase: 2 * Math.PI * rng.next(),
      });
    }
    this.machines = machines;
    this.baseCurrent = machines.map((machine, index) => {
      const [mean, spread] = CURRENT_PROFILES[machine.kind];
      return mean + spread * new Rng(mixSeed(this.seed, index, SALT.current)).normal();
    });
  }

  /** The time of the sudden fault of machine `index` in the hour `hour` (epoch ms / 1 h), if it has one. */
  private suddenFaultIn(index: number, hour: number): number | undefined {
    if (this.suddenFaultsPerDay === 0) return undefined;
    const rng = new Rng(mixSeed(this.seed, index, hour, SALT.fault));
    if (rng.next() >= this.suddenFaultsPerDay / 24) return undefined;
    return hour * HOUR_MS + Math.floor(rng.next() * HOUR_MS);
  }

  /** Progress in (0, 1] of a sudden fault's precursor at `ts` (1 at the fault), or 0 when none is building up. */
  private suddenFaultProgress(index: number, ts: number): number {
    if (this.suddenFaultsPerDay === 0) return 0;
    const first = Math.floor(ts / HOUR_MS);
    const last = Math.floor((ts + SUDDEN_FAULT_PRECURSOR_MS) / HOUR_MS);
    for (let hour = first; hour <= last; hour++) {
      const at = this.suddenFaultIn(index, hour);
      if (at !== undefined && at >= ts && at - ts < SUDDEN_FAULT_PRECURSOR_MS) {
        return 1 - (at - ts) / SUDDEN_FAULT_PRECURSOR_MS;
      }
    }
    return 0;
  }

  /**
   * Ground truth: every failure in [from, to) — the end of each degrading machine's wear cycle and every sudden
   * fault — sorted by time (then asset). A pure function of the seed, like the readings.
   */
  failuresBetween(from: number, to: number): FailureEvent[] {
    const events: FailureEvent[] = [];
    for (let index = 0; index < this.machines.length; index++) {
      const machine = this.machines[index] as SimulatedMachine;
      const [wearMode, suddenMode] = FAILURE_MODES[machine.kind];
      if (machine.degrading) {
        // The cycle restarts (position 0) where ts + phase is a multiple of the cycle length.
        for (let k = Math.ceil((from + machine.phaseMs) / machine.cycleMs); ; k++) {
          const ts = k * machine.cycleMs - machine.phaseMs;
          if (ts >= to) break;
          events.push({ asset: machine.id, kind: machine.kind, ts, cause: 'wear', mode: wearMode });
        }
      }
      for (let hour = Math.floor(from / HOUR_MS); hour * HOUR_MS < to; hour++) {
        const ts = this.suddenFaultIn(index, hour);
        if (ts !== undefined && ts >= from && ts < to) {
          events.push({ asset: machine.id, kind: machine.kind, ts, cause: 'sudden', mode: suddenMode });
        }
      }
    }
    return events.sort((a, b) => a.ts - b.ts || (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));
  }

  /** The assets to register before streaming: kind and site as attributes. */
  assets(): { id: string; attributes: Record<string, string> }[] {
    return this.machines.map((machine) => ({
      id: machine.id,
      attributes: { kind: machine.kind, site: machine.site, source: 'simulator' },
    }));
  }

  /** Wear in [0, 1] of a machine at a time: 0 while healthy, 1 at failure. */
  wearAt(machine: SimulatedMachine, ts: number): number {
    if (!machine.degrading) return 0;
    const position = (((ts + machine.phaseMs) % machine.cycleMs) + machine.cycleMs) % machine.cycleMs;
    const progress = (position / machine.cycleMs - this.wearOnset) / (1 - this.wearOnset);
    return progress > 0 ? progress * progress : 0;
  }

  /** Time left until the machine's next failure (ms), or undefined for a machine that does not degrade. */
  remainingLifeAt(machine: SimulatedMachine, ts: number): number | undefined {
    if (!machine.degrading) return undefined;
    const position = (((ts + machine.phaseMs) % machine.cycleMs) + machine.cycleMs) % machine.cycleMs;
    return machine.cycleMs - position;
  }

  /** One reading per machine at `ts`: a pure function of the seed, the machine and `ts`. */
  readingsAt(ts: number): Reading[] {
    const tick = Math.floor(ts / this.intervalMs);
    const readings: Reading[] = new Array(this.machines.length);
    for (let index = 0; index < this.machines.length; index++) {
      const machine = this.machines[index] as SimulatedMachine;
      const rng = new Rng(mixSeed(this.seed, index, tick));
      const wear = this.wearAt(machine, ts);
      const fast = Math.sin((2 * Math.PI * ts) / LOAD_PERIOD_MS + machine.loadPhase);
      // Day/night: -1 at midnight UTC, +1 at noon.
      const daily = this.dailyCycle ? -Math.cos((2 * Math.PI * (((ts % DAY_MS) + DAY_MS) % DAY_MS)) / DAY_MS) : 0;
      const load = this.dailyCycle ? 0.5 * fast + 0.5 * daily : fast;
      const fault = this.suddenFaultProgress(index, ts);
      const noise = 1 + 3 * wear;
      const spike = () => rng.next() < this.spikeProbability;
      const { baseline } = machine;

      let temperature =
        baseline.temperature + 3 * load + 30 * wear + 0.3 * noise * rng.normal() + 4 * daily + 8 * fault;
      if (spike()) temperature += 15 + 5 * rng.next();
      let vibration = baseline.vibration * (1 + 4 * wear + 2 * fault) * (1 + 0.04 * noise * rng.normal());
      if (spike()) vibration *= 3 + rng.next();
      let rpm = baseline.rpm * (1 + 0.01 * load - 0.03 * wear) + 0.002 * baseline.rpm * noise * rng.normal();
      if (spike()) rpm *= 0.8;
      const metrics: Record<string, number> = {
        temperature: round(temperature, 2),
        vibration: round(Math.max(0, vibration), 3),
        rpm: round(rpm, 1),
      };
      if (baseline.pressure !== undefined) {
        let pressure = baseline.pressure * (1 + 0.02 * load - 0.2 * wear - 0.3 * fault) + 0.04 * noise * rng.normal();
        if (spike()) pressure *= rng.next() < 0.5 ? 0.6 : 1.4;
        metrics.pressure = round(pressure, 3);
      }
      if (this.currentSensor) {
        const base = this.baseCurrent[index] as number;
        const current = base * (1 + 0.15 * load + 0.25 * wear + 0.4 * fault) + 0.01 * base * noise * rng.normal();
        metrics.current = round(current, 2);
      }
      if (this.glitchProbability > 0) this.glitch(metrics, new Rng(mixSeed(this.seed, index, tick, SALT.glitch)));
      readings[index] = { asset: machine.id, ts, metrics };
    }
    return readings;
  }

  /** Sensor glitches: each value, with `glitchProbability`, drops out to 0 or blips tenfold. */
  private glitch(metrics: Record<string, number>, rng: Rng): void {
    for (const metric of Object.keys(metrics)) {
      if (rng.next() >= this.glitchProbability) continue;
      metrics[metric] = rng.next() < 0.5 ? 0 : round((metrics[metric] as number) * 10, 3);
    }
  }

  /**
   * The readings of every tick due since the previous call, up to the clock's now (ticks on the `intervalMs`
   * grid). After a long pause only the last `maxCatchUpTicks` ticks are emitted.
   */
  next(): Reading[] {
    const lastDue = Math.floor(this.clock.now() / this.intervalMs) * this.intervalMs;
    const cursor = this.cursor ?? lastDue;
    if (cursor > lastDue) return [];
    const first = Math.max(cursor, lastDue - (this.maxCatchUpTicks - 1) * this.intervalMs);
    const readings: Reading[] = [];
    for (let ts = first; ts <= lastDue; ts += this.intervalMs) {
      for (const reading of this.readingsAt(ts)) readings.push(reading);
    }
    this.cursor = lastDue + this.intervalMs;
    return readings;
  }
}
