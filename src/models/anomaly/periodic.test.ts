import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { estimatePeriod, Periodic } from './periodic.js';

describe('estimatePeriod', () => {
  it('finds the cycle of a noisy sine and of a pulse train, and none in noise, a ramp or a constant', () => {
    const rng = new Rng(3);
    const sine = Array.from({ length: 600 }, (_, t) => Math.sin((2 * Math.PI * t) / 24) + 0.2 * rng.normal());
    expect(estimatePeriod(sine, 4, 200, 0.3)).toBe(24);
    const pulses = Array.from({ length: 600 }, (_, t) => (t % 100 === 0 || t % 100 === 6 ? 20 : 0));
    expect(estimatePeriod(pulses, 4, 250, 0.3)).toBe(100);
    const noise = Array.from({ length: 600 }, () => rng.normal());
    expect(estimatePeriod(noise, 4, 250, 0.3)).toBe(0);
    const ramp = Array.from({ length: 600 }, (_, t) => t + rng.normal());
    expect(estimatePeriod(ramp, 4, 250, 0.3)).toBe(0);
    expect(estimatePeriod(new Array(600).fill(4), 4, 250, 0.3)).toBe(0);
  });
});

describe('Periodic', () => {
  it('expects the regular pulses and flags an extra one', () => {
    const detector = new Periodic({ learnPoints: 300, maxPeriod: 120, minPeriod: 4 });
    const pulse = (t: number) => (t % 50 === 0 ? 20 : 0);
    const scores: number[] = [];
    for (let t = 0; t < 1000; t++) scores.push(detector.scoreThenLearn({ ts: t, value: pulse(t) }));
    expect(detector.period).toBe(50);
    expect(Math.max(...scores)).toBe(0);
    // Phases count points, not time: the next point (index 1000) is a pulse phase.
    expect(detector.scoreOne({ ts: 1000, value: 20 })).toBe(0);
    for (let t = 1000; t < 1025; t++) detector.learnOne({ ts: t, value: pulse(t) });
    // An extra pulse mid-cycle, where 0 is expected, is far off the (perfect) profile.
    expect(detector.scoreOne({ ts: 1025, value: 20 })).toBeGreaterThan(1e6);
  });

  it('tolerates a pulse one point early with neighbours = 1, and not with neighbours = 0', () => {
    const pulse = (t: number) => (t % 50 === 0 ? 20 : 0);
    const tolerant = new Periodic({ learnPoints: 300, maxPeriod: 120 });
    const strict = new Periodic({ learnPoints: 300, maxPeriod: 120, neighbours: 0 });
    for (let t = 0; t < 999; t++) {
      tolerant.learnOne({ ts: t, value: pulse(t) });
      strict.learnOne({ ts: t, value: pulse(t) });
    }
    // Index 999 is phase 49; its neighbour phase 0 expects the pulse.
    expect(tolerant.scoreOne({ ts: 999, value: 20 })).toBe(0);
    expect(strict.scoreOne({ ts: 999, value: 20 })).toBeGreaterThan(1e6);
  });

  it('stays silent on an aperiodic series', () => {
    const rng = new Rng(9);
    const detector = new Periodic();
    let largest = 0;
    for (let t = 0; t < 2000; t++) largest = Math.max(largest, detector.scoreThenLearn({ ts: t, value: rng.normal() }));
    expect(detector.period).toBe(0);
    expect(largest).toBe(0);
  });
});
