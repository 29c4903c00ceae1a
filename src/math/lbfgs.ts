/**
 * Limited-memory BFGS for smooth unconstrained minimisation, with a weak-Wolfe bisection line search (so every
 * accepted step satisfies the curvature condition and the inverse-Hessian estimate stays positive definite).
 * Per iteration: one or a few objective/gradient evaluations plus O(memory · dimension) work.
 * References: Nocedal & Wright, Numerical Optimization (2nd ed.), algorithms 7.4 (two-loop recursion) and 7.5;
 * Lewis & Overton, "Nonsmooth optimization via quasi-Newton methods" (2013), section 4.2, for the bisection search.
 */

/** Writes ∇f(x) into `gradient` and returns f(x). */
export type ObjectiveWithGradient = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when max |∂f/∂xᵢ| ≤ tolerance (default 1e-8). */
  tolerance?: number;
  maxIterations?: number;
  /** Number of correction pairs kept (default 10). */
  memory?: number;
  /** Called after each iteration with the iteration number and f. */
  onIteration?: (iteration: number, value: number) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** Why it stopped: 'gradient' (converged), 'maxIterations', or 'lineSearch' (no acceptable step: at rounding level). */
  reason: 'gradient' | 'maxIterations' | 'lineSearch';
}

function infinityNorm(values: Float64Array): number {
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]));
  return largest;
}

/**
 * Minimises f from `start`. O(iterations · (evaluation cost + memory · dimension)).
 *
 * @example
 * // f(x) = (x₀ − 1)² + 10 (x₁ + 2)²  →  minimum at [1, −2]
 * minimizeLbfgs((x, g) => { g[0] = 2 * (x[0] - 1); g[1] = 20 * (x[1] + 2); return (x[0] - 1) ** 2 + 10 * (x[1] + 2) ** 2; },
 *   new Float64Array(2)).x; // Float64Array [1.0000000035…, -2.00000000026…]
 */
export function minimizeLbfgs(
  objective: ObjectiveWithGradient,
  start: Float64Array,
  options: LbfgsOptions = {},
): LbfgsResult {
  const tolerance = options.tolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 1000;
  const memory = options.memory ?? 10;
  const size = start.length;

  const x = Float64Array.from(start);
  const gradient = new Float64Array(size);
  let value = objective(x, gradient);
  let evaluations = 1;

  const steps: Float64Array[] = [];
  const gradientChanges: Float64Array[] = [];
  const curvatures: number[] = [];
  const alphas = new Float64Array(memory);
  const direction = new Float64Array(size);
  const trial = new Float64Array(size);
  const trialGradient = new Float64Array(size);

  let iteration = 0;
  while (true) {
    if (infinityNorm(gradient) <= tolerance) {
      return { x, value, gradient, iterations: iteration, evaluations, converged: true, reason: 'gradient' };
    }
    if (iteration >= maxIterations) {
      return { x, value, gradient, iterations: iteration, evaluations, converged: false, reason: 'maxIterations' };
    }

    // Two-loop recursion: direction = −H·g.
    for (let i = 0; i < size; i++) direction[i] = -gradient[i];
    for (let k = steps.length - 1; k >= 0; k--) {
      let projection = 0;
      for (let i = 0; i < size; i++) projection += steps[k][i] * direction[i];
      alphas[k] = projection / curvatures[k];
      for (let i = 0; i < size; i++) direction[i] -= alphas[k] * gradientChanges[k][i];
    }
    if (steps.length > 0) {
      const last = steps.length - 1;
      let changeSquared = 0;
      for (let i = 0; i < size; i++) changeSquared += gradientChanges[last][i] ** 2;
      const scale = curvatures[last] / changeSquared;
      for (let i = 0; i < size; i++) direction[i] *= scale;
    } else {
      const norm = infinityNorm(gradient);
      for (let i = 0; i < size; i++) direction[i] /= Math.max(1, norm);
    }
    for (let k = 0; k < steps.length; k++) {
      let projection = 0;
      for (let i = 0; i < size; i++) projection += gradientChanges[k][i] * direction[i];
      const beta = projection / curvatures[k];
      for (let i = 0; i < size; i++) direction[i] += steps[k][i] * (alphas[k] - beta);
    }

    let slope = 0;
    for (let i = 0; i < size; i++) slope += gradient[i] * direction[i];
    if (!(slope < 0)) {
      // Not a descent direction (rounding): restart from steepest descent.
      steps.length = 0;
      gradientChanges.length = 0;
      curvatures.length = 0;
      for (let i = 0; i < size; i++) direction[i] = -gradient[i];
      slope = -Array.from(gradient).reduce((sum, g) => sum + g * g, 0);
    }

    // Weak Wolfe line search by bracketing and bisection.
    let lower = 0;
    let upper = Number.POSITIVE_INFINITY;
    let step = 1;
    let accepted = false;
    let trialValue = value;
    for (let attempt = 0; attempt < 60; attempt++) {
      for (let i = 0; i < size; i++) trial[i] = x[i] + step * direction[i];
      trialValue = objective(trial, trialGradient);
      evaluations++;
      let trialSlope = 0;
      for (let i = 0; i < size; i++) trialSlope += trialGradient[i] * direction[i];
      if (!(trialValue <= value + 1e-4 * step * slope)) upper = step;
      else if (trialSlope < 0.9 * slope) lower = step;
      else {
        accepted = true;
        break;
      }
      step = Number.isFinite(upper) ? (lower + upper) / 2 : 2 * lower;
    }
    if (!accepted) {
      return { x, value, gradient, iterations: iteration, evaluations, converged: false, reason: 'lineSearch' };
    }

    const stepVector = new Float64Array(size);
    const changeVector = new Float64Array(size);
    let curvature = 0;
    for (let i = 0; i < size; i++) {
      stepVector[i] = trial[i] - x[i];
      changeVector[i] = trialGradient[i] - gradient[i];
      curvature += stepVector[i] * changeVector[i];
    }
    if (curvature > 0) {
      if (steps.length === memory) {
        steps.shift();
        gradientChanges.shift();
        curvatures.shift();
      }
      steps.push(stepVector);
      gradientChanges.push(changeVector);
      curvatures.push(curvature);
    }
    x.set(trial);
    gradient.set(trialGradient);
    value = trialValue;
    iteration++;
    options.onIteration?.(iteration, value);
  }
}
