import { describeValue, ValidationError } from '../../core/errors.js';
import { SensorNormaliser, type SensorNormaliserState } from '../../features/normalise-sensors.js';
import { rulTargets } from '../../features/rul-targets.js';
import type { UnitSeries } from '../../features/windows.js';
import type { CmapssUnit } from '../../io/cmapss.js';
import { type JsonObject, readObject } from '../serialisation.js';
import { EnsembleRulEstimator } from './ensemble.js';
import type { RulEstimator, RulWindow } from './estimator.js';
import { loadSequenceModel, readSequenceInput, SequenceRulEstimator } from './sequence-adapter.js';
import { WindowGbdtEstimator } from './window-gbdt.js';

/**
 * A trained remaining-useful-life model as the product uses it: the fitted sensor normaliser (constant sensors
 * dropped, per-condition z-scores), the window geometry, the RUL cap, and the estimator (window-statistics trees or
 * a sequence model), with its card. Takes raw unit histories and answers per unit: the RUL at its last cycle and an
 * interval; or per cycle over a unit's life.
 */

/** Version of the saved layout. */
export const RUL_MODEL_FORMAT_VERSION = 1;

/** Unit histories over named columns: C-MAPSS data, or an asset's stored readings framed the same way. */
export interface RunData {
  columns: readonly string[];
  units: readonly CmapssUnit[];
}

export interface RulPipelineConfig {
  window: RulWindow;
  /** Targets were min(RUL, cap). */
  cap: number;
  /** Central interval level, e.g. 0.9. */
  level: number;
  /** Columns the pipeline reads (conditions and sensors). */
  inputColumns: string[];
  /** Normalised sensors the estimator sees, in order. */
  sensors: string[];
}

/** Validation of a RUL model on held-out engines. */
export interface RulValidation {
  method: 'engine-holdout' | 'none';
  fraction: number;
  seed: number;
  trainUnits: number;
  validationUnits: number;
  /** Every window of the held-out engines against the capped target. */
  windows: { count: number; rmse: number; mae: number; coverage: number } | null;
  /**
   * The held-out engines cut at a seeded random cycle at most 145 cycles before failure, as in the C-MAPSS test
   * files, scored at the cut: RMSE
   * against the capped and the true RUL, PHM08 score against the true RUL.
   */
  truncated: { units: number; rmse: number; rmseUncapped: number; phm08: number } | null;
}

/** What a RUL model is and how well it did; saved with it and printed by `upkeep train`. */
export interface RulCard {
  kind: string;
  task: 'rul';
  libraryVersion: string;
  /** ISO 8601 time the model was trained. */
  created: string;
  source?: string;
  trainingData: { units: number; rows: number };
  window: RulWindow;
  cap: number;
  level: number;
  sensors: string[];
  droppedColumns: string[];
  conditions: number;
  parameters: JsonObject;
  validation: RulValidation;
  /** Wall-clock seconds of the whole training (fits, validation, refit). */
  trainingSeconds: number;
  /** Epochs (sequence models) or boosting rounds (trees) run. */
  epochs?: number;
  /** The final model was refitted on all engines after validation (trees). */
  refit: boolean;
  intervalSource: string;
  warnings: string[];
}

/** The RUL of one unit at its last cycle. */
export interface UnitRul {
  unit: number;
  /** Last cycle seen. */
  cycle: number;
  rul: number;
  lower: number;
  upper: number;
  /** The unit's true RUL at its last cycle when known (test data paired with a RUL file; 0 for training units). */
  trueRul: number;
}

/** Predictions at every cycle of one unit from the first full window on. */
export interface RulTrajectory {
  unit: number;
  cycles: Float64Array;
  rul: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** True RUL at each cycle (uncapped). */
  trueRul: Float64Array;
}

/** The saved form (`model.json` of a RUL model directory). */
export interface RulPipelineJson {
  format: 'upkeep-rul-model';
  formatVersion: number;
  card: RulCard;
  config: RulPipelineConfig;
  normaliser: SensorNormaliserState;
  estimator: JsonObject;
}

function columnIndex(columns: readonly string[], name: string): number {
  const index = columns.indexOf(name);
  if (index < 0) {
    throw new ValidationError(`the data has no column '${name}' (the model reads ${describeValue(columns)})`, [
      { path: name, message: 'missing column' },
    ]);
  }
  return index;
}

export class RulPipeline {
  constructor(
    readonly normaliser: SensorNormaliser,
    readonly config: RulPipelineConfig,
    readonly estimator: RulEstimator,
    readonly card: RulCard,
  ) {}

  get kind(): string {
    return this.estimator.kind;
  }

  /** Columns new data must carry: the sensors, and the condition columns when there is more than one condition. */
  get requiredColumns(): string[] {
    const state = this.normaliser.toJSON();
    return state.centres.length > 1
      ? [...new Set([...state.conditionColumns, ...this.config.sensors])]
      : [...this.config.sensors];
  }

  /**
   * Normalised sensor series of each unit, with capped targets (`rulAtEnd` gives each unit's RUL at its last row).
   * O(rows × columns).
   */
  series(data: RunData, cap = this.config.cap): UnitSeries[] {
    for (const name of this.config.inputColumns) columnIndex(data.columns, name);
    return data.units.map((unit) => {
      const normalised = this.normaliser.transform(unit.values, data.columns);
      const picks = this.config.sensors.map((name) => columnIndex(normalised.columns, name));
      const rows = unit.cycles.length;
      const width = normalised.columns.length;
      const values = new Float64Array(rows * picks.length);
      for (let row = 0; row < rows; row++) {
        for (let k = 0; k < picks.length; k++)
          values[row * picks.length + k] = normalised.values[row * width + picks[k]];
      }
      return { unit: unit.unit, values, targets: rulTargets(unit.cycles, unit.rulAtEnd, { cap }) };
    });
  }

  /** Each unit's RUL at its last cycle, with the interval. O(units × window × sensors) plus the model. */
  async predictUnits(data: RunData): Promise<UnitRul[]> {
    if (data.units.length === 0) return [];
    const predicted = await this.estimator.predict(this.series(data), this.config.sensors, true);
    return data.units.map((unit, index) => ({
      unit: unit.unit,
      cycle: unit.cycles[unit.cycles.length - 1],
      rul: predicted.mean[index],
      lower: predicted.lower[index],
      upper: predicted.upper[index],
      trueRul: unit.rulAtEnd,
    }));
  }

  /** Predictions over the life of `unit`, at each cycle where a window ends (one window for a unit shorter than one). */
  async trajectory(data: RunData, unitId: number): Promise<RulTrajectory> {
    const unit = data.units.find((candidate) => candidate.unit === unitId);
    if (!unit) {
      throw new ValidationError(
        `unit ${describeValue(unitId)} is not in the data (units ${data.units[0]?.unit}…${data.units.at(-1)?.unit})`,
        [{ path: 'unit', message: 'unknown unit' }],
      );
    }
    const one: RunData = { columns: data.columns, units: [unit] };
    const [series] = this.series(one);
    // Windows end every training stride (every cycle with the default stride 1).
    const predicted = await this.estimator.predict([series], this.config.sensors, false);
    const trueRul = rulTargets(unit.cycles, unit.rulAtEnd, { cap: Number.POSITIVE_INFINITY });
    return {
      unit: unit.unit,
      cycles: Float64Array.from(predicted.endRows, (row) => unit.cycles[row]),
      rul: predicted.mean,
      lower: predicted.lower,
      upper: predicted.upper,
      trueRul: Float64Array.from(predicted.endRows, (row) => trueRul[row]),
    };
  }

  toJSON(): RulPipelineJson {
    return {
      format: 'upkeep-rul-model',
      formatVersion: RUL_MODEL_FORMAT_VERSION,
      card: structuredClone(this.card),
      config: structuredClone(this.config),
      normaliser: this.normaliser.toJSON(),
      estimator: this.estimator.toJSON(),
    };
  }

  /** Whether `value` looks like a saved RUL model (so callers can tell it from a tabular one). */
  static isRulJson(value: unknown): boolean {
    return value !== null && typeof value === 'object' && (value as { format?: unknown }).format === 'upkeep-rul-model';
  }

  /** Rebuilds a pipeline from `toJSON()` output; `ValidationError` names a bad field. */
  static async fromJSON(value: unknown): Promise<RulPipeline> {
    const object = readObject(value, 'model.json');
    if (object.format !== 'upkeep-rul-model') {
      throw new ValidationError(`model.json: format must be 'upkeep-rul-model', got ${describeValue(object.format)}`);
    }
    if (object.formatVersion !== RUL_MODEL_FORMAT_VERSION) {
      throw new ValidationError(
        `model.json: formatVersion must be ${RUL_MODEL_FORMAT_VERSION}, got ${describeValue(object.formatVersion)}`,
      );
    }
    const config = readConfig(object.config);
    const card = readObject(object.card, 'model.json card') as unknown as RulCard;
    const normaliser = SensorNormaliser.fromJSON(object.normaliser as SensorNormaliserState);
    const estimatorJson = readObject(object.estimator, 'model.json estimator') as JsonObject;
    let estimator: RulEstimator;
    if (estimatorJson.kind === 'gbdt') {
      estimator = WindowGbdtEstimator.fromJSON(estimatorJson);
    } else if (estimatorJson.kind === 'ensemble') {
      if (!Array.isArray(estimatorJson.trees)) throw new ValidationError('model.json estimator.trees must be a list');
      const trees = estimatorJson.trees.map((member) => WindowGbdtEstimator.fromJSON(member));
      const sequenceJson = estimatorJson.sequence;
      const sequence =
        sequenceJson === null || sequenceJson === undefined
          ? undefined
          : await readSequence(
              readObject(sequenceJson, 'model.json estimator.sequence') as JsonObject,
              readWindow((sequenceJson as JsonObject).window),
              config.level,
            );
      estimator = EnsembleRulEstimator.fromJSON(estimatorJson, trees, sequence);
    } else {
      estimator = await readSequence(estimatorJson, config.window, config.level);
    }
    return new RulPipeline(normaliser, config, estimator, card);
  }
}

async function readSequence(json: JsonObject, window: RulWindow, level: number): Promise<SequenceRulEstimator> {
  const model = await loadSequenceModel(readObject(json.model, 'model.json estimator.model') as JsonObject);
  return new SequenceRulEstimator(model, window, level, readSequenceInput(json.input));
}

function readWindow(raw: unknown): RulWindow {
  const window = readObject(raw, 'model.json estimator.sequence.window') as unknown as RulWindow;
  if (!Number.isInteger(window.length) || window.length < 1 || !Number.isInteger(window.stride) || window.stride < 1) {
    throw new ValidationError('model.json estimator.sequence.window: length and stride must be positive integers');
  }
  return { length: window.length, stride: window.stride };
}

function readConfig(raw: unknown): RulPipelineConfig {
  const config = readObject(raw, 'model.json config') as unknown as RulPipelineConfig;
  const window = config.window;
  const strings = (values: unknown) => Array.isArray(values) && values.every((value) => typeof value === 'string');
  if (
    window === null ||
    typeof window !== 'object' ||
    !Number.isInteger(window.length) ||
    window.length < 1 ||
    !Number.isInteger(window.stride) ||
    window.stride < 1 ||
    !(config.cap > 0) ||
    !(config.level > 0 && config.level < 1) ||
    !strings(config.inputColumns) ||
    !strings(config.sensors) ||
    config.sensors.length === 0
  ) {
    throw new ValidationError('model.json config: malformed (window, cap, level, inputColumns, sensors)');
  }
  return structuredClone(config);
}
