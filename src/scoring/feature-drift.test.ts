import { describe, expect, it } from 'vitest';
import { Frame, numericColumn } from '../io/frame.js';
import { binOf, populationStabilityIndex, RecentBins, trainingHistograms } from './feature-drift.js';

describe('population stability index', () => {
  it('matches the formula on known shares', () => {
    // python3 -c "import math;print(sum((a-e)*math.log(a/e) for a,e in zip([.25,.75],[.5,.5])))"
    expect(populationStabilityIndex([50, 50], [25, 75])).toBeCloseTo(0.2746530721670274, 12);
    // python3 -c "import math;E=[.1,.2,.3,.4];A=[.4,.3,.2,.1];print(sum((a-e)*math.log(a/e) for a,e in zip(A,E)))"
    expect(populationStabilityIndex([10, 20, 30, 40], [40, 30, 20, 10])).toBeCloseTo(0.9128696382935673, 12);
    // An empty bin counts as a share of 1e-4:
    // python3 -c "import math;E=[.5,.5];A=[1,1e-4];print(sum((a-e)*math.log(a/e) for a,e in zip(A,E)))"
    expect(populationStabilityIndex([5, 5], [10, 0])).toBeCloseTo(4.60431846666895, 10);
    expect(populationStabilityIndex([3, 7], [30, 70])).toBe(0);
    expect(populationStabilityIndex([3, 7], [0, 0])).toBe(0);
  });
});

describe('training histograms', () => {
  it('cuts each numeric column at its deciles and counts the rows of each bin, skipping text and missing values', () => {
    const values = Array.from({ length: 100 }, (_, index) => index);
    const frame = new Frame([
      numericColumn('load', [...values.slice(0, 99), Number.NaN]),
      numericColumn(
        'flag',
        Array.from({ length: 100 }, (_, index) => index % 2),
      ),
      numericColumn('constant', new Array(100).fill(7)),
    ]);
    const histograms = trainingHistograms(frame, ['load', 'flag', 'constant', 'absent']);
    // numpy: sorted 0..98 (99 values), edges at index floor(k*99/10) = 9, 19, 29, …, 89 → values 9, 19, …, 89.
    expect(histograms.load?.edges).toEqual([9, 19, 29, 39, 49, 59, 69, 79, 89]);
    expect(histograms.load?.counts).toEqual([9, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(histograms.flag).toEqual({ edges: [1], counts: [50, 50] });
    expect(histograms.constant).toEqual({ edges: [], counts: [100] });
    expect(histograms).not.toHaveProperty('absent');
  });

  it('puts a value equal to an edge in the bin above it', () => {
    expect(binOf([1, 5], 0.5)).toBe(0);
    expect(binOf([1, 5], 1)).toBe(1);
    expect(binOf([1, 5], 4.9)).toBe(1);
    expect(binOf([1, 5], 5)).toBe(2);
    expect(binOf([], 42)).toBe(0);
  });
});

describe('RecentBins', () => {
  it('keeps the counts of the last values only, equal to a recount of that window', () => {
    const histogram = { edges: [10, 20], counts: [5, 5, 5] };
    const recent = new RecentBins(histogram, 4);
    const stream = [1, 15, 25, 25, 25, 5, Number.NaN, 12];
    for (const value of stream) recent.add(value);
    const window = stream.filter(Number.isFinite).slice(-4);
    const recount = [0, 0, 0];
    for (const value of window)
      recount[binOf(histogram.edges, value)] = (recount[binOf(histogram.edges, value)] ?? 0) + 1;
    expect(recent.counts).toEqual(recount);
    expect(recent.count).toBe(4);
    expect(recent.psi()).toBeCloseTo(populationStabilityIndex(histogram.counts, recount), 12);
  });
});
