/**
 * Model classes by name, so a saved artifact (`{className, config, schema, state}`) loads without the caller knowing
 * its class, and the CLI/API can create a model from a name and options. Every built-in model is listed in
 * `builtInModels`; the conformance suite (`checks/conformance.test.ts`) runs over all of them.
 */

import { describeValue, NotFoundError, ValidationError } from '../core/errors.js';
import { type AnyModel, type ModelArtifact, type ModelClass, restoreModel } from './base.js';
import { LinearRegression } from './linear/linear-regression.js';
import { LogisticRegression } from './linear/logistic-regression.js';
import { readObject } from './serialisation.js';
import { GbdtClassifier } from './trees/gbdt-classifier.js';
import { GbdtRegressor } from './trees/gbdt-regressor.js';

/** A name → class table. */
export class ModelRegistry {
  private readonly classes = new Map<string, ModelClass>();

  /** Adds a class under its static `className`; a second class with the same name is an error. */
  register(cls: ModelClass): this {
    const name = cls.className;
    if (typeof name !== 'string' || name.length === 0 || name === 'Model') {
      throw new ValidationError(`a model class needs its own static className, got ${describeValue(name)}`);
    }
    const existing = this.classes.get(name);
    if (existing && existing !== cls)
      throw new ValidationError(`a different model class is already registered as '${name}'`);
    this.classes.set(name, cls);
    return this;
  }

  has(className: string): boolean {
    return this.classes.has(className);
  }

  /** The class registered as `className`; `NotFoundError` listing the known names otherwise. */
  get(className: string): ModelClass {
    const cls = this.classes.get(className);
    if (!cls) {
      throw new NotFoundError(
        `no model class '${className}' is registered (known: ${[...this.classes.keys()].sort().join(', ')})`,
      );
    }
    return cls;
  }

  /** Registered classes in registration order. */
  list(): ModelClass[] {
    return [...this.classes.values()];
  }

  /** A new, unfitted model of class `className` with the given options. */
  create(className: string, config: object = {}): AnyModel {
    return new (this.get(className) as unknown as new (options: object) => AnyModel)(config);
  }

  /** Rebuilds a model from `toJSON()` output (or its JSON-parsed form). */
  load(artifact: ModelArtifact | unknown): AnyModel {
    const object = readObject(artifact, 'artifact');
    if (typeof object.className !== 'string') {
      throw new ValidationError(`artifact.className must be a string, got ${describeValue(object.className)}`);
    }
    return restoreModel(this.get(object.className), artifact);
  }
}

/** Every model that ships with Upkeep. Add new model classes here. */
export const builtInModels: readonly ModelClass[] = [
  LinearRegression,
  LogisticRegression,
  GbdtClassifier,
  GbdtRegressor,
];

/** The registry with all built-in models. */
export const modelRegistry = new ModelRegistry();
for (const cls of builtInModels) modelRegistry.register(cls);
