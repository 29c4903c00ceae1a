// Behaviour of each chart on small hand-checked inputs: what it shows, and the clear error it gives for bad or
// empty data. Rendering through resvg doubles as a check that every document is well-formed XML.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import { barChart } from './bar-chart.js';
import { confusionMatrixChart } from './confusion-chart.js';
import { binCounts, binEdges, histogramChart, suggestedBinCount } from './histogram-chart.js';
import { lineChart } from './line-chart.js';
import { prChart } from './pr-chart.js';
import { renderPng } from './render.js';
import { rocChart } from './roc-chart.js';
import { scatterChart } from './scatter-chart.js';
import { textWidth } from './text.js';

function pngSize(png: Buffer): [number, number] {
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

/** Text content of every <text> element, unescaped. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) =>
    match[1]
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

const start = Date.UTC(2026, 0, 1);
const hours = Float64Array.from({ length: 48 }, (_, i) => start + i * 3_600_000);
const wave = hours.map((_, i) => 20 + Math.sin(i / 4));

const everyChart: [string, () => string][] = [
  ['line', () => lineChart([{ name: 'temperature', x: hours, y: wave }])],
  ['scatter', () => scatterChart({ x: [1, 2, 3, 4], y: [2, 4.1, 5.9, 8.2] }, { fit: { intercept: 0, slope: 2 } })],
  [
    'confusion',
    () =>
      confusionMatrixChart({
        labels: [0, 1],
        counts: [
          [50, 2],
          [3, 9],
        ],
      }),
  ],
  ['roc', () => rocChart({ falsePositiveRate: [0, 0.1, 1], truePositiveRate: [0, 0.8, 1] })],
  ['pr', () => prChart({ recall: [1, 0.5, 0], precision: [0.5, 1, 1] })],
  ['bar', () => barChart({ labels: ['a', 'b'], values: [1, -2] })],
  ['histogram', () => histogramChart([1, 2, 2, 3, 3, 3])],
];

describe('every chart', () => {
  it.each(everyChart)('%s renders to a PNG of the chart size × scale', (_, make) => {
    expect(pngSize(renderPng(make()))).toEqual([1600, 1000]);
    expect(pngSize(renderPng(make(), { scale: 1 }))).toEqual([800, 500]);
  });

  it('honours a custom size', () => {
    const svg = lineChart([{ name: 't', x: hours, y: wave }], { width: 640, height: 360 });
    expect(pngSize(renderPng(svg, { scale: 1 }))).toEqual([640, 360]);
  });

  it('rejects a size it cannot lay out', () => {
    expect(() => barChart({ labels: ['a'], values: [1] }, { width: 50 })).toThrow(
      /^width must be a number of pixels from 200 to 10000, got 50$/,
    );
  });

  it('escapes labels with <&> everywhere and still renders', () => {
    const nasty = 'pump <&> "A"';
    const charts = [
      lineChart(
        [
          { name: nasty, x: hours, y: wave },
          { name: 'b', x: hours, y: wave },
        ],
        {
          title: nasty,
          subtitle: nasty,
          yAxis: { label: nasty, unit: '<&>' },
          referenceLines: [{ value: 20, label: nasty }],
        },
      ),
      barChart({ labels: [nasty, 'b'], values: [1, -1] }, { title: nasty, positiveLabel: nasty }),
      confusionMatrixChart(
        {
          labels: [nasty, 'ok'],
          counts: [
            [1, 2],
            [3, 4],
          ],
        },
        { trueLabel: nasty },
      ),
      rocChart({ falsePositiveRate: [0, 1], truePositiveRate: [0, 1], name: nasty }),
      histogramChart([
        { name: nasty, values: [1, 2] },
        { name: 'b', values: [2, 3] },
      ]),
      scatterChart({ x: [1, 2], y: [1, 2], label: nasty }, { fit: { intercept: 0, slope: 1, label: nasty } }),
    ];
    for (const svg of charts) {
      expect(svg).not.toContain('<&>');
      expect(svg).toContain('&lt;&amp;&gt;');
      expect(texts(svg).some((content) => content.includes('pump <&>'))).toBe(true);
      expect(() => renderPng(svg, { scale: 1 })).not.toThrow();
    }
  });

  it('shortens a title too long for the chart instead of running off it', () => {
    const title = 'Very long title '.repeat(20);
    const shown = texts(barChart({ labels: ['a'], values: [1] }, { title })).find((t) => t.startsWith('Very long'))!;
    expect(shown.endsWith('…')).toBe(true);
    expect(textWidth(shown, 16, true)).toBeLessThanOrEqual(800 - 32);
  });
});

describe('empty data gives a clear ValidationError', () => {
  it.each([
    ['line, no series', () => lineChart([]), /^series must be a non-empty array/],
    ['line, empty series', () => lineChart([{ name: 'temp', x: [], y: [] }]), /^series 'temp': no data to plot/],
    [
      'line, only missing values',
      () => lineChart([{ name: 'temp', x: [1, 2], y: [Number.NaN, Number.NaN] }]),
      /no data to plot \(no point with a finite x and y\)/,
    ],
    ['scatter', () => scatterChart({ x: [], y: [] }), /^x, y: no data to plot \(0 rows/],
    [
      'confusion',
      () =>
        confusionMatrixChart({
          labels: ['a', 'b'],
          counts: [
            [0, 0],
            [0, 0],
          ],
        }),
      /^counts: no data/,
    ],
    ['roc', () => rocChart({ falsePositiveRate: [0], truePositiveRate: [0] }), /needs at least 2 points, got 1/],
    ['roc, no curves', () => rocChart([]), /^curves: no ROC curve to plot/],
    ['pr', () => prChart({ recall: [], precision: [] }), /needs at least 2 points, got 0/],
    ['bar', () => barChart({ labels: [], values: [] }), /^values: no bars to plot/],
    ['histogram', () => histogramChart([]), /^values: no data to plot/],
    ['histogram, NaN only', () => histogramChart([{ name: 'x', values: [Number.NaN] }]), /^series: no data to plot/],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(message);
  });
});

describe('bad input names the field and value', () => {
  it.each([
    [
      () => lineChart([{ name: 'a', x: [1, 2, 3], y: [1, 2] }]),
      /^series\[0\]\.y has 2 values but series\[0\]\.x has 3: they must pair up$/,
    ],
    [
      () => lineChart([{ name: 'a', x: [1, 2], y: [1, 2] }], { intervals: [{ from: 5, to: 1 }] }),
      /^intervals\[0\]: to \(1\) is before from \(5\)$/,
    ],
    [
      () => lineChart([{ name: 'a', x: [1, 2], y: [1, 2] }], { yAxis: { min: 3, max: 1 } }),
      /^yAxis\.min \(3\) must not exceed yAxis\.max \(1\)$/,
    ],
    [
      () => rocChart({ falsePositiveRate: [0, 1.5], truePositiveRate: [0, 1] }),
      /^falsePositiveRate\[1\] must be a number from 0 to 1, got 1\.5$/,
    ],
    [
      () =>
        rocChart([
          { falsePositiveRate: [0, 1], truePositiveRate: [0, 1] },
          { falsePositiveRate: [0, 1], truePositiveRate: [0, -1] },
        ]),
      /^curves\[1\]\.truePositiveRate\[1\] must be a number from 0 to 1, got -1$/,
    ],
    [
      () =>
        confusionMatrixChart({
          labels: ['a', 'b'],
          counts: [
            [1, -2],
            [0, 1],
          ],
        }),
      /^counts\[0\]\[1\] must be a non-negative finite number, got -2$/,
    ],
    [
      () => confusionMatrixChart({ labels: ['a', 'b'], counts: [[1, 2]] }),
      /^counts must have one row per label \(2\), got 1$/,
    ],
    [() => barChart({ labels: ['a', 'b'], values: [1, Number.NaN] }), /^values\[1\] must be a finite number, got NaN$/],
    [() => barChart({ labels: ['a'], values: [1, 2] }), /^values has 2 entries but labels has 1/],
    [() => histogramChart([1, 2], { bins: 0 }), /^bins must be an integer from 1 to 200, got 0$/],
    [
      () => scatterChart({ x: [1], y: [1] }, { band: { x: [1, 2], lower: [0], upper: [2, 3] } }),
      /^band\.lower has 1 values but band\.x has 2/,
    ],
  ])('%#', (make, message) => {
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(message);
  });
});

describe('lineChart', () => {
  it('titles a time axis with the UTC range it covers', () => {
    const labels = texts(lineChart([{ name: 't', x: hours, y: wave }]));
    expect(labels).toContain('Time (UTC), 2026-01-01 00:00 – 2026-01-02 23:00');
  });

  it('reads x as time when it looks like epoch milliseconds, as plain numbers otherwise', () => {
    // Date.UTC(1990, 0, 1) = 631152000000
    expect(texts(lineChart([{ name: 'cycles', x: [1, 2, 3], y: [1, 2, 3] }]))).toContain('x');
    expect(texts(lineChart([{ name: 't', x: [631_152_000_000, 631_152_060_000], y: [1, 2] }]))).toContain(
      'Time (UTC), 1990-01-01 00:00 – 1990-01-01 00:01',
    );
    expect(() => lineChart([{ name: 't', x: [1], y: [1] }], { xAxis: { kind: 'log' as 'time' } })).toThrow(
      /^xAxis\.kind must be 'time' or 'linear', got "log"$/,
    );
  });

  it('shows a legend for several series and notes a series without data', () => {
    const labels = texts(
      lineChart([
        { name: 'bearing', x: hours, y: wave },
        { name: 'ambient', x: [], y: [] },
      ]),
    );
    expect(labels).toContain('bearing');
    expect(labels).toContain('ambient (no data)');
  });

  it('draws no legend for a single plain series', () => {
    expect(lineChart([{ name: 'only', x: hours, y: wave }])).not.toContain('class="legend"');
  });

  it('draws anomaly markers, alert periods and labelled limits', () => {
    const svg = lineChart([{ name: 't', x: hours, y: wave }], {
      markers: { x: [hours[3], hours[9]], y: [wave[3], wave[9]] },
      intervals: [{ from: hours[10], to: hours[20] }],
      referenceLines: [{ value: 21.5, label: 'Alarm limit' }],
    });
    expect(svg.match(/<circle cx="[\d.]+" cy="[\d.]+" r="4"\/>/g)).toHaveLength(2);
    expect(svg).toMatch(/<g fill="#D55E00" fill-opacity="0.15" class="intervals"><rect /);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Anomaly', 'Alert period', 'Alarm limit']));
  });

  it('shows an isolated reading between gaps as a dot', () => {
    const svg = lineChart([{ name: 't', x: [1, 2, 3, 4, 5], y: [1, Number.NaN, 3, Number.NaN, 2] }], {
      xAxis: { kind: 'linear' },
    });
    expect(svg.match(/<circle [^>]*r="2"/g)).toHaveLength(3);
  });
});

describe('confusionMatrixChart', () => {
  it('shows counts, row shares and row totals', () => {
    const labels = texts(
      confusionMatrixChart({
        labels: ['No failure', 'Failure'],
        counts: [
          [1921, 11],
          [27, 41],
        ],
      }),
    );
    // Row shares: 1921/1932 = 99.4%, 11/1932 = 0.6%, 27/68 = 39.7%, 41/68 = 60.3%.
    expect(labels).toEqual(
      expect.arrayContaining(['1,921', '99.4%', '11', '0.6%', '27', '39.7%', '41', '60.3%', '1,932', '68']),
    );
    expect(labels).toEqual(expect.arrayContaining(['True class', 'Predicted class', 'No failure', 'Failure']));
  });
});

describe('rocChart and prChart', () => {
  // sklearn: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8]
  // /usr/bin/python3 -c "from sklearn.metrics import *; y=[0,0,1,1]; s=[0.1,0.4,0.35,0.8];
  //   print(roc_auc_score(y,s), average_precision_score(y,s), precision_recall_curve(y,s))"
  // → 0.75  0.8333333333333333  precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0]
  it('computes the AUC when not given, and labels the chance line', () => {
    const labels = texts(rocChart({ falsePositiveRate: [0, 0, 0.5, 0.5, 1], truePositiveRate: [0, 0.5, 0.5, 1, 1] }));
    expect(labels).toContain('ROC curve (AUC = 0.750)');
    expect(labels).toContain('Chance (AUC = 0.500)');
  });

  it('computes AP when not given (sklearn’s value) and places the baseline at the prevalence', () => {
    const curve = { precision: [0.5, 2 / 3, 0.5, 1, 1], recall: [1, 1, 0.5, 0.5, 0] };
    const labels = texts(prChart(curve));
    expect(labels).toContain('PR curve (AP = 0.833)');
    expect(labels).toContain('No skill (prevalence 50.0%, AP = 0.500)');
    // The same curve given in ascending recall order gives the same AP.
    const reversed = { precision: [...curve.precision].reverse(), recall: [...curve.recall].reverse() };
    expect(texts(prChart(reversed))).toContain('PR curve (AP = 0.833)');
  });

  it('names several curves and marks an operating point', () => {
    const labels = texts(
      rocChart(
        [
          { falsePositiveRate: [0, 1], truePositiveRate: [0, 1], auc: 0.91, name: 'gbdt' },
          { falsePositiveRate: [0, 1], truePositiveRate: [0, 1], auc: 0.8 },
        ],
        { operatingPoint: { falsePositiveRate: 0.1, truePositiveRate: 0.7, label: 'Threshold 0.3' } },
      ),
    );
    expect(labels).toEqual(expect.arrayContaining(['gbdt (AUC = 0.910)', 'Model 2 (AUC = 0.800)', 'Threshold 0.3']));
  });
});

describe('barChart', () => {
  const data = { labels: ['small', 'big negative', 'big'], values: [0.1, -3, 5] };

  it('orders bars by magnitude, colours by sign, labels values, and explains the colours', () => {
    const svg = barChart(data);
    const labels = texts(svg);
    expect(labels.indexOf('big')).toBeLessThan(labels.indexOf('big negative'));
    expect(labels.indexOf('big negative')).toBeLessThan(labels.indexOf('small'));
    expect(labels).toEqual(expect.arrayContaining(['5', '−3', '0.1', 'Raises prediction', 'Lowers prediction']));
    expect(svg.match(/fill="#D55E00"/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('uses one colour and no legend when all values are positive (importance)', () => {
    const svg = barChart({ labels: ['a', 'b'], values: [2, 1] });
    expect(svg).not.toContain('class="legend"');
    expect(svg).not.toContain('#D55E00');
  });

  it('keeps the top bars by magnitude and says so in the axis title', () => {
    const labels = texts(barChart(data, { limit: 2, valueAxis: { label: 'Gain' } }));
    expect(labels).toContain('Gain — top 2 of 3 by magnitude');
    expect(labels).not.toContain('small');
  });
});

describe('histogram binning', () => {
  it('puts edges on round numbers covering the data', () => {
    expect(binEdges(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(binEdges(0.3, 9.7, 5)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('counts values per bin, the top edge in the last bin', () => {
    expect(Array.from(binCounts([0, 1.9, 2, 9.99, 10, Number.NaN, 11], [0, 2, 4, 6, 8, 10]))).toEqual([2, 1, 0, 0, 2]);
  });

  it('suggests as many bins as numpy’s Freedman–Diaconis rule', () => {
    // /usr/bin/python3 -c "import numpy as np; print(len(np.histogram_bin_edges(np.arange(100.0), 'fd')) - 1)" → 5
    expect(suggestedBinCount(Float64Array.from({ length: 100 }, (_, i) => i))).toBe(5);
    // /usr/bin/python3 -c "import numpy as np; x=[1,2,2,3,3,3,4,4,4,4,10.0]; print(len(np.histogram_bin_edges(x,'fd'))-1)" → 7
    expect(suggestedBinCount(Float64Array.from([1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 10]))).toBe(7);
  });

  it('counts missing values in the legend of several distributions', () => {
    const labels = texts(
      histogramChart([
        { name: 'healthy', values: [1, 2, 3] },
        { name: 'failing', values: [4, Number.NaN] },
      ]),
    );
    expect(labels).toEqual(expect.arrayContaining(['healthy (n = 3)', 'failing (n = 1, 1 missing)']));
  });
});
