import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { downsampleMinMax } from './downsample.js';
import { lineChart } from './line-chart.js';

/** Plain recomputation: per pixel column, the min and max y of the raw points and their first/last index. */
function columnSummaries(x: Float64Array, y: Float64Array, xMin: number, xMax: number, columns: number) {
  const summaries = new Map<number, { min: number; max: number; first: number; last: number }>();
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(y[i])) continue;
    const column = Math.min(columns - 1, Math.max(0, Math.floor(((x[i] - xMin) / (xMax - xMin)) * columns)));
    const summary = summaries.get(column);
    if (!summary) summaries.set(column, { min: y[i], max: y[i], first: i, last: i });
    else {
      summary.min = Math.min(summary.min, y[i]);
      summary.max = Math.max(summary.max, y[i]);
      summary.last = i;
    }
  }
  return summaries;
}

function randomWalk(n: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let t = 0;
  let level = 0;
  for (let i = 0; i < n; i++) {
    t += 0.5 + rng.next(); // irregular sampling
    level += rng.normal();
    x[i] = t;
    y[i] = level + (rng.next() < 0.001 ? 50 * rng.normal() : 0); // rare spikes
  }
  return { x, y };
}

describe('downsampleMinMax', () => {
  it('keeps every column’s minimum, maximum, first and last point (recomputed from the raw data)', () => {
    const { x, y } = randomWalk(200_000, 1);
    const columns = 700;
    const kept = downsampleMinMax(x, y, x[0], x[x.length - 1], columns);
    const expected = columnSummaries(x, y, x[0], x[x.length - 1], columns);
    const keptByColumn = columnSummaries(
      Float64Array.from(kept, (i) => x[i]),
      Float64Array.from(kept, (i) => y[i]),
      x[0],
      x[x.length - 1],
      columns,
    );
    expect(keptByColumn.size).toBe(expected.size);
    for (const [column, summary] of expected) {
      const keptSummary = keptByColumn.get(column)!;
      expect(keptSummary.min).toBe(summary.min);
      expect(keptSummary.max).toBe(summary.max);
      expect(kept[0] <= summary.first && kept.includes(summary.first)).toBe(true);
      expect(kept.includes(summary.last)).toBe(true);
    }
    expect(kept.length).toBeLessThanOrEqual(4 * columns);
  });

  it('returns ascending unique indices', () => {
    const { x, y } = randomWalk(20_000, 2);
    const kept = downsampleMinMax(x, y, x[0], x[x.length - 1], 300);
    for (let k = 1; k < kept.length; k++) expect(kept[k]).toBeGreaterThan(kept[k - 1]);
  });

  it('keeps a missing reading so that the gap stays a gap', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const y = Float64Array.from({ length: 100 }, (_, i) => (i === 50 ? Number.NaN : i % 7));
    const kept = downsampleMinMax(x, y, 0, 99, 10);
    expect(Array.from(kept).some((i) => Number.isNaN(y[i]))).toBe(true);
  });

  it('keeps everything when there are fewer points than columns', () => {
    expect(Array.from(downsampleMinMax([0, 1, 2], [5, 3, 4], 0, 2, 800))).toEqual([0, 1, 2]);
  });
});

describe('lineChart with downsampling', () => {
  /** The smallest and largest y pixel coordinate of the drawn series path. */
  function pathExtremes(svg: string): [number, number] {
    const path = /<g clip-path="url\(#line-plot-area\)" class="series"><path d="([^"]+)"/.exec(svg)![1];
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const match of path.matchAll(/[ML][\d.-]+ ([\d.-]+)/g)) {
      low = Math.min(low, Number(match[1]));
      high = Math.max(high, Number(match[1]));
    }
    return [low, high];
  }

  it('draws the same extremes as the full series, with far fewer points', () => {
    const { x, y } = randomWalk(200_000, 3);
    const time = x.map((t) => Date.UTC(2026, 0, 1) + t * 1000);
    const reduced = lineChart([{ name: 's', x: time, y }]);
    const full = lineChart([{ name: 's', x: time, y }], { maxPointsPerSeries: Number.POSITIVE_INFINITY });
    expect(pathExtremes(reduced)).toEqual(pathExtremes(full));
    expect(reduced.length).toBeLessThan(full.length / 20);
  });
});
