/**
 * What a remaining-useful-life pipeline asks of the model behind it: learn from normalised unit histories with a
 * capped RUL target per row, and answer per window with a point prediction and a central interval. Two kinds
 * implement it: window statistics with boosted trees (`window-gbdt.ts`) and the TensorFlow.js sequence models
 * (`sequence-adapter.ts`).
 */
import type { UnitSeries } from '../../features/windows.js';
import type { EpochProgress } from '../sequence/estimator.js';
import type { JsonObject } from '../serialisation.js';

/** Window geometry shared by training and prediction. */
export interface RulWindow {
  /** Rows per window. */
  length: number;
  /** Rows between the ends of consecutive training windows. */
  stride: number;
}

export interface RulFitOptions {
  /** Held-out units (whole engines) for early stopping; sequence models use them, boosted trees ignore them. */
  validation?: readonly UnitSeries[];
  onEpoch?: (progress: EpochProgress) => void;
  signal?: AbortSignal;
}

/** Per window: the prediction, the interval at `level`, and which unit and row the window ends at. */
export interface RulWindowPredictions {
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  level: number;
  units: Float64Array;
  endRows: Int32Array;
}

export interface RulEstimator {
  /** 'gbdt', 'lstm', 'gru' or 'cnn'. */
  readonly kind: string;
  /** Learns from `series` (values over `features`, a target per row). */
  fit(series: readonly UnitSeries[], features: readonly string[], options?: RulFitOptions): Promise<void>;
  /**
   * Fits the interval to held-out units (residual quantiles for the trees); a no-op where the model makes its own
   * intervals.
   */
  calibrate(series: readonly UnitSeries[], features: readonly string[]): Promise<void>;
  /** Every stride-1 window of every series (`lastOnly`: only the window ending at each series' last row). */
  predict(series: readonly UnitSeries[], features: readonly string[], lastOnly: boolean): Promise<RulWindowPredictions>;
  /** Options and learned state as plain JSON. */
  toJSON(): JsonObject;
  /** Free what the model holds (tensors); unusable afterwards. */
  dispose(): void;
}
