/**
 * A trained model as the product uses it: the fitted preprocessing pipeline, the fitted model and its model card,
 * together. `predictFrame` takes raw rows (a CSV file, JSON rows) and returns predictions; `toJSON`/`fromJSON` give
 * the saved form (see artifact.ts), which predicts bit-identically after loading.
 */
import { describeValue, UnprocessableError, ValidationError } from '../core/errors.js';
import type { PreprocessState } from '../features/preprocess.js';
import { Preprocessor } from '../features/preprocess.js';
import type { Frame } from '../io/frame.js';
import { type AnyModel, Classifier, type ModelArtifact, SupervisedModel, type Task } from './base.js';
import { type ModelCard, parseModelCard } from './card.js';
import type { DesignMatrix } from './input.js';
import { type ModelRegistry, modelRegistry } from './registry.js';
import { readObject } from './serialisation.js';
import { GbdtClassifier } from './trees/gbdt-classifier.js';
import { GbdtRegressor } from './trees/gbdt-regressor.js';
import type { ImportanceType } from './trees/importance.js';

/** Version of the saved bundle layout (`model.json`). */
export const TRAINED_MODEL_FORMAT_VERSION = 1;

/** What `predictFrame` returns: one value per input row. */
export interface FramePredictions {
  /** The predicted number, or for classifiers the predicted label (positive when probability ≥ the threshold). */
  prediction: Float64Array;
  /** Classifiers: probability of the positive class (the larger label). */
  probability?: Float64Array;
}

/** One feature's signed share of a row's margin (log-odds for classifiers, the unclipped prediction otherwise). */
export interface FeatureContribution {
  feature: string;
  value: number;
}

/** Why a row got its prediction: the bias plus every feature's contribution is the row's margin. */
export interface RowExplanation {
  /** The largest contributions by absolute value (non-zero only), largest first. */
  contributions: FeatureContribution[];
  /** The margin of a row with no feature information: the model's expected margin (trees) or its intercept. */
  bias: number;
  /** bias + the sum of ALL contributions (not only the top ones). */
  margin: number;
}

/** Every feature's contribution per row, row-major (rows × features), with the bias per row. */
interface ContributionTable {
  features: readonly string[];
  values: Float64Array;
  bias: Float64Array;
}

/** The saved form of a `TrainedModel`. */
export interface TrainedModelJson {
  format: 'upkeep-model';
  formatVersion: number;
  card: ModelCard;
  preprocessing: PreprocessState;
  model: ModelArtifact;
}

type AnySupervised = SupervisedModel<object, object>;

/** The probability of the positive class from a binary classifier's probability matrix. */
function positiveColumn(model: Classifier<object, object>, frame: ReturnType<Preprocessor['transform']>): Float64Array {
  const probabilities = model.predictProba(frame);
  const positive = new Float64Array(probabilities.rows);
  for (let i = 0; i < probabilities.rows; i++) positive[i] = probabilities.data[i * probabilities.cols + 1] as number;
  return positive;
}

export class TrainedModel {
  constructor(
    readonly preprocessor: Preprocessor,
    readonly model: AnySupervised,
    readonly card: ModelCard,
  ) {
    if (!preprocessor.fitted) throw new ValidationError('a trained model needs a fitted preprocessor');
    if (!model.isFitted) throw new ValidationError('a trained model needs a fitted model');
    if (card.task === 'classification') {
      if (!(model instanceof Classifier)) {
        throw new ValidationError(`card.task is classification but ${model.className} is not a classifier`);
      }
      if (
        model.classes.length !== 2 ||
        !card.classes ||
        model.classes.some((label, k) => label !== card.classes?.[k])
      ) {
        throw new ValidationError(
          `card.classes ${describeValue(card.classes)} must equal the model's classes ${describeValue(model.classes)}`,
        );
      }
    }
    const names = preprocessor.featureNames;
    if (names.length !== card.featureNames.length || names.some((name, j) => name !== card.featureNames[j])) {
      throw new ValidationError('card.featureNames must equal the preprocessing output features');
    }
  }

  get task(): Task {
    return this.card.task;
  }

  /** Classifiers: the decision threshold on the positive-class probability (0.5 when none was chosen). */
  get threshold(): number {
    return this.card.threshold ?? 0.5;
  }

  /** The label predicted when the probability reaches the threshold (classifiers). */
  get positiveLabel(): number | undefined {
    return this.card.classes?.[1];
  }

  /**
   * Predictions for raw rows holding (at least) the card's input columns, in any order; other columns are ignored.
   * A missing input column is an `UnprocessableError` naming it. O(rows × features).
   */
  predictFrame(frame: Frame): FramePredictions {
    if (frame.rowCount === 0)
      return this.task === 'classification'
        ? { prediction: new Float64Array(0), probability: new Float64Array(0) }
        : { prediction: new Float64Array(0) };
    const X = this.preprocessor.transform(frame);
    if (this.model instanceof Classifier) {
      const probability = positiveColumn(this.model, X);
      const [negative, positive] = this.card.classes as [number, number];
      const threshold = this.threshold;
      const prediction = new Float64Array(probability.length);
      for (let i = 0; i < probability.length; i++) {
        prediction[i] = (probability[i] as number) >= threshold ? positive : negative;
      }
      return { prediction, probability };
    }
    return { prediction: this.model.predict(X) };
  }

  /**
   * Importance per feature, largest first, for tree models: 'gain' (mean loss reduction per split, default) or the
   * other types of `importance.ts`. `UnprocessableError` for other models. O(nodes).
   */
  featureImportance(type: ImportanceType = 'gain'): Record<string, number> {
    if (this.model instanceof GbdtClassifier || this.model instanceof GbdtRegressor) {
      return this.model.featureImportance(type);
    }
    throw new UnprocessableError(`model ${this.model.className} has no feature importance (gbdt models do)`, [
      { path: 'model', message: 'not a tree model' },
    ]);
  }

  /** Whether `explain` works for this model: gradient-boosted trees and binary linear models. */
  get explainable(): boolean {
    return (
      this.linearTerms() !== undefined || this.model instanceof GbdtClassifier || this.model instanceof GbdtRegressor
    );
  }

  /**
   * Per row, the `top` largest feature contributions to the margin (log-odds for classifiers, the prediction before
   * RUL clipping for regressors) and the bias; bias + all contributions = margin exactly. Trees: exact TreeSHAP
   * (Lundberg et al., "Consistent Individualized Feature Attribution for Tree Ensembles", 2018). Linear models:
   * coefficient × preprocessed (standardised) value, bias = intercept. Features are the preprocessing outputs
   * (one-hot levels are features of their own). `UnprocessableError` for a model that gives no explanations.
   * O(rows · trees · leaves · depth²) for trees, O(rows · features) for linear models.
   */
  explain(frame: Frame, top = 3): RowExplanation[] {
    if (!(Number.isInteger(top) && top >= 1) && top !== Number.POSITIVE_INFINITY) {
      throw new ValidationError(`top must be a whole number ≥ 1, got ${describeValue(top)}`, [
        { path: 'top', message: 'not a whole number ≥ 1' },
      ]);
    }
    if (frame.rowCount === 0) {
      this.requireExplainable();
      return [];
    }
    const table = this.contributionTable(this.preprocessor.transform(frame));
    const width = table.features.length;
    const rows: RowExplanation[] = [];
    for (let i = 0; i < frame.rowCount; i++) {
      const bias = table.bias[i] as number;
      let margin = bias;
      const entries: FeatureContribution[] = [];
      for (let j = 0; j < width; j++) {
        const value = table.values[i * width + j] as number;
        margin += value;
        if (value !== 0) entries.push({ feature: table.features[j] as string, value });
      }
      entries.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
      rows.push({ contributions: entries.slice(0, top), bias, margin });
    }
    return rows;
  }

  private requireExplainable(): void {
    if (!this.explainable) {
      throw new UnprocessableError(
        `model ${this.model.className} gives no explanations (gbdt, linear and two-class logistic models do)`,
        [{ path: 'explain', message: 'not supported by this model' }],
      );
    }
  }

  /** Intercept and coefficients (in feature order) of a linear model with one output, from its summary. */
  private linearTerms(): { intercept: number; coefficients: Float64Array } | undefined {
    if (this.model instanceof GbdtClassifier || this.model instanceof GbdtRegressor) return undefined;
    const summary = this.model.summary();
    const { intercept, coefficients } = summary;
    if (typeof intercept !== 'number' || coefficients === null || typeof coefficients !== 'object') return undefined;
    if (Array.isArray(coefficients)) return undefined;
    const names = this.card.featureNames;
    const values = new Float64Array(names.length);
    for (let j = 0; j < names.length; j++) {
      const value = coefficients[names[j] as string];
      if (typeof value !== 'number') return undefined;
      values[j] = value;
    }
    return { intercept, coefficients: values };
  }

  private contributionTable(X: DesignMatrix): ContributionTable {
    const features = this.card.featureNames;
    if (this.model instanceof GbdtClassifier || this.model instanceof GbdtRegressor) {
      const explanation = this.model.explain(X);
      if (explanation.outputs !== 1) {
        throw new UnprocessableError(
          `model ${this.model.className} has ${explanation.outputs} outputs: explained are models with one`,
        );
      }
      const width = explanation.features + 1;
      const values = new Float64Array(X.rows * explanation.features);
      const bias = new Float64Array(X.rows);
      for (let i = 0; i < X.rows; i++) {
        for (let j = 0; j < explanation.features; j++) {
          values[i * explanation.features + j] = explanation.data[i * width + j] as number;
        }
        bias[i] = explanation.data[i * width + explanation.features] as number;
      }
      return { features: explanation.featureNames, values, bias };
    }
    const terms = this.linearTerms();
    if (!terms) {
      this.requireExplainable();
      throw new UnprocessableError(`model ${this.model.className} gives no explanations`);
    }
    const width = features.length;
    const values = new Float64Array(X.rows * width);
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < width; j++) {
        values[i * width + j] = (terms.coefficients[j] as number) * (X.data[i * X.cols + j] as number);
      }
    }
    return { features, values, bias: new Float64Array(X.rows).fill(terms.intercept) };
  }

  /** The saved form: card, pipeline and model artifact, all plain JSON. */
  toJSON(): TrainedModelJson {
    return {
      format: 'upkeep-model',
      formatVersion: TRAINED_MODEL_FORMAT_VERSION,
      card: structuredClone(this.card),
      preprocessing: this.preprocessor.toJSON(),
      model: this.model.toJSON(),
    };
  }

  /** Rebuilds a trained model from `toJSON()` output after a JSON round trip; `ValidationError` names a bad field. */
  static fromJSON(value: unknown, registry: ModelRegistry = modelRegistry): TrainedModel {
    const object = readObject(value, 'model.json');
    if (object.format !== 'upkeep-model') {
      throw new ValidationError(`model.json: format must be 'upkeep-model', got ${describeValue(object.format)}`);
    }
    if (object.formatVersion !== TRAINED_MODEL_FORMAT_VERSION) {
      throw new ValidationError(
        `model.json: formatVersion must be ${TRAINED_MODEL_FORMAT_VERSION}, got ${describeValue(object.formatVersion)}`,
      );
    }
    const card = parseModelCard(object.card);
    const preprocessor = Preprocessor.fromJSON(object.preprocessing);
    const model: AnyModel = registry.load(object.model);
    if (!(model instanceof SupervisedModel)) {
      throw new UnprocessableError(`model.json: ${model.className} is not a supervised model`);
    }
    if (model.className !== card.className) {
      throw new ValidationError(
        `model.json: card.className '${card.className}' does not match the model '${model.className}'`,
      );
    }
    return new TrainedModel(preprocessor, model as AnySupervised, card);
  }
}
