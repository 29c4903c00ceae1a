import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { categoryFromText, Frame, numericColumn } from '../io/frame.js';
import { trainModel } from '../models/train.js';
import { TrainedModel } from '../models/trained-model.js';
import {
  interaction,
  interactionCandidates,
  interactionValues,
  numericFeatureNames,
  searchInteractions,
  withInteractions,
} from './interactions.js';
import { Preprocessor } from './preprocess.js';

/** y = 1 when x1 · x2 (plus a little noise) > 0: invisible to a linear model without the product. */
function productData(rows: number, seed: number): Frame {
  const rng = new Rng(seed);
  const columns: Record<string, number[]> = { x1: [], x2: [], n1: [], n2: [], y: [] };
  for (let i = 0; i < rows; i++) {
    const x1 = rng.normal();
    const x2 = rng.normal();
    columns.x1.push(x1);
    columns.x2.push(x2);
    columns.n1.push(rng.normal());
    columns.n2.push(5 + rng.normal());
    columns.y.push(x1 * x2 + 0.2 * rng.normal() > 0 ? 1 : 0);
  }
  return new Frame(Object.entries(columns).map(([name, values]) => numericColumn(name, values)));
}

describe('interaction features', () => {
  const small = new Frame([
    numericColumn('torque', [40, 50, Number.NaN]),
    numericColumn('rpm', [1500, 0, 1400]),
    categoryFromText('type', ['L', 'M', 'H']),
  ]);

  it('computes products, differences and ratios row by row (NaN for a missing source or division by zero)', () => {
    expect(Array.from(interactionValues(small, interaction('product', 'torque', 'rpm')))).toEqual([
      60_000,
      0,
      Number.NaN,
    ]);
    expect(Array.from(interactionValues(small, interaction('difference', 'rpm', 'torque')))).toEqual([
      1460,
      -50,
      Number.NaN,
    ]);
    expect(Array.from(interactionValues(small, interaction('ratio', 'torque', 'rpm')))).toEqual([
      40 / 1500,
      Number.NaN,
      Number.NaN,
    ]);
    expect(interaction('difference', 'a', 'b').name).toBe('a − b');
    expect(withInteractions(small, [interaction('product', 'torque', 'rpm')]).names).toEqual([
      'torque',
      'rpm',
      'type',
      'torque × rpm',
    ]);
  });

  it('names the missing or non-numeric source column', () => {
    expect(() => interactionValues(small, interaction('product', 'torque', 'speed'))).toThrow(UnprocessableError);
    expect(() => interactionValues(small, interaction('product', 'torque', 'speed'))).toThrow(/missing column 'speed'/);
    expect(() => interactionValues(small, interaction('ratio', 'type', 'rpm'))).toThrow(/numeric 'type'/);
  });

  it('offers each unordered pair of numeric columns once per kind', () => {
    // torque has two distinct values only (a flag, not a measurement); type is text.
    expect(numericFeatureNames(small)).toEqual(['rpm']);
    expect(interactionCandidates(['a', 'b', 'c']).map((spec) => spec.name)).toEqual([
      'a × b',
      'a − b',
      'a ÷ b',
      'a × c',
      'a − c',
      'a ÷ c',
      'b × c',
      'b − c',
      'b ÷ c',
    ]);
  });

  it('keeps a candidate only when it raises the score by the least gain', () => {
    const a = interaction('product', 'a', 'b');
    const b = interaction('difference', 'a', 'b');
    const scores = new Map([
      ['', 0.8],
      ['a × b', 0.9],
      ['a − b', 0.801], // +0.001 < 1 % of the remaining error 0.2
      ['a × b|a − b', 0.95],
    ]);
    const result = searchInteractions(
      [a, b],
      (chosen) => scores.get(chosen.map((spec) => spec.name).join('|')) ?? null,
      {
        higherIsBetter: true,
      },
    );
    expect(result.kept.map((spec) => spec.name)).toEqual(['a × b']);
    expect(result.baseline).toBe(0.8);
    expect(result.score).toBe(0.9);
    expect(result.trials).toEqual([
      { name: 'a × b', score: 0.9, kept: true },
      { name: 'a − b', score: 0.801, kept: false },
    ]);
  });

  it('finds x1 × x2 where y depends on it, rejects noise pairs, and replays it at prediction', () => {
    const frame = productData(600, 1);
    const trained = trainModel(frame, { target: 'y', model: 'logistic', interactions: true });
    const search = trained.card.preprocessing.interactions;
    if (!search) throw new Error('no interaction search in the card');
    expect(search.trials).toHaveLength(18);
    expect(search.kept[0]).toBe('x1 × x2');
    for (const name of search.kept) expect(name).not.toMatch(/n1|n2/);
    expect(search.baseline).toBeLessThan(0.7);
    expect(search.score).toBeGreaterThan(0.9);
    expect(trained.card.featureNames).toContain('x1 × x2');
    expect(trained.card.preprocessing.inputColumns).toEqual(['x1', 'x2', 'n1', 'n2']);
    // Prediction recomputes the product from the raw columns, also after saving and loading.
    const test = productData(200, 2);
    const { prediction } = trained.predictFrame(test);
    const truth = test.numeric('y');
    let correct = 0;
    for (let i = 0; i < truth.length; i++) correct += prediction[i] === truth[i] ? 1 : 0;
    expect(correct / truth.length).toBeGreaterThan(0.85);
    const reloaded = TrainedModel.fromJSON(JSON.parse(JSON.stringify(trained.toJSON())));
    expect(Array.from(reloaded.predictFrame(test).probability ?? [])).toEqual(
      Array.from(trained.predictFrame(test).probability ?? []),
    );
    expect(() => trained.predictFrame(test.drop(['x2']))).toThrow(/missing column 'x2'/);
  });

  it('is off unless asked for, and a saved pipeline without interactions still loads', () => {
    const frame = productData(100, 3);
    const trained = trainModel(frame, { target: 'y', model: 'logistic' });
    expect(trained.card.preprocessing.interactions).toBeUndefined();
    const state = new Preprocessor({ target: 'y' }).fit(frame).toJSON() as unknown as {
      options: Record<string, unknown>;
    };
    delete state.options.interactions;
    expect(Preprocessor.fromJSON(state).featureNames).toEqual(['x1', 'x2', 'n1', 'n2']);
  });
});
