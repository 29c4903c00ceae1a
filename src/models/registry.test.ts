import { describe, expect, it } from 'vitest';
import { NotFittedError, NotFoundError, ValidationError } from '../core/errors.js';
import { designMatrix } from './input.js';
import { LinearRegression } from './linear/linear-regression.js';
import { LogisticRegression } from './linear/logistic-regression.js';
import { ModelRegistry, modelRegistry } from './registry.js';

describe('model registry', () => {
  it('creates models by class name with options and loads saved ones', () => {
    const model = modelRegistry.create('LinearRegression', { ridge: 0.5 });
    expect(model).toBeInstanceOf(LinearRegression);
    expect(model.getConfig()).toMatchObject({ ridge: 0.5, fitIntercept: true });
    (model as LinearRegression).fit(designMatrix([[0], [1], [2]], ['age']), [1, 2, 4]);
    const loaded = modelRegistry.load(JSON.parse(JSON.stringify(model)));
    expect(loaded).toBeInstanceOf(LinearRegression);
    expect((loaded as LinearRegression).featureNames).toEqual(['age']);
    expect(LinearRegression.fromJSON(JSON.parse(JSON.stringify(model))).state.coefficients).toEqual(
      (model as LinearRegression).state.coefficients,
    );
  });

  it('loads an unfitted model as unfitted', () => {
    const loaded = modelRegistry.load(JSON.parse(JSON.stringify(new LogisticRegression({ C: 3 }))));
    expect(loaded.getConfig()).toMatchObject({ C: 3 });
    expect(() => (loaded as LogisticRegression).predict(designMatrix([[1]]))).toThrow(NotFittedError);
  });

  it('explains unknown classes, wrong classes and malformed artifacts', () => {
    expect(() => modelRegistry.create('Prophet')).toThrow(NotFoundError);
    expect(() => modelRegistry.create('Prophet')).toThrow(
      /^no model class 'Prophet' is registered \(known: .*LinearRegression/,
    );
    const saved = JSON.parse(JSON.stringify(new LinearRegression().fit(designMatrix([[0], [1]]), [0, 1])));
    expect(() => LogisticRegression.fromJSON(saved)).toThrow(
      /^artifact\.className must be 'LogisticRegression', got "LinearRegression"$/,
    );
    expect(() => modelRegistry.load({ ...saved, formatVersion: 99 })).toThrow(
      /^artifact\.formatVersion must be 1, got 99$/,
    );
    expect(() => modelRegistry.load({ ...saved, state: { ...saved.state, coefficients: [1] } })).toThrow(
      ValidationError,
    );
    expect(() => modelRegistry.load('nonsense')).toThrow(/^artifact must be an object, got string$/);
  });

  it('refuses two different classes under one name', () => {
    class Impostor extends LinearRegression {}
    expect(() => new ModelRegistry().register(LinearRegression).register(Impostor)).toThrow(
      /^a different model class is already registered as 'LinearRegression'$/,
    );
  });
});
