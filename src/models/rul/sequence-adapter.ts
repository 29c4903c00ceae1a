import { UnprocessableError } from '../../core/errors.js';
import { smoothSeries } from '../../features/smooth-series.js';
import { makeWindows, type UnitSeries } from '../../features/windows.js';
import type { SequenceBatch } from '../input.js';
import type { SequenceEstimator } from '../sequence/estimator.js';
import type { JsonObject } from '../serialisation.js';
import type { RulEstimator, RulFitOptions, RulWindow, RulWindowPredictions } from './estimator.js';
import { padFront } from './pad-front.js';

/** The sequence model kinds `upkeep train --task rul` offers. */
export const SEQUENCE_KINDS = ['lstm', 'gru', 'cnn'] as const;
export type SequenceKind = (typeof SEQUENCE_KINDS)[number];

/** What `models/sequence/factory.ts` exports to build and restore sequence models. */
interface SequenceFactories {
  createSequenceEstimator: (
    kind: string,
    options: Record<string, unknown>,
  ) => SequenceEstimator | Promise<SequenceEstimator>;
  loadSequenceEstimator: (json: JsonObject) => SequenceEstimator | Promise<SequenceEstimator>;
}

/** The sequence-model factories, loaded on first use so the trees and the CLI start without TensorFlow.js. */
async function sequenceFactories(): Promise<SequenceFactories> {
  const module = (await import('../sequence/factory.js')) as Partial<SequenceFactories>;
  if (typeof module.createSequenceEstimator !== 'function' || typeof module.loadSequenceEstimator !== 'function') {
    throw new UnprocessableError('sequence models (lstm, gru, cnn) are not available in this build: use --model gbdt');
  }
  return module as SequenceFactories;
}

/** Builds a new sequence model of `kind` through the sequence module's factory. */
export async function createSequenceModel(kind: string, options: Record<string, unknown>): Promise<SequenceEstimator> {
  return (await sequenceFactories()).createSequenceEstimator(kind, options);
}

/** Restores a sequence model from its `toJSON()`. */
export async function loadSequenceModel(json: JsonObject): Promise<SequenceEstimator> {
  return (await sequenceFactories()).loadSequenceEstimator(json);
}

/** How unit histories become a sequence model's input windows; saved with the model. */
export interface SequenceInputOptions {
  /**
   * Windows end from this row of a history on (default: the window length), earlier rows front-padded with the
   * first reading, as the trees do (`window-gbdt.ts`).
   */
  minHistory?: number;
  /** Causal exponential smoothing of the sensors with this alpha before windowing (default: none). */
  smoothing?: number;
}

/** Reads `SequenceInputOptions` from saved JSON, dropping what is not a valid option. */
export function readSequenceInput(raw: unknown): SequenceInputOptions {
  const object = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const input: SequenceInputOptions = {};
  if (typeof object.minHistory === 'number' && Number.isInteger(object.minHistory) && object.minHistory >= 1)
    input.minHistory = object.minHistory;
  if (typeof object.smoothing === 'number' && object.smoothing > 0 && object.smoothing <= 1)
    input.smoothing = object.smoothing;
  return input;
}

/**
 * A `SequenceEstimator` (LSTM, GRU, 1D-CNN) as a RUL estimator: unit histories are optionally smoothed
 * (`smoothSeries`) and front-padded, then cut into float32 windows (`makeWindows`); the units given as validation
 * give the early-stopping windows, and intervals come from the model's own `predictInterval` (Monte Carlo dropout).
 */
export class SequenceRulEstimator implements RulEstimator {
  constructor(
    readonly model: SequenceEstimator,
    readonly window: RulWindow,
    readonly level = 0.9,
    readonly input: SequenceInputOptions = {},
  ) {}

  get kind(): string {
    return this.model.kind;
  }

  private batch(series: readonly UnitSeries[], features: readonly string[], lastOnly: boolean) {
    const length = this.window.length;
    const pad = Math.max(0, length - Math.max(1, Math.min(length, this.input.minHistory ?? length)));
    const smoothed =
      this.input.smoothing === undefined ? series : smoothSeries(series, features.length, this.input.smoothing);
    const windows = makeWindows(padFront(smoothed, features.length, pad), features.length, {
      length,
      stride: lastOnly ? 1 : this.window.stride,
      lastOnly,
      dtype: 'float32',
    });
    if (pad > 0) windows.endRows = Int32Array.from(windows.endRows, (row) => Math.max(0, row - pad));
    const X: SequenceBatch = {
      samples: windows.samples,
      steps: windows.steps,
      features: windows.features,
      data: windows.data,
      featureNames: features,
    };
    return { X, windows };
  }

  async fit(series: readonly UnitSeries[], features: readonly string[], options: RulFitOptions = {}): Promise<void> {
    const { X, windows } = this.batch(series, features, false);
    const validation =
      options.validation && options.validation.length > 0 ? this.batch(options.validation, features, false) : undefined;
    await this.model.fit(X, windows.targets, {
      ...(validation ? { validation: { X: validation.X, y: validation.windows.targets } } : {}),
      ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async calibrate(): Promise<void> {}

  async predict(
    series: readonly UnitSeries[],
    features: readonly string[],
    lastOnly: boolean,
  ): Promise<RulWindowPredictions> {
    const { X, windows } = this.batch(series, features, lastOnly);
    if (X.samples === 0) {
      const empty = new Float64Array(0);
      return {
        mean: empty,
        lower: empty,
        upper: empty,
        level: this.level,
        units: windows.units,
        endRows: windows.endRows,
      };
    }
    const interval = await this.model.predictInterval(X, this.level);
    const clip = (values: Float64Array) => Float64Array.from(values, (value) => Math.max(0, value));
    return {
      mean: clip(interval.mean),
      lower: clip(interval.lower),
      upper: clip(interval.upper),
      level: interval.level,
      units: windows.units,
      endRows: windows.endRows,
    };
  }

  /** Point predictions without dropout (one forward pass) for every window, clipped at 0. */
  async predictMean(
    series: readonly UnitSeries[],
    features: readonly string[],
    lastOnly: boolean,
  ): Promise<{ mean: Float64Array; units: Float64Array; endRows: Int32Array }> {
    const { X, windows } = this.batch(series, features, lastOnly);
    const raw = X.samples === 0 ? new Float64Array(0) : await this.model.predict(X);
    const mean = Float64Array.from(raw, (value) => Math.max(0, value));
    return { mean, units: windows.units, endRows: windows.endRows };
  }

  toJSON(): JsonObject {
    return {
      kind: this.kind,
      window: { ...this.window },
      level: this.level,
      input: { ...this.input } as JsonObject,
      model: this.model.toJSON(),
    };
  }

  dispose(): void {
    this.model.dispose();
  }
}
