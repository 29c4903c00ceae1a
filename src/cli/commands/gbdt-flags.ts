/** The boosted-tree flags (`--trees --depth --learning-rate …`) and the GBDT options they set. */
const GBDT_FLAGS = [
  ['trees', 'nEstimators'],
  ['depth', 'maxDepth'],
  ['learningRate', 'learningRate'],
  ['minChildWeight', 'minChildWeight'],
  ['subsample', 'subsample'],
  ['colsample', 'colsampleByTree'],
  ['lambda', 'lambda'],
  ['alpha', 'alpha'],
] as const;

/** The GBDT options set by the boosted-tree flags that were given. */
export function gbdtParamsOf(
  options: Partial<Record<(typeof GBDT_FLAGS)[number][0], unknown>>,
): Record<string, number> {
  const params: Record<string, number> = {};
  for (const [flag, param] of GBDT_FLAGS) {
    const value = options[flag];
    if (typeof value === 'number') params[param] = value;
  }
  return params;
}
