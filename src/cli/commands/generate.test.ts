import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRegression } from '../../io/synthetic.js';
import { formatGenerateSummary, generateRegression } from './generate.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'upkeep-generate-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('generate regression', () => {
  it('writes the file and returns the generator’s ground truth', async () => {
    const out = join(directory, 'd.csv');
    const summary = await generateRegression({ samples: 5, features: 2, noise: 0.5, bias: 13, seed: 42, out });
    const reference = makeRegression({ samples: 5, features: 2, noise: 0.5, bias: 13, seed: 42 });
    expect(summary).toEqual({
      file: out,
      samples: 5,
      features: 2,
      informative: 2,
      noise: 0.5,
      seed: 42,
      bias: 13,
      coefficients: { x1: reference.coefficients[0], x2: reference.coefficients[1] },
    });
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('x1,x2,y');
    expect(lines).toHaveLength(6);
    expect(Number(lines[1]?.split(',')[2])).toBe(reference.y[0]);
  });

  it('prints the equation, leaving out uninformative inputs', () => {
    const lines = formatGenerateSummary({
      file: 'd.csv',
      samples: 1000,
      features: 3,
      informative: 2,
      noise: 10,
      seed: 1,
      bias: 13,
      coefficients: { x1: 41.5, x2: 0, x3: -2.25 },
    });
    expect(lines).toEqual([
      'wrote 1,000 rows × 3 features (+ y) to d.csv',
      'ground truth: y = 13 + 41.5·x1 − 2.25·x3 + N(0, 10²)',
      'coefficients:',
      '  x1 41.5',
      '  x2 0',
      '  x3 -2.25',
    ]);
  });
});
