/**
 * Long series reduced to what a screen can show: per pixel column, the first, minimum, maximum and last point
 * (the M4 aggregation, Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation", VLDB 2014,
 * https://www.vldb.org/pvldb/vol7/p797-jugel.pdf). A line through these points draws the same pixels as the line
 * through all of them, so spikes — the thing a reliability engineer is looking for — are never averaged away.
 */

/**
 * Indices (ascending) of the points to keep from a series with `x` in [xMin, xMax] drawn over `columns` pixel
 * columns: per column the first, last, minimum-y and maximum-y point, plus the first point with a non-finite y so
 * that gaps in the data stay gaps. Points with a non-finite x are dropped; x outside the range falls into the edge
 * columns. At most 5 × columns indices. O(n) time, O(columns) memory besides the output.
 */
export function downsampleMinMax(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  xMin: number,
  xMax: number,
  columns: number,
): Int32Array {
  const columnCount = Math.max(1, Math.floor(columns));
  const first = new Int32Array(columnCount).fill(-1);
  const last = new Int32Array(columnCount).fill(-1);
  const lowest = new Int32Array(columnCount).fill(-1);
  const highest = new Int32Array(columnCount).fill(-1);
  const gap = new Int32Array(columnCount).fill(-1);
  const span = xMax - xMin;
  const columnsPerUnit = span > 0 ? columnCount / span : 0;
  const length = Math.min(x.length, y.length);
  for (let i = 0; i < length; i++) {
    const xi = x[i];
    if (!Number.isFinite(xi)) continue;
    let column = Math.floor((xi - xMin) * columnsPerUnit);
    if (column < 0) column = 0;
    else if (column >= columnCount) column = columnCount - 1;
    const yi = y[i];
    if (!Number.isFinite(yi)) {
      if (gap[column] < 0) gap[column] = i;
      continue;
    }
    if (first[column] < 0) {
      first[column] = i;
      lowest[column] = i;
      highest[column] = i;
    } else {
      if (yi < y[lowest[column]]) lowest[column] = i;
      if (yi > y[highest[column]]) highest[column] = i;
    }
    last[column] = i;
  }
  const kept: number[] = [];
  for (let column = 0; column < columnCount; column++) {
    if (first[column] < 0) {
      if (gap[column] >= 0) kept.push(gap[column]);
      continue;
    }
    kept.push(first[column]);
    if (lowest[column] !== first[column]) kept.push(lowest[column]);
    if (highest[column] !== first[column] && highest[column] !== lowest[column]) kept.push(highest[column]);
    if (last[column] !== first[column] && last[column] !== lowest[column] && last[column] !== highest[column]) {
      kept.push(last[column]);
    }
    if (gap[column] >= 0) kept.push(gap[column]);
  }
  return Int32Array.from(kept).sort();
}
