/**
 * The models a fresh `upkeep serve --simulate N` starts with: at first start the simulated fleet's recent history
 * is stored (so the dashboard has something to draw) and two gradient-boosted models are trained on it from the
 * simulator's ground truth — `failure-risk` (will the machine fail within FAILURE_HORIZON_MS?) and `rul` (hours
 * of life left, capped at RUL_CAP_HOURS) — and saved as the active versions. A later start finds them in the
 * registry and trains nothing. Both models read one row per asset: its kind and the latest value of each metric
 * (`featureRow`), which is also how the fleet summary scores every asset.
 */
import type { Clock } from '../core/clock.js';
import type { Reading } from '../core/reading.js';
import { precisionRecallCurve, rocCurve } from '../evaluate/metrics.js';
import type { FleetSimulator } from '../io/fleet-simulator.js';
import { frameFromRows } from '../io/frame.js';
import { type TrainSpec, trainModel } from '../models/train.js';
import type { TrainedModel } from '../models/trained-model.js';
import type { ModelRegistry, StoredJsonObject } from '../store/registry.js';
import type { Store } from '../store/store.js';
import { registryVersion } from './train-job.js';

export const FAILURE_RISK_MODEL = 'failure-risk';
export const RUL_MODEL = 'rul';
/** A machine "fails soon" when its next failure is at most this far ahead (ms). */
export const FAILURE_HORIZON_MS = 30 * 60_000;
/** Remaining life above this is reported as "more than" it: from the values alone no later failure is visible. */
export const RUL_CAP_HOURS = 2;
/** The metrics the default models read, besides the asset's kind. */
export const DEFAULT_MODEL_METRICS = ['temperature', 'vibration', 'pressure', 'rpm'] as const;

const HOUR_MS = 3_600_000;
const DEFAULT_FOLDS = 3;
/** Readings stored as first-start history at most (a large fleet gets a coarser history). */
const MAX_BACKFILL_READINGS = 1_000_000;
/** Training rows at most (a large fleet is sampled less often). */
const MAX_TRAINING_ROWS = 30_000;

export interface DefaultModelsOptions {
  store: Store;
  registry: ModelRegistry;
  simulator: FleetSimulator;
  clock: Clock;
  /** History stored before the first start's training when the fleet has none (default 12 h). */
  historyMs?: number;
  /** Time between two stored readings of a machine in that history (default 15 s, coarser beyond 1M readings). */
  historyStepMs?: number;
  /** Time between two training rows of a machine (default 60 s, coarser beyond 30,000 rows). */
  sampleStepMs?: number;
  /** Progress lines for the terminal. */
  log?: (line: string) => void;
}

export interface DefaultModelsResult {
  /** Readings stored as history (0 when the fleet already had some). */
  backfilled: number;
  /** Model ids trained now. */
  trained: string[];
  /** Active model ids found and kept. */
  reused: string[];
  /** Names whose training failed (reported through `log`; the server starts without them). */
  failed: string[];
}

/** A cell of a model's input row. */
export type FeatureValue = string | number | null;

/** The input row of the default models for one asset: its kind and the latest value of each metric (or null). */
export function featureRow(
  attributes: Record<string, string>,
  latest: Record<string, number | undefined>,
): Record<string, FeatureValue> {
  const row: Record<string, FeatureValue> = { kind: attributes.kind ?? 'unknown' };
  for (const metric of DEFAULT_MODEL_METRICS) row[metric] = latest[metric] ?? null;
  return row;
}

/** Stores `fromMs`..`toMs` of the simulated fleet, a tick every `stepMs`, in batches. Returns readings stored. */
async function backfill(store: Store, simulator: FleetSimulator, fromMs: number, toMs: number, stepMs: number) {
  let stored = 0;
  let batch: Reading[] = [];
  for (let ts = fromMs; ts < toMs; ts += stepMs) {
    batch.push(...simulator.readingsAt(ts));
    if (batch.length >= 5000) {
      await store.appendReadings(batch);
      stored += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await store.appendReadings(batch);
  return stored + batch.length;
}

/** Training rows from the simulator's ground truth: features, `failure_soon` (0/1) and capped `rul_hours`. */
export function trainingRows(
  simulator: FleetSimulator,
  fromMs: number,
  toMs: number,
  stepMs: number,
): Record<string, FeatureValue>[] {
  const rows: Record<string, FeatureValue>[] = [];
  const byId = new Map(simulator.machines.map((machine) => [machine.id, machine]));
  for (let ts = fromMs; ts < toMs; ts += stepMs) {
    for (const reading of simulator.readingsAt(ts)) {
      const machine = byId.get(reading.asset);
      if (!machine) continue;
      const remaining = simulator.remainingLifeAt(machine, ts);
      rows.push({
        asset: machine.id,
        ...featureRow({ kind: machine.kind }, reading.metrics),
        failure_soon: remaining !== undefined && remaining <= FAILURE_HORIZON_MS ? 1 : 0,
        rul_hours: Math.min(RUL_CAP_HOURS, remaining === undefined ? RUL_CAP_HOURS : remaining / HOUR_MS),
      });
    }
  }
  return rows;
}

/**
 * Makes sure the default models exist: stores history when the fleet has none, then trains and activates every
 * default model without an active version. Training is synchronous CPU work (seconds); call it before serving.
 */
export async function ensureDefaultModels(options: DefaultModelsOptions): Promise<DefaultModelsResult> {
  const { store, registry, simulator, clock } = options;
  const log = options.log ?? (() => {});
  const result: DefaultModelsResult = { backfilled: 0, trained: [], reused: [], failed: [] };
  const missing: string[] = [];
  for (const name of [FAILURE_RISK_MODEL, RUL_MODEL]) {
    const active = await registry.getActive(name);
    if (active) result.reused.push(active.id);
    else missing.push(name);
  }
  const historyMs = options.historyMs ?? 12 * HOUR_MS;
  const machines = simulator.machines.length;
  const now = clock.now();
  const from = now - historyMs;
  let hasHistory = false;
  for (const machine of simulator.machines) {
    if ((await store.getAsset(machine.id))?.lastTs != null) {
      hasHistory = true;
      break;
    }
  }
  if (!hasHistory) {
    log(`storing ${Math.round(historyMs / HOUR_MS)} h of simulated history for ${simulator.machines.length} machines`);
    await store.upsertAssets(simulator.assets());
    const step =
      options.historyStepMs ??
      Math.max(15_000, Math.ceil((historyMs * machines) / MAX_BACKFILL_READINGS / 1000) * 1000);
    // On the live simulation's one-second grid, so the history and the live ticks never interleave off-grid.
    const gridFrom = Math.ceil(from / step) * step;
    result.backfilled = await backfill(store, simulator, gridFrom, now, step);
  }
  if (missing.length === 0) {
    log(`default models: ${result.reused.join(', ')} (trained at an earlier start)`);
    return result;
  }

  const sampleStep =
    options.sampleStepMs ?? Math.max(60_000, Math.ceil((historyMs * machines) / MAX_TRAINING_ROWS / 60_000) * 60_000);
  const rows = trainingRows(simulator, from, now, sampleStep);
  const frame = frameFromRows(rows);
  // Folds keep each machine on one side (no leak between a machine's neighbouring rows) when enough machines
  // failed in the window for every fold to see a failure; otherwise folds are stratified by the label.
  const failedMachines = new Set(rows.filter((row) => row.failure_soon === 1).map((row) => row.asset)).size;
  const groupColumn = failedMachines >= 2 * DEFAULT_FOLDS ? 'asset' : null;
  const specs: Record<string, TrainSpec> = {
    [FAILURE_RISK_MODEL]: {
      target: 'failure_soon',
      drop: ['rul_hours'],
      model: 'gbdt',
      task: 'classification',
      groupColumn,
      validation: { method: 'kfold', folds: DEFAULT_FOLDS },
      source: 'simulated fleet history',
    },
    [RUL_MODEL]: {
      target: 'rul_hours',
      drop: ['failure_soon'],
      model: 'gbdt',
      task: 'regression',
      groupColumn,
      validation: { method: 'kfold', folds: DEFAULT_FOLDS },
      source: 'simulated fleet history',
    },
  };
  for (const name of missing) {
    const started = Date.now();
    let lastLine = 0;
    log(`training ${name} on ${rows.length.toLocaleString('en-US')} rows of simulated history`);
    try {
      const trained = trainModel(frame, specs[name] as TrainSpec, {
        clock,
        onProgress: (progress) => {
          const at = Date.now();
          if (at - lastLine < 1000 && progress.completed < progress.total) return;
          lastLine = at;
          const percent = Math.round((100 * progress.completed) / Math.max(1, progress.total));
          log(`  ${name}: ${percent}% ${progress.message}`);
        },
      });
      const version = registryVersion(name, trained, clock.now(), true);
      const holdoutRows = trainingRows(simulator, from - historyMs / 2, from, sampleStep);
      const evaluation = holdoutEvaluation(trained, holdoutRows, specs[name]?.target as string);
      if (evaluation) version.card = { ...version.card, evaluation } as StoredJsonObject;
      const saved = await registry.saveVersion(version);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      log(`  ${saved.id} trained in ${seconds} s and active`);
      result.trained.push(saved.id);
    } catch (error) {
      // The server still starts: the dashboard shows the model as missing and one can be trained from it.
      const reason = error instanceof Error ? error.message : String(error);
      log(`  ${name} not trained: ${reason}`);
      result.failed.push(name);
    }
  }
  return result;
}

/** Every `step`-th index of `length`, always keeping the last: at most about `most` indices. */
function thin(length: number, most: number): number[] {
  const step = Math.max(1, Math.ceil(length / most));
  const kept: number[] = [];
  for (let i = 0; i < length; i += step) kept.push(i);
  if (length > 0 && kept[kept.length - 1] !== length - 1) kept.push(length - 1);
  return kept;
}

const round4 = (value: number) => Math.round(value * 1e4) / 1e4;

/**
 * What the dashboard draws for a default model, measured on a later-unseen stretch of simulated history (the
 * hours before the training window): ROC and precision–recall curves for the classifier, predicted against true
 * RUL for the regressor, and the gain importance of the features. Undefined when the stretch cannot be scored.
 */
export function holdoutEvaluation(
  trained: TrainedModel,
  rows: Record<string, FeatureValue>[],
  target: string,
): StoredJsonObject | undefined {
  if (rows.length === 0) return undefined;
  try {
    const frame = frameFromRows(rows);
    const truth = Float64Array.from(rows, (row) => Number(row[target]));
    const evaluation: StoredJsonObject = { rows: rows.length, source: 'simulated history before the training window' };
    try {
      const importance = trained.featureImportance('gain');
      evaluation.importance = Object.fromEntries(Object.entries(importance).map(([k, v]) => [k, round4(v)]));
    } catch {
      // not a tree model
    }
    const predicted = trained.predictFrame(frame);
    if (trained.task === 'classification' && predicted.probability) {
      const scores = predicted.probability;
      const roc = rocCurve(truth, scores);
      const pr = precisionRecallCurve(truth, scores);
      const rocKept = thin(roc.falsePositiveRate.length, 200);
      const prKept = thin(pr.recall.length, 200);
      evaluation.roc = {
        fpr: rocKept.map((i) => round4(roc.falsePositiveRate[i] as number)),
        tpr: rocKept.map((i) => round4(roc.truePositiveRate[i] as number)),
      };
      evaluation.pr = {
        recall: prKept.map((i) => round4(pr.recall[i] as number)),
        precision: prKept.map((i) => round4(pr.precision[i] as number)),
      };
      evaluation.positives = truth.reduce((sum, value) => sum + value, 0);
    } else {
      const kept = thin(truth.length, 600);
      evaluation.predicted_vs_true = {
        true: kept.map((i) => round4(truth[i] as number)),
        predicted: kept.map((i) => round4(predicted.prediction[i] as number)),
      };
    }
    return evaluation;
  } catch {
    return undefined;
  }
}
