import { describe, expect, it } from 'vitest';
import { expectState, resolveOptions } from '../anomaly/base.js';
import type { FitContext, VectorPoint } from '../base.js';
import { MultivariateDetector } from '../base.js';
import type { DesignMatrix } from '../input.js';
import { LinearRegression, type LinearRegressionState } from '../linear/linear-regression.js';
import { ModelRegistry, modelRegistry } from '../registry.js';
import { readObject } from '../serialisation.js';
import { conformanceChecks, streamingConformanceChecks } from './conformance.js';

/**
 * Checks a registered model may skip, with the reason. Keep this list short and every entry justified:
 * `{ ClassName: { checkName: 'why' } }`.
 */
const exemptions: Record<string, Record<string, string>> = {};

describe('conformance suite over every registered model', () => {
  it('covers at least the built-in linear models', () => {
    expect(modelRegistry.list().map((cls) => cls.className)).toEqual(
      expect.arrayContaining(['LinearRegression', 'LogisticRegression']),
    );
  });

  for (const cls of modelRegistry.list()) {
    const configs = cls.unitTestParams ?? [{}];
    configs.forEach((config, index) => {
      describe(`${cls.className} with options #${index} ${JSON.stringify(config)}`, () => {
        for (const check of conformanceChecks(cls, config, modelRegistry)) {
          const reason = exemptions[cls.className]?.[check.name];
          if (reason) it.skip(`${check.name} (exempt: ${reason})`, () => {});
          else it(check.name, () => check.run());
        }
      });
    });
  }
});

// The suite itself must catch broken models: each class below breaks one promise on purpose.

/** Loses precision when loading (float32 coefficients). */
class LossyLinear extends LinearRegression {
  static override readonly className: string = 'LossyLinear';
  protected override _restoreState(raw: unknown, schema: { featureCount?: number }): LinearRegressionState {
    const state = super._restoreState(raw, schema);
    return { ...state, coefficients: state.coefficients.map(Math.fround) };
  }
}

/** Remembers the previous fit (averages with the old coefficients). */
class LeakyLinear extends LinearRegression {
  static override readonly className: string = 'LeakyLinear';
  protected override _fit(X: DesignMatrix, y: Float64Array, context: FitContext): LinearRegressionState {
    const state = super._fit(X, y, context);
    const previous = this.fittedState;
    if (!previous) return state;
    return { ...state, coefficients: state.coefficients.map((value, j) => (value + previous.coefficients[j]) / 2) };
  }
}

/** Ignores column names at prediction time. */
class NameBlindLinear extends LinearRegression {
  static override readonly className: string = 'NameBlindLinear';
  protected override prepareInput(X: DesignMatrix): DesignMatrix {
    return { rows: X.rows, cols: 4, data: X.data.length === X.rows * 4 ? X.data : X.data.subarray(0, X.rows * 4) };
  }
}

interface ZScoreState {
  count: number;
  means: Record<string, number>;
  squares: Record<string, number>;
}

/** A tiny streaming detector (largest |z-score| over metrics, Welford updates) to exercise the streaming checks. */
class RunningZScore extends MultivariateDetector<{ minCount: number }, ZScoreState> {
  static override readonly className: string = 'RunningZScore';
  protected state: ZScoreState = { count: 0, means: {}, squares: {} };
  constructor(options: Partial<{ minCount: number }> = {}) {
    super(resolveOptions('RunningZScore', { minCount: 2 }, options));
  }
  protected learn(x: VectorPoint): void {
    const state = this.state;
    state.count++;
    for (const [metric, value] of Object.entries(x.metrics)) {
      const mean = state.means[metric] ?? 0;
      const delta = value - mean;
      state.means[metric] = mean + delta / state.count;
      state.squares[metric] = (state.squares[metric] ?? 0) + delta * (value - state.means[metric]);
    }
  }
  protected score(x: VectorPoint): number {
    const state = this.state;
    if (state.count < this.options.minCount) return 0;
    let largest = 0;
    for (const [metric, value] of Object.entries(x.metrics)) {
      const std = Math.sqrt((state.squares[metric] ?? 0) / (state.count - 1));
      if (std > 0) largest = Math.max(largest, Math.abs(value - (state.means[metric] ?? 0)) / std);
    }
    return largest;
  }
  protected getState(): ZScoreState {
    return structuredClone(this.state);
  }
  protected setState(raw: unknown): void {
    const object = expectState(raw, 'RunningZScore', ['count', 'means', 'squares']);
    this.state = {
      count: object.count as number,
      means: readObject(object.means, 'state.means') as Record<string, number>,
      squares: readObject(object.squares, 'state.squares') as Record<string, number>,
    };
  }
}

/** Loses precision when loading its running means. */
class LossyZScore extends RunningZScore {
  static override readonly className: string = 'LossyZScore';
  protected override setState(raw: unknown): void {
    super.setState(raw);
    for (const metric of Object.keys(this.state.means))
      this.state.means[metric] = Math.fround(this.state.means[metric]);
  }
}

/** Peeks at the point it scores: its score depends on the point being learned (look-ahead through the state). */
class PeekingZScore extends RunningZScore {
  static override readonly className: string = 'PeekingZScore';
  protected override score(x: VectorPoint): number {
    this.learn(x);
    return super.score(x);
  }
}

describe('the conformance suite catches broken models', () => {
  const registry = new ModelRegistry()
    .register(LinearRegression)
    .register(LossyLinear)
    .register(LeakyLinear)
    .register(NameBlindLinear);
  const run = (className: string, check: string) => {
    const found = conformanceChecks(registry.get(className), {}, registry).find(
      (candidate) => candidate.name === check,
    );
    if (!found) throw new Error(`no check ${check}`);
    return () => found.run();
  };

  it('passes a correct model', () => {
    for (const check of conformanceChecks(LinearRegression, {}, registry)) expect(check.run).not.toThrow();
  });

  it('fails a model whose loaded predictions differ in the last bits', () => {
    expect(run('LossyLinear', 'saveLoadRoundTrip')).toThrow(/loaded model \(predict\)\[\d+\]: .* differs from/);
  });

  it('fails a model whose fit depends on the previous fit', () => {
    expect(run('LeakyLinear', 'fitIdempotent')).toThrow(/refitted model \(predict\)/);
  });

  it('fails a model that ignores column names', () => {
    expect(run('NameBlindLinear', 'columnOrderByName')).toThrow(/permuted columns/);
  });

  const streamingRun = (cls: typeof RunningZScore, check: string) => {
    const found = streamingConformanceChecks(cls, {}).find((candidate) => candidate.name === check);
    if (!found) throw new Error(`no check ${check}`);
    return () => found.run();
  };

  it('runs the streaming checks on a correct detector', () => {
    for (const check of streamingConformanceChecks(RunningZScore, {})) expect(check.run).not.toThrow();
  });

  it('fails a detector whose loaded state scores differently', () => {
    expect(streamingRun(LossyZScore, 'saveLoadRoundTrip')).toThrow(/loaded detector scores/);
  });

  it('fails a detector that learns while scoring', () => {
    expect(streamingRun(PeekingZScore, 'scoringDoesNotLearn')).toThrow(/scored again/);
  });
});
