import { describe, expect, it } from 'vitest';
import { featureImportance } from './importance.js';
import type { TreeEnsemble } from './tree.js';

// Two trees over 3 features. Tree 0: root splits f2 (gain 10, cover 8), its left child f0 (gain 4, cover 5).
// Tree 1: root splits f2 (gain 6, cover 8). Feature 1 is never used.
const ensemble: TreeEnsemble = {
  treeOffsets: Int32Array.of(0, 5, 8),
  treeGroups: Int32Array.of(0, 0),
  left: Int32Array.of(1, 3, -1, -1, -1, 1, -1, -1),
  right: Int32Array.of(2, 4, -1, -1, -1, 2, -1, -1),
  feature: Int32Array.of(2, 0, 0, 0, 0, 2, 0, 0),
  threshold: Float64Array.of(0.5, 1, 0, 0, 0, 0.7, 0, 0),
  defaultLeft: new Uint8Array(8),
  value: Float64Array.of(0, 0, 0.3, -0.1, 0.2, 0, -0.2, 0.1),
  cover: Float64Array.of(8, 5, 3, 2, 3, 8, 4, 4),
  gain: Float64Array.of(10, 4, 0, 0, 0, 6, 0, 0),
};

describe('feature importance (XGBoost get_score definitions)', () => {
  it('counts splits and sums or averages their gain and cover', () => {
    expect(Array.from(featureImportance(ensemble, 3, 'weight'))).toEqual([1, 0, 2]);
    expect(Array.from(featureImportance(ensemble, 3, 'totalGain'))).toEqual([4, 0, 16]);
    expect(Array.from(featureImportance(ensemble, 3, 'gain'))).toEqual([4, 0, 8]);
    expect(Array.from(featureImportance(ensemble, 3, 'totalCover'))).toEqual([5, 0, 16]);
    expect(Array.from(featureImportance(ensemble, 3, 'cover'))).toEqual([5, 0, 8]);
  });

  it('can stop after the first trees', () => {
    expect(Array.from(featureImportance(ensemble, 3, 'weight', 1))).toEqual([1, 0, 1]);
  });
});
