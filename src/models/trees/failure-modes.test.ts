import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { categoryFromText, Frame, numericColumn } from '../../io/frame.js';
import { failureModeLabels, failureModeReport } from './failure-modes.js';

/** HEAT when temperature > 1.2, WEAR when wear > 1.2 (HEAT first when both), else none; an id column to drop. */
function machines(rows: number): Frame {
  const rng = new Rng(3);
  const temperature: number[] = [];
  const wear: number[] = [];
  const heat: number[] = [];
  const worn: number[] = [];
  const id: number[] = [];
  for (let i = 0; i < rows; i++) {
    temperature.push(rng.normal());
    wear.push(rng.normal());
    heat.push(temperature[i] > 1.2 ? 1 : 0);
    worn.push(wear[i] > 1.2 ? 1 : 0);
    id.push(i);
  }
  return new Frame([
    numericColumn('id', id),
    numericColumn('temperature', temperature),
    numericColumn('wear', wear),
    categoryFromText(
      'type',
      Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 'L' : 'M')),
    ),
    numericColumn('HEAT', heat),
    numericColumn('WEAR', worn),
  ]);
}

describe('failure-mode report', () => {
  it('labels a row by its first flagged mode', () => {
    const frame = new Frame([numericColumn('A', [0, 1, 0, 1]), numericColumn('B', [0, 0, 1, 1])]);
    expect(Array.from(failureModeLabels(frame, ['A', 'B']))).toEqual([0, 1, 2, 1]);
    expect(() => failureModeLabels(new Frame([categoryFromText('A', ['x'])]), ['A'])).toThrow(UnprocessableError);
  });

  it('tells learnable modes apart out of fold, per mode', () => {
    const report = failureModeReport(machines(1500), {
      modes: ['HEAT', 'WEAR'],
      drop: ['id'],
      folds: 3,
      params: { nEstimators: 20, maxDepth: 3 },
    });
    expect(report.classes.map((entry) => entry.mode)).toEqual(['none', 'HEAT', 'WEAR']);
    const total = report.classes.reduce((sum, entry) => sum + entry.support, 0);
    expect(total).toBe(1500);
    for (const entry of report.classes) {
      expect(entry.recall).toBeGreaterThan(0.85);
      expect(entry.precision).toBeGreaterThan(0.85);
    }
    expect(report.accuracy).toBeGreaterThan(0.95);
  });
});
