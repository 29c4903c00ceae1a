import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from './lbfgs.js';

describe('minimizeLbfgs', () => {
  it('finds the minimum of an ill-scaled quadratic', () => {
    // f(x) = (x₀ − 1)² + 100 (x₁ + 2)² + 0.01 (x₂ − 3)²: minimum at [1, −2, 3] (by inspection)
    const result = minimizeLbfgs(
      (x, g) => {
        g[0] = 2 * (x[0] - 1);
        g[1] = 200 * (x[1] + 2);
        g[2] = 0.02 * (x[2] - 3);
        return (x[0] - 1) ** 2 + 100 * (x[1] + 2) ** 2 + 0.01 * (x[2] - 3) ** 2;
      },
      new Float64Array(3),
      { tolerance: 1e-12 },
    );
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 9);
    expect(result.x[1]).toBeCloseTo(-2, 9);
    expect(result.x[2]).toBeCloseTo(3, 9);
  });

  it('minimises the Rosenbrock function', () => {
    // f(a, b) = (1 − a)² + 100 (b − a²)²: minimum at [1, 1] (Rosenbrock 1960)
    const result = minimizeLbfgs(
      (x, g) => {
        const [a, b] = x;
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.from([-1.2, 1]),
      { tolerance: 1e-10, maxIterations: 500 },
    );
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 7);
    expect(result.x[1]).toBeCloseTo(1, 7);
  });

  it('reports hitting the iteration limit', () => {
    const result = minimizeLbfgs(
      (x, g) => {
        g[0] = 2 * x[0];
        return x[0] * x[0];
      },
      Float64Array.from([5]),
      { maxIterations: 0 },
    );
    expect(result).toMatchObject({ converged: false, reason: 'maxIterations', iterations: 0 });
  });
});
