import { describe, expect, it } from 'vitest';
import { alignFeatures, checkInput, designMatrix } from './input.js';

describe('model inputs', () => {
  it('reorders named columns into the trained order and ignores unseen ones', () => {
    const X = designMatrix(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      ['b', 'extra', 'a'],
    );
    const aligned = alignFeatures(X, ['a', 'b'], 2);
    expect(aligned.featureNames).toEqual(['a', 'b']);
    expect(Array.from(aligned.data)).toEqual([3, 1, 6, 4]);
  });

  it('returns the same object when the order already matches', () => {
    const X = designMatrix([[1, 2]], ['a', 'b']);
    expect(alignFeatures(X, ['a', 'b'], 2)).toBe(X);
  });

  it('names missing features and wrong column counts', () => {
    const X = designMatrix([[1, 2]], ['a', 'b']);
    expect(() => alignFeatures(X, ['a', 'c', 'd'], 3)).toThrow(
      /^X is missing features 'c', 'd' the model was trained on$/,
    );
    expect(() => alignFeatures(designMatrix([[1, 2]]), undefined, 3)).toThrow(
      /^X has 2 columns but the model was trained on 3$/,
    );
  });

  it('reorders the feature axis of sequence batches', () => {
    const batch = {
      samples: 1,
      steps: 2,
      features: 2,
      data: Float32Array.from([1, 2, 3, 4]),
      featureNames: ['b', 'a'],
    };
    const aligned = alignFeatures(batch, ['a', 'b'], 2);
    expect(Array.from(aligned.data)).toEqual([2, 1, 4, 3]);
    expect(aligned.data).toBeInstanceOf(Float32Array);
  });

  it('locates non-finite values and shape mismatches', () => {
    expect(() => checkInput(designMatrix([[1, Number.NaN]], ['load', 'speed']))).toThrow(
      /^X\[0, 'speed'\] must be a finite number, got NaN$/,
    );
    expect(() => checkInput({ rows: 2, cols: 2, data: new Float64Array(3) })).toThrow(
      /^X data has 3 values, expected 4 for its declared shape$/,
    );
    expect(() =>
      checkInput({ samples: 1, steps: 2, features: 1, data: Float64Array.from([0, Number.POSITIVE_INFINITY]) }),
    ).toThrow(/^X\[0, step 1, 0\] must be a finite number, got Infinity$/);
  });
});
