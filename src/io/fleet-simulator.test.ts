import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { ValidationError } from '../core/errors.js';
import { normaliseReadings, type Reading } from '../core/reading.js';
import { FleetSimulator, type SimulatedMachine } from './fleet-simulator.js';

const T0 = Date.UTC(2026, 0, 1);

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

describe('FleetSimulator', () => {
  it('gives the same readings for the same seed and clock, different ones for another seed', () => {
    const run = (seed: number) => {
      const clock = new ManualClock(T0 + 500);
      const simulator = new FleetSimulator({ machines: 12, seed, clock });
      const batches: Reading[][] = [simulator.next()];
      for (const step of [1000, 3000, 250, 60_000]) {
        clock.advance(step);
        batches.push(simulator.next());
      }
      return { machines: simulator.machines, batches };
    };
    const first = run(7);
    const second = run(7);
    expect(second).toEqual(first);
    expect(first.batches.flat().length).toBeGreaterThan(12 * 60);
    const other = run(8);
    expect(other.batches[0]).not.toEqual(first.batches[0]);
  });

  it('computes a tick from (seed, machine, time) alone: the order of questions does not matter', () => {
    const clock = new ManualClock(T0);
    const forward = new FleetSimulator({ machines: 5, seed: 3, clock });
    const backward = new FleetSimulator({ machines: 5, seed: 3, clock });
    const early = forward.readingsAt(T0);
    const late = forward.readingsAt(T0 + 3_600_000);
    expect(backward.readingsAt(T0 + 3_600_000)).toEqual(late);
    expect(backward.readingsAt(T0)).toEqual(early);
  });

  it('emits the ticks due since the last call on the interval grid, and skips long pauses', () => {
    const clock = new ManualClock(T0 + 10_500);
    const simulator = new FleetSimulator({ machines: 4, clock, maxCatchUpTicks: 5 });
    const times = (readings: Reading[]) => [...new Set(readings.map((reading) => reading.ts - T0))];
    expect(times(simulator.next())).toEqual([10_000]);
    expect(simulator.next()).toEqual([]);
    clock.advance(3000);
    const batch = simulator.next();
    expect(batch).toHaveLength(3 * 4);
    expect(times(batch)).toEqual([11_000, 12_000, 13_000]);
    clock.advance(3_600_000);
    expect(times(simulator.next())).toEqual([3_609_000, 3_610_000, 3_611_000, 3_612_000, 3_613_000]);
  });

  it('continues after a stored history: nothing at or before startAfter', () => {
    const clock = new ManualClock(T0 + 15_000);
    const simulator = new FleetSimulator({ machines: 2, clock, startAfter: T0 + 12_345 });
    expect([...new Set(simulator.next().map((reading) => reading.ts - T0))]).toEqual([13_000, 14_000, 15_000]);
    const resumedAtTick = new FleetSimulator({ machines: 2, clock, startAfter: T0 + 15_000 });
    expect(resumedAtTick.next()).toEqual([]);
  });

  it('builds a mixed fleet: unique ids, motors without pressure, the requested share degrading', () => {
    const simulator = new FleetSimulator({ machines: 40, clock: new ManualClock(T0), degradingShare: 0.25 });
    const ids = simulator.machines.map((machine) => machine.id);
    expect(new Set(ids).size).toBe(40);
    expect(new Set(simulator.machines.map((machine) => machine.kind))).toEqual(
      new Set(['pump', 'motor', 'compressor']),
    );
    // round(40 × 0.25)
    expect(simulator.machines.filter((machine) => machine.degrading)).toHaveLength(10);
    for (const reading of simulator.readingsAt(T0)) {
      const machine = simulator.machines.find((candidate) => candidate.id === reading.asset) as SimulatedMachine;
      expect(Object.keys(reading.metrics).sort()).toEqual(
        machine.kind === 'motor'
          ? ['rpm', 'temperature', 'vibration']
          : ['pressure', 'rpm', 'temperature', 'vibration'],
      );
    }
    expect(
      new FleetSimulator({ machines: 2, clock: new ManualClock(0), degradingShare: 0.1 }).machines.filter(
        (m) => m.degrading,
      ),
    ).toHaveLength(1);
    expect(simulator.assets()[0]?.attributes).toMatchObject({ kind: simulator.machines[0]?.kind, source: 'simulator' });
  });

  it('produces readings the ingest path accepts as they are', () => {
    const simulator = new FleetSimulator({ machines: 30, clock: new ManualClock(T0) });
    const readings = simulator.readingsAt(T0);
    expect(normaliseReadings(JSON.parse(JSON.stringify(readings)), { receivedAt: 0 })).toEqual(readings);
  });

  it('wears a degrading machine out over its cycle: wear, remaining life, rising temperature and vibration', () => {
    const cycleMs = 600_000;
    const simulator = new FleetSimulator({
      machines: 1,
      clock: new ManualClock(T0),
      degradingShare: 1,
      cycleMs: [cycleMs, cycleMs],
      spikeProbability: 0,
    });
    const machine = simulator.machines[0] as SimulatedMachine;
    // The first instant after T0 at which the machine's cycle starts (position 0).
    const cycleStart = T0 + cycleMs - ((T0 + machine.phaseMs) % cycleMs);
    expect(simulator.wearAt(machine, cycleStart)).toBe(0);
    expect(simulator.wearAt(machine, cycleStart + 0.5 * cycleMs)).toBe(0);
    // ((0.75 − 0.5) / 0.5)² = 0.25
    expect(simulator.wearAt(machine, cycleStart + 0.75 * cycleMs)).toBeCloseTo(0.25, 12);
    expect(simulator.remainingLifeAt(machine, cycleStart + 0.75 * cycleMs)).toBe(150_000);
    const healthy: Reading[] = [];
    const failing: Reading[] = [];
    for (let second = 0; second < 30; second++) {
      healthy.push(...simulator.readingsAt(cycleStart + 100_000 + second * 1000));
      failing.push(...simulator.readingsAt(cycleStart + cycleMs - 30_000 + second * 1000));
    }
    const metric = (readings: Reading[], name: string) =>
      mean(readings.map((reading) => reading.metrics[name] as number));
    // wear ≈ 0.9 over the last 30 s: temperature +30·w ≈ +27 °C, vibration ×(1 + 4w) ≈ ×4.6
    expect(metric(failing, 'temperature') - metric(healthy, 'temperature')).toBeGreaterThan(20);
    expect(metric(failing, 'vibration') / metric(healthy, 'vibration')).toBeGreaterThan(3.5);
    // After failure the machine is repaired: wear back to 0 at the start of the next cycle.
    expect(simulator.wearAt(machine, cycleStart + cycleMs)).toBe(0);

    const steady = new FleetSimulator({ machines: 1, clock: new ManualClock(T0), degradingShare: 0 });
    expect(steady.wearAt(steady.machines[0] as SimulatedMachine, T0 + 123_456)).toBe(0);
    expect(steady.remainingLifeAt(steady.machines[0] as SimulatedMachine, T0)).toBeUndefined();
  });

  it('adds spikes at the requested rate', () => {
    const temperatures = (spikeProbability: number) => {
      const simulator = new FleetSimulator({
        machines: 50,
        clock: new ManualClock(T0),
        degradingShare: 0,
        spikeProbability,
      });
      const values: number[] = [];
      for (let second = 0; second < 20; second++) {
        for (const reading of simulator.readingsAt(T0 + second * 1000))
          values.push(reading.metrics.temperature as number);
      }
      return mean(values);
    };
    // Every temperature spiked by 15 + 5·U(0, 1): the mean rises by about 17.5 °C
    const rise = temperatures(1) - temperatures(0);
    expect(rise).toBeGreaterThan(16);
    expect(rise).toBeLessThan(19);
  });

  it('rejects bad options with a message naming the option', () => {
    const clock = new ManualClock(0);
    expect(() => new FleetSimulator({ machines: 0, clock })).toThrow(
      /simulator 'machines' must be a positive integer, got 0/,
    );
    expect(() => new FleetSimulator({ machines: 2.5, clock })).toThrow(ValidationError);
    expect(() => new FleetSimulator({ machines: 2, clock, spikeProbability: 2 })).toThrow(
      /'spikeProbability' must be between 0 and 1, got 2/,
    );
    expect(() => new FleetSimulator({ machines: 2, clock, cycleMs: [10, 5] })).toThrow(/'cycleMs'/);
  });

  it('adds current, a daily cycle, sudden faults and glitches only when asked, leaving the other metrics as they were', () => {
    const clock = new ManualClock(T0);
    const plain = new FleetSimulator({ machines: 6, clock, seed: 3 });
    const withCurrent = new FleetSimulator({ machines: 6, clock, seed: 3, currentSensor: true });
    for (const ts of [T0, T0 + 3_600_000]) {
      const a = plain.readingsAt(ts);
      const b = withCurrent.readingsAt(ts);
      for (let i = 0; i < a.length; i++) {
        const { current, ...rest } = (b[i] as Reading).metrics;
        expect(rest).toEqual((a[i] as Reading).metrics);
        expect(current).toBeGreaterThan(10);
        expect((a[i] as Reading).metrics.current).toBeUndefined();
      }
    }
    expect(plain.failuresBetween(T0, T0 + 86_400_000).every((event) => event.cause === 'wear')).toBe(true);
  });

  it('records each wear failure where the remaining life runs out, and shows it in the readings', () => {
    const clock = new ManualClock(T0);
    const simulator = new FleetSimulator({ machines: 8, clock, degradingShare: 0.5 });
    const events = simulator.failuresBetween(T0, T0 + 2 * 86_400_000);
    const wear = events.filter((event) => event.cause === 'wear');
    expect(wear.length).toBeGreaterThan(8);
    expect(events.map((event) => event.ts)).toEqual([...events.map((event) => event.ts)].sort((a, b) => a - b));
    for (const event of wear) {
      const machine = simulator.machines.find((m) => m.id === event.asset) as SimulatedMachine;
      expect(machine.degrading).toBe(true);
      expect(simulator.remainingLifeAt(machine, event.ts - 1)).toBe(1);
      expect(simulator.wearAt(machine, event.ts - 1)).toBeGreaterThan(0.999);
      expect(simulator.wearAt(machine, event.ts)).toBe(0);
      expect(event.mode).toMatch(/-wear$/);
    }
  });

  it('builds up to each sudden fault over its precursor: vibration and current rise, then back to normal', () => {
    const clock = new ManualClock(T0);
    const options = { machines: 20, clock, degradingShare: 0, currentSensor: true, spikeProbability: 0 };
    const simulator = new FleetSimulator({ ...options, suddenFaultsPerDay: 4 });
    const calm = new FleetSimulator(options);
    const events = simulator.failuresBetween(T0, T0 + 86_400_000);
    // 20 machines × 4 per day: about 80 (binomial, sd ≈ 9).
    expect(events.length).toBeGreaterThan(50);
    expect(events.length).toBeLessThan(110);
    for (const event of events.slice(0, 10)) {
      expect(event.cause).toBe('sudden');
      const index = simulator.machines.findIndex((m) => m.id === event.asset);
      const at = (ts: number, sim: FleetSimulator) => (sim.readingsAt(ts)[index] as Reading).metrics;
      const before = at(event.ts - 1, simulator);
      const baseline = at(event.ts - 1, calm);
      expect(before.vibration as number).toBeGreaterThan(2.5 * (baseline.vibration as number));
      expect(before.current as number).toBeGreaterThan(1.3 * (baseline.current as number));
      expect(at(event.ts + 1, simulator)).toEqual(at(event.ts + 1, calm));
    }
  });

  it('glitches the requested share of values: dropouts to 0 and tenfold blips', () => {
    const clock = new ManualClock(T0);
    const simulator = new FleetSimulator({ machines: 50, clock, glitchProbability: 0.01, spikeProbability: 0 });
    const clean = new FleetSimulator({ machines: 50, clock, spikeProbability: 0 });
    let values = 0;
    let zero = 0;
    let blips = 0;
    for (let tick = 0; tick < 200; tick++) {
      const a = simulator.readingsAt(T0 + tick * 1000);
      const b = clean.readingsAt(T0 + tick * 1000);
      for (let i = 0; i < a.length; i++) {
        for (const [metric, value] of Object.entries((a[i] as Reading).metrics)) {
          values++;
          const expected = (b[i] as Reading).metrics[metric] as number;
          if (value === expected) continue;
          if (value === 0) zero++;
          else if (Math.abs(value - 10 * expected) < 0.01) blips++;
          else throw new Error(`unexpected glitch ${metric}=${value} (clean ${expected})`);
        }
      }
    }
    // About 1 % of ~37,000 values, half dropouts and half blips.
    expect((zero + blips) / values).toBeGreaterThan(0.008);
    expect((zero + blips) / values).toBeLessThan(0.012);
    expect(zero / (zero + blips)).toBeGreaterThan(0.4);
    expect(zero / (zero + blips)).toBeLessThan(0.6);
  });

  it('follows the day with a daily cycle: warmer at noon than at midnight', () => {
    const clock = new ManualClock(T0);
    const simulator = new FleetSimulator({ machines: 30, clock, degradingShare: 0, dailyCycle: true });
    const temperatures = (ts: number) => mean(simulator.readingsAt(ts).map((r) => r.metrics.temperature as number));
    expect(temperatures(T0 + 12 * 3_600_000) - temperatures(T0)).toBeGreaterThan(6);
  });
});
