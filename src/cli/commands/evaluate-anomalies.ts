import type { Command } from 'commander';
import { evaluateDetectorOnNab, type NabRun } from '../../evaluate/nab.js';
import { DEFAULT_DETECTOR, detectorNames } from '../../models/anomaly/factory.js';
import { action, formatCount, printJson, printLine } from '../run.js';

export interface EvaluateAnomaliesOptions {
  dataDir: string;
  labels: string;
  detector: string;
  json?: boolean;
}

/** The `--json` answer: the run with non-finite thresholds (nothing detected is best) written as null. */
export function runToJson(run: NabRun): object {
  return JSON.parse(JSON.stringify(run, (_key, value) => (value === Number.POSITIVE_INFINITY ? null : value)));
}

/** One line per profile for people. */
export function formatRun(run: NabRun): string[] {
  const lines = [
    `${run.detector} on ${formatCount(run.files)} files (${formatCount(run.rows)} rows, ${run.windows} windows), ` +
      `${run.microsecondsPerPoint.toFixed(2)} µs/point`,
  ];
  for (const [profile, result] of Object.entries(run.profiles)) {
    lines.push(
      `  ${profile.padEnd(19)} ${result.normalised.toFixed(1).padStart(6)}  ` +
        `(raw ${result.raw.toFixed(3)}, threshold ${result.threshold.toPrecision(4)}, ` +
        `${result.windowsDetected}/${result.windows} windows, ${formatCount(result.counts.fp)} false-positive rows)`,
    );
  }
  return lines;
}

export function registerEvaluateAnomalies(program: Command): Command {
  return program
    .command('evaluate-anomalies')
    .description('score a streaming detector on NAB-style labelled series (standard, low-FP and low-FN profiles)')
    .requiredOption('--data-dir <dir>', 'folder with the labelled CSV files (or the NAB root holding data/)')
    .requiredOption('--labels <file>', 'combined_windows.json: file → anomaly windows')
    .option('--detector <name>', `streaming detector (${detectorNames().join(', ')})`, DEFAULT_DETECTOR)
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: EvaluateAnomaliesOptions) => {
        const run = await evaluateDetectorOnNab({
          dataDir: options.dataDir,
          labels: options.labels,
          detector: options.detector,
        });
        if (options.json) printJson(runToJson(run));
        else for (const line of formatRun(run)) printLine(line);
      }),
    );
}
