/** Charts for the CLI and reports: each function takes plain arrays and returns a standalone SVG document. */

export { type BarChartOptions, type BarData, barChart } from './bar-chart.js';
export {
  type ConfusionMatrixChartOptions,
  type ConfusionMatrixData,
  confusionMatrixChart,
} from './confusion-chart.js';
export type { AxisOptions, ChartOptions } from './data.js';
export {
  type HistogramChartOptions,
  type HistogramSeries,
  histogramChart,
  type VerticalLine,
} from './histogram-chart.js';
export {
  type Interval,
  type LineChartOptions,
  type LineSeries,
  lineChart,
  type PointMarkers,
  type ReferenceLine,
} from './line-chart.js';
export { type PrChartOptions, type PrCurveData, prChart } from './pr-chart.js';
export { CHART_EXTENSIONS, type PngOptions, renderPng, writeChart } from './render.js';
export { type RocChartOptions, type RocCurveData, rocChart } from './roc-chart.js';
export {
  type Band,
  type FittedLine,
  type ScatterChartOptions,
  type ScatterData,
  scatterChart,
} from './scatter-chart.js';
