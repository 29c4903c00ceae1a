import { describe, expect, it } from 'vitest';
import {
  AlertEvaluator,
  type AlertEvent,
  type AlertRule,
  IDLE,
  type RuleState,
  stepRule,
  validateRule,
} from './alert-rules.js';

const S = 1000;

const hotBearing: AlertRule = {
  id: '1',
  name: 'bearing hot',
  condition: { kind: 'metric_above', metric: 'temperature', threshold: 80, clear: 70 },
  severity: 'major',
  forMs: 60 * S,
  clearForMs: 120 * S,
};

/** Runs (seconds, value) pairs through one rule for asset p1; returns the events and the phase after each step. */
function run(rule: AlertRule, sequence: ReadonlyArray<readonly [number, number]>) {
  let state: RuleState = IDLE;
  const events: AlertEvent[] = [];
  const phases: string[] = [];
  for (const [seconds, value] of sequence) {
    const step = stepRule(rule, 'p1', state, seconds * S, value);
    state = step.state;
    phases.push(state.phase);
    if (step.event) events.push(step.event);
  }
  return { events, phases };
}

describe('stepRule', () => {
  it('opens only after the condition has held for forMs, counting values in the hysteresis band as still on', () => {
    // on at 10 s (85 > 80); 78 at 40 s is in the band (70, 80] so the latch stays on; at 70 s it has held 60 s
    const { events, phases } = run(hotBearing, [
      [0, 75],
      [10, 85],
      [40, 78],
      [69, 81],
      [70, 90],
    ]);
    expect(phases).toEqual(['idle', 'pending', 'pending', 'pending', 'firing']);
    expect(events).toEqual([
      {
        kind: 'open',
        ruleId: '1',
        asset: 'p1',
        severity: 'major',
        ts: 70 * S,
        value: 90,
        message: 'p1: temperature = 90 above 80 (bearing hot)',
      },
    ]);
  });

  it('restarts the minimum duration when the value clears before it is reached', () => {
    // 65 ≤ 70 at 30 s resets; the breach from 40 s opens at 100 s, not at 90 s (50 s < 60 s)
    const { events, phases } = run(hotBearing, [
      [0, 85],
      [30, 65],
      [40, 85],
      [90, 85],
      [100, 85],
    ]);
    expect(phases).toEqual(['pending', 'idle', 'pending', 'pending', 'firing']);
    expect(events.map((event) => [event.kind, event.ts])).toEqual([['open', 100 * S]]);
  });

  it('keeps firing in the band and clears only after clearForMs at or below the clear level', () => {
    const { events, phases } = run(hotBearing, [
      [0, 90],
      [60, 90], // open
      [100, 75], // band: still firing
      [200, 70], // at the clear level: clearing since 200 s
      [300, 60], // 100 s clear < 120 s
      [320, 60], // 120 s clear: resolved
    ]);
    expect(phases).toEqual(['pending', 'firing', 'firing', 'clearing', 'clearing', 'idle']);
    expect(events.map((event) => [event.kind, event.ts])).toEqual([
      ['open', 60 * S],
      ['clear', 320 * S],
    ]);
  });

  it('applies below-kinds the other way round', () => {
    const rul: AlertRule = {
      id: '2',
      name: 'RUL short',
      condition: { kind: 'rul_below', threshold: 20, clear: 30 },
      severity: 'critical',
      forMs: 0,
      clearForMs: 0,
    };
    const { events, phases } = run(rul, [
      [0, 25],
      [1, 19], // open at once (forMs 0)
      [2, 29], // band
      [3, 30], // clear at once (clearForMs 0)
    ]);
    expect(phases).toEqual(['idle', 'firing', 'firing', 'idle']);
    expect(events.map((event) => [event.kind, event.ts, event.message])).toEqual([
      ['open', 1 * S, 'p1: rul = 19 below 20 (RUL short)'],
      ['clear', 3 * S, 'p1: rul back to 30'],
    ]);
  });

  it('ignores non-finite values and observations not newer than the last one', () => {
    const { events, phases } = run({ ...hotBearing, forMs: 0 }, [
      [0, Number.NaN],
      [1, 90],
      [1, 50],
      [0, 50],
      [2, Number.POSITIVE_INFINITY],
    ]);
    expect(phases).toEqual(['idle', 'firing', 'firing', 'firing', 'firing']);
    expect(events).toHaveLength(1);
  });
});

describe('AlertEvaluator', () => {
  /** 200 samples 10 s apart flipping between 85 and 65 (above the threshold, below the clear level), then 65s. */
  function flapping(): Array<[number, number]> {
    const sequence: Array<[number, number]> = [];
    for (let i = 0; i < 200; i++) sequence.push([i * 10 * S, i % 2 === 0 ? 85 : 65]);
    for (let i = 200; i < 220; i++) sequence.push([i * 10 * S, 65]);
    return sequence;
  }

  it('opens exactly one alert for a flapping signal and clears it once the signal stays down', () => {
    const evaluator = new AlertEvaluator([{ ...hotBearing, forMs: 0, clearForMs: 60 * S }]);
    const events: AlertEvent[] = [];
    for (const [ts, temperature] of flapping()) events.push(...evaluator.observe('p1', ts, { temperature }));
    // last breach at sample 198 (1980 s); down from 1990 s; 60 s later is 2050 s
    expect(events.map((event) => [event.kind, event.ts])).toEqual([
      ['open', 0],
      ['clear', 2050 * S],
    ]);
  });

  it('without a clear delay the same signal opens an alert per flap', () => {
    const evaluator = new AlertEvaluator([{ ...hotBearing, forMs: 0, clearForMs: 0 }]);
    let opened = 0;
    for (const [ts, temperature] of flapping()) {
      opened += evaluator.observe('p1', ts, { temperature }).filter((event) => event.kind === 'open').length;
    }
    expect(opened).toBe(100);
  });

  it('keeps one state per (asset, rule), applies asset-scoped rules only to their asset and reads likelihood signals', () => {
    const evaluator = new AlertEvaluator([
      { ...hotBearing, forMs: 0 },
      {
        id: '3',
        name: 'p2 unusual vibration',
        asset: 'p2',
        condition: { kind: 'anomaly_likelihood_above', metric: 'vibration', threshold: 0.99, clear: 0.9 },
        severity: 'warning',
        forMs: 0,
        clearForMs: 0,
      },
    ]);
    const first = evaluator.observe('p1', 0, { temperature: 90, 'likelihood:vibration': 0.999 });
    const second = evaluator.observe('p2', 0, { temperature: 90, 'likelihood:vibration': 0.999 });
    const again = evaluator.observe('p1', S, { temperature: 95 });
    expect(first.map((event) => [event.ruleId, event.asset])).toEqual([['1', 'p1']]);
    expect(second.map((event) => [event.ruleId, event.asset])).toEqual([
      ['1', 'p2'],
      ['3', 'p2'],
    ]);
    expect(again).toEqual([]);
    expect(evaluator.phaseOf('3', 'p1')).toBe('idle');
    expect(evaluator.phaseOf('3', 'p2')).toBe('firing');
  });

  it('does not reopen a pair restored as firing, and forgets the states of removed rules', () => {
    const evaluator = new AlertEvaluator([{ ...hotBearing, forMs: 0 }]);
    evaluator.restoreFiring('1', 'p1', 0);
    expect(evaluator.observe('p1', S, { temperature: 99 })).toEqual([]);
    evaluator.setRules([]);
    expect(evaluator.phaseOf('1', 'p1')).toBe('idle');
  });
});

describe('validateRule', () => {
  it('names the field and value of a rule that cannot be evaluated', () => {
    const bad =
      (patch: Partial<AlertRule>, condition: Partial<AlertRule['condition']> = {}) =>
      () =>
        validateRule({ ...hotBearing, ...patch, condition: { ...hotBearing.condition, ...condition } });
    expect(bad({}, { clear: 85 })).toThrow(/^condition\.clear: must be at or below the threshold 80, got 85$/);
    expect(bad({}, { metric: undefined })).toThrow(/^condition\.metric: is required for kind 'metric_above'$/);
    expect(bad({ forMs: -1 })).toThrow(/^forMs: must be ≥ 0 ms, got -1$/);
    expect(bad({}, { threshold: Number.NaN })).toThrow(/^condition\.threshold: must be a finite number, got NaN$/);
    expect(bad({}, { kind: 'anomaly_likelihood_above', threshold: 2, clear: 1 })).toThrow(
      /^condition\.threshold: must lie in \[0, 1\]/,
    );
    expect(bad({}, { kind: 'rul_below', threshold: 20, clear: 10 })).toThrow(/at or above the threshold 20, got 10$/);
    expect(() => validateRule(hotBearing)).not.toThrow();
  });
});
