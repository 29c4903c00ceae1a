// Renders one of each chart from realistic data to test-artifacts/plots/*.png, checks every PNG decodes to the
// expected size, and leaves the files for a person to look at.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { averagePrecision, precisionRecallCurve, rocAuc, rocCurve } from '../evaluate/metrics.js';
import { barChart } from './bar-chart.js';
import { confusionMatrixChart } from './confusion-chart.js';
import { histogramChart } from './histogram-chart.js';
import { lineChart } from './line-chart.js';
import { prChart } from './pr-chart.js';
import { writeChart } from './render.js';
import { rocChart } from './roc-chart.js';
import { scatterChart } from './scatter-chart.js';

const OUT = join(process.cwd(), 'test-artifacts', 'plots');
mkdirSync(OUT, { recursive: true });

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

async function renderBoth(name: string, svg: string, expected = { width: 1600, height: 1000 }): Promise<void> {
  const pngPath = join(OUT, `${name}.png`);
  await writeChart(svg, pngPath);
  await writeChart(svg, join(OUT, `${name}.svg`));
  expect(pngSize(await readFile(pngPath))).toEqual(expected);
}

/** Scores for a rare-failure classifier: positives shifted up by `separation` standard deviations. */
function classifierScores(rng: Rng, n: number, prevalence: number, separation: number) {
  const labels = new Float64Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.next() < prevalence ? 1 : 0;
    scores[i] = 1 / (1 + Math.exp(-(rng.normal() + labels[i] * separation - 2)));
  }
  return { labels, scores };
}

describe('chart gallery (test-artifacts/plots)', () => {
  it('line chart: two sensors, missing readings, anomalies, an alert period and an alarm limit', async () => {
    const rng = new Rng(7);
    const n = 2000;
    const start = Date.UTC(2026, 0, 1);
    const time = new Float64Array(n);
    const bearing = new Float64Array(n);
    const ambient = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      time[i] = start + i * 120_000;
      const wear = i > 1500 ? (i - 1500) * 0.02 : 0;
      bearing[i] = 70 + 5 * Math.sin(i / 100) + rng.normal() * 0.6 + wear;
      ambient[i] = 64 + 2 * Math.sin(i / 100 + 1) + rng.normal() * 0.4;
    }
    for (let i = 600; i < 640; i++) bearing[i] = Number.NaN;
    const anomalies = [1700, 1790, 1900];
    const svg = lineChart(
      [
        { name: 'Bearing temperature', x: time, y: bearing },
        { name: 'Ambient temperature', x: time, y: ambient },
      ],
      {
        title: 'pump-01 — bearing temperature rising after Jan 03',
        subtitle: '2,000 readings, every 2 minutes; gap = sensor offline',
        yAxis: { label: 'Temperature', unit: '°C' },
        markers: { x: anomalies.map((i) => time[i]), y: anomalies.map((i) => bearing[i]) },
        intervals: [{ from: time[1680], to: time[1830] }],
        referenceLines: [{ value: 80, label: 'Alarm limit 80 °C' }],
      },
    );
    await renderBoth('line', svg);
  });

  it('line chart: 1,000,000 readings of one sensor render through min/max downsampling', async () => {
    const rng = new Rng(11);
    const n = 1_000_000;
    const start = Date.UTC(2026, 2, 1);
    const time = new Float64Array(n);
    const vibration = new Float64Array(n);
    let level = 0.5;
    for (let i = 0; i < n; i++) {
      time[i] = start + i * 1000;
      level += (0.5 - level) * 0.001 + rng.normal() * 0.002;
      vibration[i] = level + rng.normal() * 0.01;
    }
    vibration[123_456] = 1.4;
    vibration[777_777] = -0.2;
    const began = performance.now();
    const svg = lineChart([{ name: 'Vibration', x: time, y: vibration }], {
      title: 'compressor-07 — vibration, 1,000,000 readings at 1 Hz',
      subtitle: 'Drawn from per-pixel minimum and maximum: single-reading spikes stay visible',
      yAxis: { label: 'Vibration RMS', unit: 'g' },
    });
    const elapsed = performance.now() - began;
    expect(svg.length).toBeLessThan(200_000);
    expect(elapsed).toBeGreaterThan(0);
    await renderBoth('line-1m', svg);
  });

  it('line chart over cycles (linear x), e.g. a C-MAPSS engine', async () => {
    const rng = new Rng(3);
    const cycles = Float64Array.from({ length: 192 }, (_, i) => i + 1);
    const sensor = cycles.map((cycle) => 642 + 0.00006 * cycle ** 2 + rng.normal() * 0.4);
    const svg = lineChart([{ name: 'T24', x: cycles, y: sensor }], {
      title: 'Engine 1 — LPC outlet temperature until failure',
      xAxis: { kind: 'linear', label: 'Cycle' },
      yAxis: { label: 'T24', unit: '°R' },
    });
    await renderBoth('line-cycles', svg);
  });

  it('scatter chart with least-squares line and prediction band', async () => {
    const rng = new Rng(42);
    const n = 1000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = rng.normal();
      y[i] = 13 + 41.2 * x[i] + 10 * rng.normal();
    }
    let meanX = 0;
    let meanY = 0;
    for (let i = 0; i < n; i++) {
      meanX += x[i] / n;
      meanY += y[i] / n;
    }
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (x[i] - meanX) * (y[i] - meanY);
      sxx += (x[i] - meanX) ** 2;
    }
    const slope = sxy / sxx;
    const intercept = meanY - slope * meanX;
    let rss = 0;
    for (let i = 0; i < n; i++) rss += (y[i] - intercept - slope * x[i]) ** 2;
    const sigma = Math.sqrt(rss / (n - 2));
    const gridX = Float64Array.from({ length: 50 }, (_, k) => -3.5 + (7 * k) / 49);
    const half = gridX.map((g) => 1.96 * sigma * Math.sqrt(1 + 1 / n + (g - meanX) ** 2 / sxx));
    const svg = scatterChart(
      { x, y, label: 'Rows' },
      {
        title: 'Least-squares fit of y on x',
        subtitle: 'generate regression --samples 1000 --features 1 --noise 10 --bias 13 --seed 42',
        xAxis: { label: 'x' },
        yAxis: { label: 'y' },
        fit: { intercept, slope },
        band: {
          x: gridX,
          lower: gridX.map((g, k) => intercept + slope * g - half[k]),
          upper: gridX.map((g, k) => intercept + slope * g + half[k]),
          label: '95% prediction interval',
        },
      },
    );
    await renderBoth('scatter-fit', svg);
  });

  it('confusion matrix, binary and multi-class', async () => {
    const binary = confusionMatrixChart(
      {
        labels: ['No failure', 'Failure'],
        counts: [
          [1921, 11],
          [27, 41],
        ],
      },
      { title: 'Machine failure — held-out 20% (2,000 rows)', subtitle: 'Logistic regression, threshold 0.5' },
    );
    await renderBoth('confusion', binary);
    const classes = ['None', 'Tool wear', 'Heat dissipation', 'Power', 'Overstrain'];
    const multi = confusionMatrixChart(
      {
        labels: classes,
        counts: [
          [1903, 4, 9, 3, 6],
          [7, 2, 0, 0, 1],
          [3, 0, 19, 0, 0],
          [2, 0, 0, 15, 1],
          [4, 1, 0, 1, 14],
        ],
      },
      { title: 'Failure type — held-out 20%' },
    );
    await renderBoth('confusion-multiclass', multi);
  });

  it('ROC and precision–recall charts from evaluate/metrics curves', async () => {
    const rng = new Rng(5);
    const good = classifierScores(rng, 4000, 0.034, 2.5);
    const weak = classifierScores(rng, 4000, 0.034, 1.0);
    const roc = rocChart(
      [
        { ...rocCurve(good.labels, good.scores), auc: rocAuc(good.labels, good.scores), name: 'Gradient boosting' },
        { ...rocCurve(weak.labels, weak.scores), auc: rocAuc(weak.labels, weak.scores), name: 'Logistic regression' },
      ],
      {
        title: 'Machine failure — ROC on held-out data',
        subtitle: '4,000 rows, 3.4% failures',
        operatingPoint: { falsePositiveRate: 0.05, truePositiveRate: 0.6, label: 'Alarm threshold 0.31' },
      },
    );
    await renderBoth('roc', roc);
    const pr = prChart(
      [
        {
          ...precisionRecallCurve(good.labels, good.scores),
          averagePrecision: averagePrecision(good.labels, good.scores),
          name: 'Gradient boosting',
        },
        {
          ...precisionRecallCurve(weak.labels, weak.scores),
          averagePrecision: averagePrecision(weak.labels, weak.scores),
          name: 'Logistic regression',
        },
      ],
      { title: 'Machine failure — precision and recall on held-out data', subtitle: '4,000 rows, 3.4% failures' },
    );
    await renderBoth('pr', pr);
  });

  it('bar charts: signed contributions and feature importance', async () => {
    const contributions = barChart(
      {
        labels: [
          'Torque [Nm]',
          'Tool wear [min]',
          'Rotational speed [rpm]',
          'Air temperature [K]',
          'Process temperature [K]',
          'Type=L',
          'Type=M',
          'Type=H',
        ],
        values: [1.84, 1.21, -0.93, 0.42, -0.35, 0.08, -0.05, -0.012],
      },
      {
        title: 'Why row 4,821 is at risk — contributions to the failure log-odds',
        subtitle: 'Prediction 0.87 = base rate 0.034 plus the contributions below',
        valueAxis: { label: 'Contribution to log-odds of failure' },
      },
    );
    await renderBoth('bar-contributions', contributions);
    const rng = new Rng(9);
    const names = Array.from({ length: 40 }, (_, i) => `sensor_${String(i + 1).padStart(2, '0')}_rolling_mean_24h`);
    const importance = barChart(
      { labels: names, values: names.map((_, i) => Math.exp(-i / 8) * (0.8 + 0.4 * rng.next())) },
      { title: 'Feature importance (gain)', valueAxis: { label: 'Share of total gain' } },
    );
    await renderBoth('bar-importance', importance);
  });

  it('histogram of anomaly scores for healthy and failing machines, with the alert threshold', async () => {
    const rng = new Rng(13);
    const healthy = Float64Array.from({ length: 5000 }, () => Math.abs(rng.normal()) * 1.2);
    const failing = Float64Array.from({ length: 300 }, () => 4 + rng.normal() * 1.5);
    failing[0] = Number.NaN;
    const svg = histogramChart(
      [
        { name: 'Healthy', values: healthy },
        { name: 'Failing within 48 h', values: failing },
      ],
      {
        title: 'Modified z-scores by machine state',
        xAxis: { label: 'Anomaly score (modified z)' },
        referenceLines: [{ value: 3.5, label: 'Threshold 3.5' }],
      },
    );
    await renderBoth('histogram', svg);
  });
});

describe('edge cases a person should look at (test-artifacts/plots/edge-*.png)', () => {
  it('small chart, 40 seconds of data, large negative values', async () => {
    const time = Float64Array.from({ length: 400 }, (_, i) => Date.UTC(2026, 5, 30, 23, 59, 40) + i * 100);
    const pressure = time.map((_, i) => -125_000 + 8000 * Math.sin(i / 30));
    const svg = lineChart([{ name: 'Suction pressure', x: time, y: pressure }], {
      width: 480,
      height: 300,
      title: 'Suction pressure across midnight',
      yAxis: { label: 'Gauge pressure', unit: 'Pa' },
    });
    await renderBoth('edge-small-seconds', svg, { width: 960, height: 600 });
  });

  it('scatter of 100,000 points: predicted against actual with the identity line', async () => {
    const rng = new Rng(21);
    const actual = Float64Array.from({ length: 100_000 }, () => 125 * rng.next());
    const predicted = actual.map((value) => Math.max(0, value + rng.normal() * (5 + value * 0.15)));
    const svg = scatterChart(
      { x: actual, y: predicted, label: 'Engines × cycles' },
      {
        title: 'Remaining useful life — predicted against actual',
        xAxis: { label: 'Actual RUL', unit: 'cycles' },
        yAxis: { label: 'Predicted RUL', unit: 'cycles' },
        identityLabel: 'Perfect prediction',
      },
    );
    expect(svg.length).toBeLessThan(3_000_000);
    await renderBoth('edge-scatter-100k', svg);
  });

  it('confusion matrix with 12 classes', async () => {
    const labels = Array.from({ length: 12 }, (_, i) => `Fault class ${i + 1}`);
    const counts = labels.map((_, i) => labels.map((__, j) => (i === j ? 900 - i * 60 : (i * 7 + j * 3) % 11)));
    await renderBoth('edge-confusion-12', confusionMatrixChart({ labels, counts }, { title: 'Fault classifier' }));
  });

  it('bars with long labels, all negative', async () => {
    const labels = [
      'hours since last maintenance of the main bearing assembly (left side)',
      'vibration_rms_rolling_std_7d',
      'Type=M',
    ];
    const svg = barChart(
      { labels, values: [-0.72, -0.31, -0.004] },
      { title: 'Why pump-12 is healthy', valueAxis: { label: 'Contribution to failure risk' } },
    );
    await renderBoth('edge-bar-negative', svg);
  });

  it('histogram of a constant value', async () => {
    await renderBoth(
      'edge-histogram-constant',
      histogramChart(new Float64Array(500).fill(42), { title: 'Stuck sensor' }),
    );
  });

  it('ROC with six models and long names', async () => {
    const rng = new Rng(31);
    const curves = [0.5, 1, 1.5, 2, 2.5, 3].map((separation, i) => {
      const data = classifierScores(rng, 2000, 0.1, separation);
      return {
        ...rocCurve(data.labels, data.scores),
        auc: rocAuc(data.labels, data.scores),
        name: `candidate ${i + 1}: gradient boosting, depth ${i + 2}, learning rate 0.05`,
      };
    });
    await renderBoth('edge-roc-six', rocChart(curves, { title: 'Hyperparameter search — held-out ROC' }));
  });
});
