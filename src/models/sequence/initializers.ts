/**
 * Seeded weight initialisers (the Keras defaults): Glorot-uniform input kernels, orthogonal recurrent kernels, zero
 * biases. They draw from the project's `Rng`, so the same seed gives the same starting weights on any backend.
 */

import type { Rng } from '../../core/rng.js';

/** Glorot & Bengio (2010) uniform: U(−l, l) with l = √(6 / (fanIn + fanOut)); row-major `fanIn × fanOut`. */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number, columns = fanOut): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(fanIn * columns);
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng.next() - 1) * limit;
  return values;
}

/**
 * A `rows × columns` matrix with orthonormal rows or columns (Saxe et al. 2014): modified Gram–Schmidt on a standard
 * normal matrix, over its longer side. O(rows × columns × min(rows, columns)).
 */
export function orthogonal(rng: Rng, rows: number, columns: number): Float32Array {
  const transposed = rows < columns;
  const tall = transposed ? columns : rows;
  const wide = transposed ? rows : columns;
  const vectors: Float64Array[] = [];
  for (let v = 0; v < wide; v++) {
    const vector = new Float64Array(tall);
    for (let i = 0; i < tall; i++) vector[i] = rng.normal();
    for (const previous of vectors) {
      let dot = 0;
      for (let i = 0; i < tall; i++) dot += vector[i] * previous[i];
      for (let i = 0; i < tall; i++) vector[i] -= dot * previous[i];
    }
    let norm = 0;
    for (let i = 0; i < tall; i++) norm += vector[i] * vector[i];
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < tall; i++) vector[i] /= norm;
    vectors.push(vector);
  }
  const values = new Float32Array(rows * columns);
  for (let v = 0; v < wide; v++) {
    for (let i = 0; i < tall; i++) {
      if (transposed) values[v * columns + i] = vectors[v][i];
      else values[i * columns + v] = vectors[v][i];
    }
  }
  return values;
}
