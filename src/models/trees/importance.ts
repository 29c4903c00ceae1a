/**
 * Global feature importance of a tree ensemble, with XGBoost's `Booster.get_score` definitions:
 * 'weight' = number of splits on the feature, 'totalGain' = Σ loss reduction of those splits, 'gain' = their mean,
 * 'totalCover' = Σ cover (hessian) of the split nodes, 'cover' = its mean. O(nodes).
 */

import { type TreeEnsemble, treeCount } from './tree.js';

export type ImportanceType = 'weight' | 'gain' | 'totalGain' | 'cover' | 'totalCover';

export const importanceTypes: readonly ImportanceType[] = ['weight', 'gain', 'totalGain', 'cover', 'totalCover'];

/** Importance per feature (0 for features never split on), in feature order. */
export function featureImportance(
  ensemble: TreeEnsemble,
  featureCount: number,
  type: ImportanceType = 'gain',
  trees = treeCount(ensemble),
): Float64Array {
  const splits = new Float64Array(featureCount);
  const gains = new Float64Array(featureCount);
  const covers = new Float64Array(featureCount);
  const nodes = ensemble.treeOffsets[trees];
  for (let at = 0; at < nodes; at++) {
    if (ensemble.left[at] < 0) continue;
    const f = ensemble.feature[at];
    splits[f] += 1;
    gains[f] += ensemble.gain[at];
    covers[f] += ensemble.cover[at];
  }
  switch (type) {
    case 'weight':
      return splits;
    case 'totalGain':
      return gains;
    case 'totalCover':
      return covers;
    case 'gain':
      return gains.map((gain, f) => (splits[f] > 0 ? gain / splits[f] : 0));
    case 'cover':
      return covers.map((cover, f) => (splits[f] > 0 ? cover / splits[f] : 0));
  }
}
