import { describe, expect, it } from 'vitest';
import { Preprocessor } from '../features/preprocess.js';
import { categoryFromText, Frame, numericColumn } from '../io/frame.js';
import { featureScaling, frameFingerprint, originalUnits, parseModelCard } from './card.js';

const frame = new Frame([
  numericColumn('temperature', [60, 70, 80, 90]),
  categoryFromText('type', ['L', 'M', 'L', undefined]),
  numericColumn('failed', [0, 0, 1, 1]),
]);

describe('frameFingerprint', () => {
  it('counts rows and columns and hashes the values, not the storage', () => {
    const print = frameFingerprint(frame);
    expect(print.rows).toBe(4);
    expect(print.columns).toBe(3);
    expect(print.hash).toMatch(/^[0-9a-f]{64}$/);
    const copy = frame.take([0, 1, 2, 3]);
    expect(frameFingerprint(copy).hash).toBe(print.hash);
  });

  it('changes with any value, the row order or a column name', () => {
    const print = frameFingerprint(frame).hash;
    const changedValue = new Frame([
      numericColumn('temperature', [60, 70, 80, 90.0000001]),
      frame.column('type'),
      frame.column('failed'),
    ]);
    const renamed = new Frame([numericColumn('temp', [60, 70, 80, 90]), frame.column('type'), frame.column('failed')]);
    const changedText = new Frame([
      frame.column('temperature'),
      categoryFromText('type', ['L', 'M', 'H', undefined]),
      frame.column('failed'),
    ]);
    for (const other of [changedValue, renamed, changedText, frame.take([1, 0, 2, 3])]) {
      expect(frameFingerprint(other).hash).not.toBe(print);
    }
  });
});

describe('coefficients in the units of the input', () => {
  it('undoes standardisation: b₀ − Σ bⱼcⱼ/sⱼ and bⱼ/sⱼ; one-hot columns unchanged', () => {
    const pipeline = new Preprocessor({ target: 'failed', missingIndicator: true }).fit(frame);
    const scaling = featureScaling(pipeline.toJSON());
    // temperature: mean 75, population σ = √125; type one-hot L, M; type_missing indicator.
    expect(scaling).toEqual([
      { name: 'temperature', center: 75, scale: Math.sqrt(125) },
      { name: 'type=L', center: 0, scale: 1 },
      { name: 'type=M', center: 0, scale: 1 },
      { name: 'type_missing', center: 0, scale: 1 },
    ]);
    const raw = originalUnits(2, { temperature: 3, 'type=L': -1, 'type=M': 0.5, type_missing: 4 }, scaling);
    // Hand computation: 2 − 3·75/√125 = 2 − 225/11.1803… = −18.1246…; 3/√125 = 0.26833…
    expect(raw.intercept).toBeCloseTo(2 - 225 / Math.sqrt(125), 12);
    expect(raw.coefficients).toEqual({
      temperature: 3 / Math.sqrt(125),
      'type=L': -1,
      'type=M': 0.5,
      type_missing: 4,
    });
    // The same prediction either way for a row: temperature 62, type M.
    const standardized = 2 + (3 * (62 - 75)) / Math.sqrt(125) + 0.5;
    expect(raw.intercept + (raw.coefficients.temperature as number) * 62 + 0.5).toBeCloseTo(standardized, 12);
  });

  it('names a feature without a coefficient', () => {
    expect(() => originalUnits(0, {}, [{ name: 'vibration', center: 0, scale: 1 }])).toThrow(
      /coefficients has no value for feature 'vibration'/,
    );
  });
});

describe('parseModelCard', () => {
  it('names the first bad field', () => {
    expect(() => parseModelCard({ formatVersion: 1 })).toThrow(/^card\.kind: /);
    expect(() => parseModelCard('nope')).toThrow(/^card: /);
  });
});
