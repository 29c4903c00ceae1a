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
import { type ModelRegistry, modelRegistry } from './registry.js';
import { readObject } from './serialisation.js';

/** Version of the saved bundle layout (`model.json`). */
export const TRAINED_MODEL_FORMAT_VERSION = 1;

/** What `predictFrame` returns: one value per input row. */
export interface FramePredictions {
  /** The predicted number, or for classifiers the predicted label (positive when probability ≥ the threshold). */
  prediction: Float64Array;
  /** Classifiers: probability of the positive class (the larger label). */
  probability?: Float64Array;
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
