import { describe, expect, it } from 'vitest';
import { UnprocessableError, ValidationError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { categoryFromText, Frame, numericColumn } from '../../io/frame.js';
import { studentTQuantile } from '../../math/student-t.js';
import { trainModel } from '../../models/train.js';
import {
  confusionChart,
  explainChart,
  fitChart,
  importanceChart,
  prCurveChart,
  predictionBand,
  rocCurveChart,
  seriesChart,
} from './plot.js';

const rng = new Rng(17);
const rows = 80;
const x = Float64Array.from({ length: rows }, () => 20 + 4 * rng.normal());
const z = Float64Array.from({ length: rows }, () => rng.normal());
const y = Float64Array.from(x, (value, i) => 1 + 2 * value + (z[i] as number) + rng.normal());
const failed = Float64Array.from(y, (value) => (value > 42 ? 1 : 0));
const frame = new Frame([
  numericColumn('x', x),
  numericColumn('z', z),
  numericColumn('y', y),
  numericColumn('failed', failed),
]);
const line = trainModel(frame, { target: 'y', drop: ['z', 'failed'], model: 'linear' });
const plane = trainModel(frame, { target: 'y', drop: ['failed'], model: 'linear' });
const classifier = trainModel(frame, { target: 'failed', drop: ['y'], model: 'logistic' });

describe('plot fit', () => {
  it('one input: the data, the fitted line in file units and the 95% prediction interval', () => {
    const svg = fitChart(line, frame, {});
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('y against x');
    expect(svg).toContain('Fit: y = ');
    expect(svg).toContain('95% prediction interval');
  });

  it('the interval is ŷ ± t₀.₉₇₅(n − 2) · σ · √(1 + 1/n + (x − x̄)²/Sxx)', () => {
    const band = predictionBand(line, line.card.coefficients?.x as number, line.card.intercept as number, x);
    expect(band).toBeDefined();
    let mean = 0;
    for (const value of x) mean += value / rows;
    let sxx = 0;
    let rss = 0;
    for (let i = 0; i < rows; i++) {
      sxx += ((x[i] as number) - mean) ** 2;
      const fitted = (line.card.intercept as number) + (line.card.coefficients?.x as number) * (x[i] as number);
      rss += ((y[i] as number) - fitted) ** 2;
    }
    const sigma = Math.sqrt(rss / (rows - 2));
    const t = studentTQuantile(0.975, rows - 2);
    const bandX = band?.x as Float64Array;
    for (const i of [0, 50, 100]) {
      const at = bandX[i] as number;
      const half = t * sigma * Math.sqrt(1 + 1 / rows + (at - mean) ** 2 / sxx);
      const fitted = (line.card.intercept as number) + (line.card.coefficients?.x as number) * at;
      expect(band?.upper[i]).toBeCloseTo(fitted + half, 9);
      expect(band?.lower[i]).toBeCloseTo(fitted - half, 9);
    }
    // No exact interval for a ridge fit.
    const ridge = trainModel(frame, { target: 'y', drop: ['z', 'failed'], model: 'linear', params: { ridge: 1 } });
    expect(predictionBand(ridge, 1, 0, x)).toBeUndefined();
  });

  it('several inputs: predicted against actual with the y = x line', () => {
    const svg = fitChart(plane, frame, {});
    expect(svg).toContain('Predicted against actual y');
    expect(svg).toContain('Perfect prediction');
    expect(() => fitChart(classifier, frame, {})).toThrow(
      /plot fit needs a regression model, but the model is a classifier/,
    );
  });
});

describe('classifier charts', () => {
  it('draws the confusion matrix, ROC and PR curves with the threshold in use', () => {
    const threshold = (classifier.card.threshold as number).toFixed(3);
    const confusion = confusionChart(classifier, frame, {});
    expect(confusion).toContain('Confusion matrix: failed');
    expect(confusion).toContain(`LogisticRegression at threshold ${threshold}`);
    expect(rocCurveChart(classifier, frame, { title: 'Pumps' })).toContain('Pumps');
    expect(rocCurveChart(classifier, frame, {})).toContain(`threshold ${threshold}`);
    expect(prCurveChart(classifier, frame, {})).toContain('Precision and recall: failed');
    expect(() => rocCurveChart(line, frame, {})).toThrow(/plot roc needs a classifier, but the model does regression/);
    const oneClass = new Frame([
      numericColumn('x', x),
      numericColumn('z', z),
      numericColumn('failed', new Float64Array(rows)),
    ]);
    expect(() => rocCurveChart(classifier, oneClass, {})).toThrow(/plot roc needs both classes in 'failed'/);
    expect(() => prCurveChart(classifier, oneClass, {})).toThrow(/plot pr needs positive rows in 'failed'/);
  });
});

describe('plot series', () => {
  const telemetry = new Frame([
    categoryFromText('asset', ['pump-2', 'pump-1', 'pump-1', 'pump-2']),
    categoryFromText('ts', [
      '2026-01-01T00:01:00Z',
      '2026-01-01T00:01:00Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00Z',
    ]),
    numericColumn('temperature', [70, 71, 69, 72]),
  ]);

  it('draws a line per asset over time', () => {
    const svg = seriesChart(telemetry, { column: 'temperature' });
    expect(svg).toContain('pump-1');
    expect(svg).toContain('pump-2');
    expect(svg).toContain('4 rows · 2 assets');
    expect(seriesChart(telemetry, { column: 'temperature', asset: 'pump-2' })).toContain('1 asset');
  });

  it('uses the row number without a time column and names bad input', () => {
    expect(seriesChart(frame, { column: 'y' })).toContain('Row');
    expect(() => seriesChart(telemetry, { column: 'temperature', asset: 'pump-9' })).toThrow(
      /no rows of asset "pump-9" in 'asset'/,
    );
    const badTime = new Frame([categoryFromText('ts', ['2026-01-01', 'later']), numericColumn('v', [1, 2])]);
    expect(() => seriesChart(badTime, { column: 'v' })).toThrow(
      /row 2: time column 'ts' holds "later", not an ISO-8601 time/,
    );
    const many = new Frame([
      categoryFromText(
        'asset',
        Array.from({ length: 9 }, (_, i) => `m${i}`),
      ),
      numericColumn(
        'v',
        Array.from({ length: 9 }, (_, i) => i),
      ),
    ]);
    expect(() => seriesChart(many, { column: 'v' })).toThrow(/holds 9 assets in 'asset': pick one with --asset/);
  });
});

describe('plot importance and explain', () => {
  const trees = trainModel(frame, {
    target: 'failed',
    drop: ['y'],
    model: 'gbdt',
    params: { nEstimators: 20, maxDepth: 2 },
    validation: { method: 'none' },
  });

  it('importance: gain bars of a tree model, largest first; other models have none', () => {
    const svg = importanceChart(trees, {});
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('Feature importance: failed');
    const importance = trees.featureImportance('gain');
    // failed depends on x far more than on z: x's bar comes first.
    expect(Object.keys(importance)[0]).toBe('x');
    expect(svg.indexOf('>x<')).toBeLessThan(svg.indexOf('>z<'));
    expect(() => importanceChart(classifier, {})).toThrow(UnprocessableError);
  });

  it('explain: signed bars of one row with bias and margin in the subtitle', () => {
    const svg = explainChart(trees, frame, { row: 1 });
    const [row] = trees.explain(frame.take([0]), Number.POSITIVE_INFINITY);
    expect(svg).toContain(
      `Why row 1: P(failed = 1) ${((trees.predictFrame(frame.take([0])).probability as Float64Array)[0] as number).toFixed(3)}`,
    );
    expect(svg).toContain(
      `bias ${(row as { bias: number }).bias.toFixed(3)} + contributions = ${(row as { margin: number }).margin.toFixed(3)}`,
    );
    expect(() => explainChart(trees, frame, { row: 0 })).toThrow(ValidationError);
    expect(() => explainChart(trees, frame, { row: rows + 1 })).toThrow(/--row must be a data row from 1 to 80/);
    expect(explainChart(classifier, frame, { row: 2 })).toContain('Why row 2');
  });
});
