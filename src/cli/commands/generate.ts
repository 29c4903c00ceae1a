import type { Command } from 'commander';
import { groundTruth, writeRegressionCsv } from '../../io/synthetic.js';
import { action, formatCount, integerOption, printJson, printLine } from '../run.js';
import { numberOption } from './model-data.js';
import { registerCmapssTest } from './rul.js';

export interface GenerateRegressionOptions {
  samples: number;
  features: number;
  informative?: number;
  noise: number;
  bias: number;
  seed: number;
  out: string;
  json?: boolean;
}

/** What `upkeep generate regression` wrote; also the `--json` answer. */
export interface GenerateSummary {
  file: string;
  samples: number;
  features: number;
  informative: number;
  noise: number;
  seed: number;
  /** Ground truth: y = bias + Σ coefficients[name] · name + N(0, noise²). */
  bias: number;
  coefficients: Record<string, number>;
}

export async function generateRegression(options: GenerateRegressionOptions): Promise<GenerateSummary> {
  const informative = options.informative ?? options.features;
  const data = await writeRegressionCsv(options.out, {
    samples: options.samples,
    features: options.features,
    informative,
    noise: options.noise,
    bias: options.bias,
    seed: options.seed,
  });
  const truth = groundTruth(data);
  return {
    file: options.out,
    samples: options.samples,
    features: options.features,
    informative,
    noise: options.noise,
    seed: options.seed,
    bias: truth.bias,
    coefficients: truth.coefficients,
  };
}

/** "y = 13 + 38.768·x + N(0, 10²)" and one line per coefficient for many features. */
export function formatGenerateSummary(summary: GenerateSummary): string[] {
  const terms = Object.entries(summary.coefficients)
    .filter(([, value]) => value !== 0)
    .map(([name, value]) => `${value < 0 ? '−' : '+'} ${Number(Math.abs(value).toPrecision(8))}·${name}`);
  const lines = [
    `wrote ${formatCount(summary.samples)} rows × ${summary.features} feature${summary.features === 1 ? '' : 's'} (+ y) to ${summary.file}`,
    `ground truth: y = ${summary.bias} ${terms.join(' ')} + N(0, ${summary.noise}²)`,
  ];
  if (summary.features > 1) {
    lines.push('coefficients:');
    for (const [name, value] of Object.entries(summary.coefficients)) lines.push(`  ${name} ${value}`);
  }
  return lines;
}

export function registerGenerate(program: Command): Command {
  const generate = program.command('generate').description('write synthetic data with a known ground truth');
  generate
    .command('regression')
    .description('noisy-sensor regression data: y = bias + X·coefficients + Gaussian noise (columns x or x1…xK, y)')
    .requiredOption('--samples <n>', 'rows', integerOption('--samples', 1))
    .requiredOption('--features <k>', 'input columns', integerOption('--features', 1))
    .option('--informative <m>', 'inputs that drive y (default: all)', integerOption('--informative', 0))
    .option('--noise <sigma>', 'standard deviation of the noise', numberOption('--noise', { atLeast: 0 }), 0)
    .option('--bias <b>', 'intercept', numberOption('--bias'), 0)
    .option('--seed <n>', 'random seed', integerOption('--seed', 0, 0xffffffff), 0)
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: GenerateRegressionOptions) => {
        const summary = await generateRegression(options);
        if (options.json) printJson(summary);
        else for (const line of formatGenerateSummary(summary)) printLine(line);
      }),
    );
  registerCmapssTest(generate);
  return generate;
}
