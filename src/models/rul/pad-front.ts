import { seriesRowCount, type UnitSeries } from '../../features/windows.js';

/**
 * `series` with `rows` copies of each unit's first row in front (targets too), so a window of length L with
 * `rows = L − minHistory` ends from row `minHistory − 1` of the real history on. O(rows × features).
 */
export function padFront(series: readonly UnitSeries[], features: number, rows: number): UnitSeries[] {
  if (rows <= 0) return [...series];
  return series.map((item, index) => {
    const length = seriesRowCount(item, features, index);
    if (length === 0) return item;
    const values = new Float64Array((length + rows) * features);
    for (let row = 0; row < rows; row++) values.set(item.values.subarray(0, features), row * features);
    values.set(item.values.subarray(0, length * features), rows * features);
    if (item.targets === undefined) return { unit: item.unit, values };
    const targets = new Float64Array(length + rows);
    targets.fill(item.targets[0] as number, 0, rows);
    targets.set(item.targets, rows);
    return { unit: item.unit, values, targets };
  });
}
