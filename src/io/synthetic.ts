/**
 * Synthetic regression data like scikit-learn's `make_regression`: a noisy sensor whose reading is a linear
 * function of a few inputs plus Gaussian noise. Used to check that a fitted model recovers a known truth.
 */
import { describeValue, ValidationError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { writeCsvFile } from './csv-frame.js';
import { Frame, numericColumn } from './frame.js';

export interface RegressionOptions {
  /** Number of rows. */
  samples: number;
  /** Number of input columns. */
  features: number;
  /** How many inputs actually drive y (default: all); the others have coefficient 0. */
  informative?: number;
  /** Standard deviation of the Gaussian noise added to y (default 0). */
  noise?: number;
  /** Intercept of the linear function (default 0). */
  bias?: number;
  /** Seed used when no `rng` is given (default 0). */
  seed?: number;
  rng?: Rng;
}

export interface RegressionData {
  rows: number;
  cols: number;
  /** Inputs, row-major (`rows × cols`), each standard normal. */
  data: Float64Array;
  /** `x` for one feature, else `x1 … xK`. */
  featureNames: string[];
  y: Float64Array;
  /** The ground truth: y = X · coefficients + bias + noise. Zero for uninformative inputs. */
  coefficients: Float64Array;
  bias: number;
  noise: number;
}

/** Largest generated data set: 100 million cells. */
const MAX_CELLS = 100_000_000;

function checkInteger(name: string, value: number, minimum: number, maximum = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `≥ ${minimum}` : `between ${minimum} and ${maximum}`;
    throw new ValidationError(`${name} must be an integer ${range}, got ${describeValue(value)}`, [
      { path: name, message: `must be an integer ${range}` },
    ]);
  }
}

function checkNumber(name: string, value: number, minimum = Number.NEGATIVE_INFINITY): void {
  if (!Number.isFinite(value) || value < minimum) {
    const rule = minimum === Number.NEGATIVE_INFINITY ? 'a finite number' : `a finite number ≥ ${minimum}`;
    throw new ValidationError(`${name} must be ${rule}, got ${describeValue(value)}`, [
      { path: name, message: `must be ${rule}` },
    ]);
  }
}

/**
 * Draws X ~ N(0, 1), informative coefficients ~ 100·U(0, 1) placed on randomly chosen inputs, and
 * y = X·coefficients + bias + N(0, noise²), as sklearn's `make_regression` does (its numbers differ: another
 * generator). The same seed gives the same data. O(samples × features).
 */
export function makeRegression(options: RegressionOptions): RegressionData {
  const { samples, features } = options;
  const informative = options.informative ?? features;
  const noise = options.noise ?? 0;
  const bias = options.bias ?? 0;
  checkInteger('samples', samples, 1);
  checkInteger('features', features, 1);
  checkInteger('informative', informative, 0, features);
  checkNumber('noise', noise, 0);
  checkNumber('bias', bias);
  if (samples * features > MAX_CELLS) {
    throw new ValidationError(`samples × features must be at most ${MAX_CELLS}, got ${samples * features}`);
  }
  if (options.seed !== undefined) checkInteger('seed', options.seed, 0, 0xffffffff);
  const rng = options.rng ?? new Rng(options.seed ?? 0);

  const data = new Float64Array(samples * features);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const positions = new Int32Array(features);
  for (let j = 0; j < features; j++) positions[j] = j;
  rng.shuffle(positions);
  const coefficients = new Float64Array(features);
  for (let k = 0; k < informative; k++) coefficients[positions[k] as number] = 100 * rng.next();

  const y = new Float64Array(samples);
  for (let row = 0; row < samples; row++) {
    let value = bias;
    const base = row * features;
    for (let j = 0; j < features; j++) value += (data[base + j] as number) * (coefficients[j] as number);
    y[row] = noise > 0 ? value + noise * rng.normal() : value;
  }
  const featureNames = features === 1 ? ['x'] : Array.from({ length: features }, (_, j) => `x${j + 1}`);
  return { rows: samples, cols: features, data, featureNames, y, coefficients, bias, noise };
}

/** The data as a frame with the input columns then `y`. O(samples × features). */
export function regressionFrame(regression: RegressionData): Frame {
  const { rows, cols, data } = regression;
  const columns = regression.featureNames.map((name, j) => {
    const values = new Float64Array(rows);
    for (let row = 0; row < rows; row++) values[row] = data[row * cols + j] as number;
    return numericColumn(name, values);
  });
  columns.push(numericColumn('y', regression.y));
  return new Frame(columns, rows);
}

/** The ground truth in a form fit to print: feature name → coefficient, and the bias. */
export function groundTruth(regression: RegressionData): { coefficients: Record<string, number>; bias: number } {
  const coefficients: Record<string, number> = {};
  regression.featureNames.forEach((name, j) => {
    coefficients[name] = regression.coefficients[j] as number;
  });
  return { coefficients, bias: regression.bias };
}

/**
 * Generates data and writes it as CSV (`x` or `x1…xK`, then `y`, full precision); returns the data with its
 * ground truth. O(samples × features).
 */
export async function writeRegressionCsv(path: string, options: RegressionOptions): Promise<RegressionData> {
  const regression = makeRegression(options);
  await writeCsvFile(path, regressionFrame(regression));
  return regression;
}
