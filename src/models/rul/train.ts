import { performance } from 'node:perf_hooks';
import { type Clock, systemClock } from '../../core/clock.js';
import { describeValue, ValidationError } from '../../core/errors.js';
import { VERSION } from '../../core/version.js';
import { meanAbsoluteError, rootMeanSquaredError } from '../../evaluate/metrics.js';
import { type ConditionMethod, SensorNormaliser } from '../../features/normalise-sensors.js';
import { DEFAULT_RUL_CAP } from '../../features/rul-targets.js';
import type { UnitSeries } from '../../features/windows.js';
import type { CmapssUnit } from '../../io/cmapss.js';
import type { EpochProgress, SequenceEstimator } from '../sequence/estimator.js';
import type { JsonObject } from '../serialisation.js';
import type { GbdtRegressorOptions } from '../trees/gbdt-regressor.js';
import { EnsembleRulEstimator } from './ensemble.js';
import type { RulEstimator, RulWindow, RulWindowPredictions } from './estimator.js';
import { scoreUnits } from './evaluate.js';
import { holdoutUnits } from './holdout.js';
import { type RulCard, RulPipeline, type RulPipelineConfig, type RulValidation, type RunData } from './pipeline.js';
import {
  createSequenceModel,
  SEQUENCE_KINDS,
  type SequenceInputOptions,
  type SequenceKind,
  SequenceRulEstimator,
} from './sequence-adapter.js';
import { truncateUnits } from './truncate.js';
import { WINDOW_GBDT_DEFAULTS, WindowGbdtEstimator } from './window-gbdt.js';

/** Held-out engines are cut at most this many cycles before failure, like NASA's FD001 test units (7–145). */
export const TEST_LIKE_MAX_RUL = 145;

/**
 * Window statistics see 50 cycles by default and score from cycle 30 on (earlier prefixes front-padded): on FD001
 * with 20 % of the engines held out, every-window RMSE 9.91 / 10.93 / 11.28 (split seeds 0 / 1 / 2) against 11.55 /
 * 12.90 / 12.55 with 30-cycle windows, over the same held-out windows.
 */
export const GBDT_DEFAULT_WINDOW = 50;
export const GBDT_DEFAULT_MIN_HISTORY = 30;

/** Model kinds for `--task rul`. */
export const RUL_MODEL_KINDS = ['gbdt', ...SEQUENCE_KINDS, 'ensemble'] as const;
export type RulModelKind = (typeof RUL_MODEL_KINDS)[number];

/** C-MAPSS operating settings: each rounded to a whole number, the six flight conditions of FD002/FD004 separate. */
export const CMAPSS_CONDITIONS: { columns: string[]; method: ConditionMethod } = {
  columns: ['setting1', 'setting2', 'setting3'],
  method: { method: 'grid', step: 1 },
};

/**
 * `--model ensemble`: window-statistics trees at the model's window ± 10 cycles, averaged; a sequence member is
 * off by default (see docs/walkthrough-cmapss.md "Numbers on FD001").
 */
export const ENSEMBLE_DEFAULTS = {
  treeWindowOffsets: [-10, 0, 10] as readonly number[],
  sequenceWindow: 30,
  smoothing: 0.3,
  innerFraction: 0.2,
};

export interface EnsembleTrainOptions {
  /** Window lengths of the tree members (default: the window − 10, the window, the window + 10). */
  treeWindows?: number[];
  /** Add a sequence member of this kind, weighted on an inner split of the training engines (default: none). */
  sequenceKind?: SequenceKind;
  /** Rows per window of the sequence member (default 30). */
  sequenceWindow?: number;
  /** Causal exponential smoothing alpha of the sequence member's input (default 0.3). */
  smoothing?: number;
  /** Share of the training engines held out inside the ensemble to early-stop and weigh (default 0.2). */
  innerFraction?: number;
}

export interface RulTrainOptions {
  model: RulModelKind;
  /** Rows per window (default 30; trees 50). */
  window?: number;
  /** Rows between training windows (default 1). */
  stride?: number;
  /** RUL target cap (default 125). */
  cap?: number;
  /** Sequence models: most epochs (early stopping may end sooner). */
  epochs?: number;
  /** Share of engines held out for validation (default 0.2). */
  validationFraction?: number;
  /** Interval level (default 0.9). */
  level?: number;
  seed?: number;
  /** Trees: hyperparameters over the defaults. */
  gbdt?: Partial<GbdtRegressorOptions>;
  /** Sequence models: options passed to the sequence factory as they are. */
  sequence?: Record<string, unknown>;
  /** Builds the sequence model (default: `createSequenceEstimator` of models/sequence/factory.ts). */
  sequenceFactory?: (kind: string, options: Record<string, unknown>) => Promise<SequenceEstimator> | SequenceEstimator;
  /** Trees: windows end from this row of a history on, shorter prefixes front-padded (default 30, at most the window). */
  minHistory?: number;
  /** Sequence models (lstm, gru, cnn): score from a given row on, front-padded, and smooth the input (default: neither). */
  sequenceInput?: SequenceInputOptions;
  /** Ensemble: its members and inner split over ENSEMBLE_DEFAULTS. */
  ensemble?: EnsembleTrainOptions;
  /** Trees and ensembles: refit on every engine after validation (default true). */
  refit?: boolean;
  /** Columns that define operating conditions and how (default: C-MAPSS settings on a grid of 1). */
  conditions?: { columns: string[]; method: ConditionMethod };
  source?: string;
  clock?: Clock;
  /** Monotonic milliseconds (default performance.now). */
  now?: () => number;
  onEpoch?: (progress: EpochProgress & { phase: 'fit' | 'refit' }) => void;
  signal?: AbortSignal;
}

function checkInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ValidationError(`${name} must be a whole number ≥ ${min}, got ${describeValue(value)}`, [
      { path: name, message: `whole number ≥ ${min}` },
    ]);
  }
  return value;
}

function windowTruth(series: readonly UnitSeries[], windows: RulWindowPredictions): Float64Array {
  const targetsOf = new Map(series.map((item) => [item.unit, item.targets as Float64Array]));
  return Float64Array.from(
    windows.units,
    (unit, index) => (targetsOf.get(unit) as Float64Array)[windows.endRows[index] as number] as number,
  );
}

/** Share of windows whose target lies inside their interval. */
function coveredShare(truth: Float64Array, windows: RulWindowPredictions): number {
  let covered = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] >= windows.lower[i] && truth[i] <= windows.upper[i]) covered++;
  return truth.length === 0 ? Number.NaN : covered / truth.length;
}

/**
 * Interval coverage measured on engines the interval was not calibrated on: the held-out engines in two halves, each
 * scored with the interval fitted to the other. Only for estimators whose intervals are calibrated on held-out
 * residuals (trees); undefined otherwise or with fewer than two engines.
 */
async function crossCoverage(
  estimator: RulEstimator,
  series: readonly UnitSeries[],
  sensors: readonly string[],
): Promise<number | undefined> {
  const residualIntervals = estimator instanceof WindowGbdtEstimator || estimator instanceof EnsembleRulEstimator;
  if (!residualIntervals || series.length < 2) return undefined;
  const half = Math.floor(series.length / 2);
  const halves = [series.slice(0, half), series.slice(half)];
  let covered = 0;
  let total = 0;
  for (let side = 0; side < 2; side++) {
    await estimator.calibrate(halves[1 - side] as UnitSeries[], sensors);
    const windows = await estimator.predict(halves[side] as UnitSeries[], sensors, false);
    const truth = windowTruth(halves[side] as UnitSeries[], windows);
    covered += coveredShare(truth, windows) * truth.length;
    total += truth.length;
  }
  return total === 0 ? undefined : covered / total;
}

/** Share of the training engines a sequence model stops early on. */
const SEQUENCE_STOP_FRACTION = 0.2;

function createTrees(options: RulTrainOptions, window: RulWindow, level: number, minHistory?: number) {
  return new WindowGbdtEstimator({
    window,
    level,
    minHistory: Math.min(
      window.length,
      checkInteger('minHistory', minHistory ?? options.minHistory ?? GBDT_DEFAULT_MIN_HISTORY, 1),
    ),
    ...(options.gbdt ? { gbdt: options.gbdt } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
}

async function createSequence(
  options: RulTrainOptions,
  kind: string,
  window: RulWindow,
  level: number,
  input: SequenceInputOptions = {},
): Promise<SequenceRulEstimator> {
  const factory = options.sequenceFactory ?? createSequenceModel;
  const model = await factory(kind, {
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    seed: options.seed ?? 0,
    ...options.sequence,
  });
  return new SequenceRulEstimator(model, window, level, input);
}

async function createEstimator(options: RulTrainOptions, window: RulWindow, level: number): Promise<RulEstimator> {
  if (options.model === 'gbdt') return createTrees(options, window, level);
  if (options.model !== 'ensemble') {
    return createSequence(options, options.model, window, level, options.sequenceInput ?? {});
  }
  const chosen = { ...ENSEMBLE_DEFAULTS, ...options.ensemble };
  const lengths = (chosen.treeWindows ?? ENSEMBLE_DEFAULTS.treeWindowOffsets.map((offset) => window.length + offset))
    .filter((length) => length >= 1)
    .map((length) => checkInteger('treeWindows', length, 1));
  if (lengths.length === 0) throw new ValidationError('ensemble: no tree window is a whole number ≥ 1');
  // Every member scores the same windows: from the shortest member's reach on.
  const minHistory = Math.min(...lengths, options.minHistory ?? GBDT_DEFAULT_MIN_HISTORY);
  const trees = lengths.map((length) => createTrees(options, { length, stride: window.stride }, level, minHistory));
  const sequence =
    chosen.sequenceKind === undefined
      ? undefined
      : await createSequence(
          options,
          chosen.sequenceKind,
          { length: checkInteger('sequenceWindow', chosen.sequenceWindow, 1), stride: window.stride },
          level,
          { minHistory: Math.min(minHistory, chosen.sequenceWindow), smoothing: chosen.smoothing },
        );
  return new EnsembleRulEstimator(trees, sequence, {
    innerFraction: chosen.innerFraction,
    seed: options.seed ?? 0,
    level,
  });
}

/**
 * Trains a RUL pipeline on run-to-failure units: holds out a seeded 20 % of the engines, fits the normaliser and the
 * estimator on the rest (sequence models early-stop on the held-out engines; an ensemble's sequence member on an
 * inner split of the rest), calibrates the interval and scores the held-out engines — every window, and cut at random
 * cycles like a test file — then, for trees and ensembles, refits on all engines. The card records the validation,
 * the parameters and the training time.
 */
export async function trainRulPipeline(data: RunData, options: RulTrainOptions): Promise<RulPipeline> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  if (!(RUL_MODEL_KINDS as readonly string[]).includes(options.model)) {
    throw new ValidationError(
      `model must be one of ${RUL_MODEL_KINDS.join(', ')}, got ${describeValue(options.model)}`,
      [{ path: 'model', message: 'unknown RUL model' }],
    );
  }
  const window: RulWindow = {
    length: checkInteger(
      'window',
      options.window ?? (options.model === 'gbdt' || options.model === 'ensemble' ? GBDT_DEFAULT_WINDOW : 30),
      1,
    ),
    stride: checkInteger('stride', options.stride ?? 1, 1),
  };
  const cap = options.cap ?? DEFAULT_RUL_CAP;
  if (!(cap > 0))
    throw new ValidationError(`cap must be a positive number, got ${describeValue(cap)}`, [
      { path: 'cap', message: 'not positive' },
    ]);
  const level = options.level ?? 0.9;
  const seed = options.seed ?? 0;
  const fraction = options.validationFraction ?? 0.2;
  if (data.units.length === 0) throw new ValidationError('the training data has no units');
  const split = holdoutUnits(data.units.length, fraction, seed);
  const pick = (indices: number[]): CmapssUnit[] => indices.map((index) => data.units[index] as CmapssUnit);
  const trainData: RunData = { columns: data.columns, units: pick(split.train) };
  const validationData: RunData = { columns: data.columns, units: pick(split.validation) };

  const conditions = options.conditions ?? CMAPSS_CONDITIONS;
  const usableConditions = conditions.columns.filter((name) => data.columns.includes(name));
  const normaliser = new SensorNormaliser(
    usableConditions.length > 0
      ? { conditionColumns: usableConditions, conditions: conditions.method }
      : { conditions: { method: 'none' } },
  ).fit(
    trainData.units.map((unit) => unit.values),
    data.columns,
  );
  const state = normaliser.toJSON();
  const sensors = state.kept.filter((name) => !usableConditions.includes(name));
  if (sensors.length === 0)
    throw new ValidationError('every sensor is constant over the training units: nothing to learn from');
  const config: RulPipelineConfig = {
    window,
    cap,
    level,
    inputColumns: [...new Set([...usableConditions, ...sensors])],
    sensors,
  };
  const estimator = await createEstimator(options, window, level);
  // An ensemble reads as many rows as its longest member (the health endpoint passes the model that many readings).
  if (estimator instanceof EnsembleRulEstimator)
    config.window = { length: estimator.historyRows, stride: window.stride };
  // Tensors of a sequence model are freed when training fails part way.
  let trained = false;
  try {
    // A provisional pipeline frames the units; its card is replaced below.
    const framing = new RulPipeline(normaliser, config, estimator, {} as RulCard);
    const trainSeries = framing.series(trainData);
    const validationSeries: UnitSeries[] = framing.series(validationData);
    // Sequence models stop early on an inner split of the training engines, so the held-out engines only score the
    // model and never choose its epoch (the trees and ensembles take no validation units).
    let fitSeries = trainSeries;
    let stopSeries: UnitSeries[] = [];
    if (estimator instanceof SequenceRulEstimator && trainSeries.length >= 2) {
      const inner = holdoutUnits(trainSeries.length, SEQUENCE_STOP_FRACTION, seed);
      fitSeries = inner.train.map((index) => trainSeries[index] as UnitSeries);
      stopSeries = inner.validation.map((index) => trainSeries[index] as UnitSeries);
    }
    let epochs = 0;
    await estimator.fit(fitSeries, sensors, {
      ...(stopSeries.length > 0 ? { validation: stopSeries } : {}),
      onEpoch: (progress) => {
        epochs = progress.epoch;
        options.onEpoch?.({ ...progress, phase: 'fit' });
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const warnings: string[] = [];
    let validation: RulValidation = {
      method: 'none',
      fraction,
      seed,
      trainUnits: split.train.length,
      validationUnits: 0,
      windows: null,
      truncated: null,
    };
    if (validationSeries.length > 0) {
      const coverage = await crossCoverage(estimator, validationSeries, sensors);
      await estimator.calibrate(validationSeries, sensors);
      const windows = await estimator.predict(validationSeries, sensors, false);
      const truth = windowTruth(validationSeries, windows);
      const covered = coverage ?? coveredShare(truth, windows);
      const cut = truncateUnits(
        { columns: data.columns, units: [...validationData.units], rowCount: 0 },
        { seed, minCycles: window.length + 1, maxRul: TEST_LIKE_MAX_RUL },
      );
      const scored = scoreUnits(await framing.predictUnits(cut), cap);
      validation = {
        method: 'engine-holdout',
        fraction,
        seed,
        trainUnits: split.train.length,
        validationUnits: split.validation.length,
        windows:
          truth.length > 0
            ? {
                count: truth.length,
                rmse: rootMeanSquaredError(truth, windows.mean),
                mae: meanAbsoluteError(truth, windows.mean),
                coverage: covered,
              }
            : null,
        truncated: {
          units: scored.n_units,
          rmse: scored.rmse,
          rmseUncapped: scored.rmse_uncapped,
          phm08: scored.phm08_score,
        },
      };
    } else {
      warnings.push(
        'not validated: too few units to hold any out; the interval comes from training residuals and is too narrow',
      );
    }
    const refit =
      (options.model === 'gbdt' || options.model === 'ensemble') &&
      (options.refit ?? true) &&
      validationSeries.length > 0;
    if (refit) {
      await estimator.fit([...trainSeries, ...validationSeries], sensors, {
        onEpoch: (progress) => options.onEpoch?.({ ...progress, phase: 'refit' }),
      });
    }
    const parameters: JsonObject =
      options.model === 'gbdt'
        ? ({
            ...WINDOW_GBDT_DEFAULTS,
            ...options.gbdt,
            minHistory: (estimator as WindowGbdtEstimator).options.minHistory ?? window.length,
          } as unknown as JsonObject)
        : estimator instanceof EnsembleRulEstimator
          ? ({
              ...WINDOW_GBDT_DEFAULTS,
              ...options.gbdt,
              minHistory: estimator.trees[0]?.options.minHistory ?? window.length,
              treeWindows: estimator.trees.map((member) => member.options.window.length),
              ...(estimator.sequence === undefined
                ? {}
                : {
                    sequenceKind: estimator.sequence.kind,
                    sequenceWindow: estimator.sequence.window.length,
                    smoothing: estimator.sequence.input.smoothing ?? null,
                    innerFraction: estimator.options.innerFraction ?? null,
                    sequence: { epochs: options.epochs ?? null, ...options.sequence },
                    inner: estimator.innerScores ?? null,
                  }),
              weight: estimator.weight ?? null,
            } as unknown as JsonObject)
          : ({
              epochs: options.epochs ?? null,
              ...options.sequence,
              ...(options.sequenceInput ? { input: { ...options.sequenceInput } } : {}),
            } as JsonObject);
    const card: RulCard = {
      kind: options.model,
      task: 'rul',
      libraryVersion: VERSION,
      created: new Date((options.clock ?? systemClock).now()).toISOString(),
      ...(options.source !== undefined ? { source: options.source } : {}),
      trainingData: {
        units: data.units.length,
        rows: data.units.reduce((total, unit) => total + unit.cycles.length, 0),
      },
      window: config.window,
      cap,
      level,
      sensors,
      droppedColumns: state.dropped,
      conditions: state.centres.length,
      parameters,
      validation,
      trainingSeconds: Math.round(now() - started) / 1000,
      ...(epochs > 0 ? { epochs } : {}),
      refit,
      intervalSource:
        estimator instanceof WindowGbdtEstimator
          ? `residuals of the ${estimator.intervalSource ?? 'training'} windows, binned by prediction`
          : estimator instanceof EnsembleRulEstimator
            ? 'residuals of the ensemble on the validation windows, binned by prediction'
            : 'the sequence model (predictInterval)',
      warnings,
    };
    trained = true;
    return new RulPipeline(normaliser, config, estimator, card);
  } finally {
    if (!trained) estimator.dispose();
  }
}
