import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { describeValue, UpkeepError } from '../../core/errors.js';
import { readNabCsv } from '../../io/nab.js';
import { DEFAULT_DETECTOR, detectorNames, scoreSeries } from '../../models/anomaly/factory.js';
import { action, formatCount, printJson, printLine } from '../run.js';

export interface DetectOptions {
  data: string;
  detector: string;
  out?: string;
  json?: boolean;
}

/** What `detect` did; the `--json` answer (with the scores themselves when no --out file was given). */
export interface DetectSummary {
  data: string;
  detector: string;
  rows: number;
  out: string | null;
  /** Rows scoring 0.5 or more. */
  flagged: number;
  maxScore: number;
  scores?: number[];
}

/**
 * Maps a detector's raw score onto [0, 1]. The default ensemble already reports a likelihood there; the others
 * report z-like scores s ≥ 0, shown as s/(1 + s), which keeps their order (and so any threshold sweep) unchanged.
 */
export function unitScore(detector: string, raw: number): number {
  return detector === DEFAULT_DETECTOR ? raw : raw / (1 + raw);
}

/** Scores every row of a `timestamp,value` CSV, each before it is learned; returns the CSV text and a summary. */
export async function detectFile(options: DetectOptions): Promise<{ csv: string; summary: DetectSummary }> {
  const series = await readNabCsv(options.data);
  const raw = scoreSeries(options.detector, series.timestamps, series.values);
  const lines = ['timestamp,value,anomaly_score'];
  const scores: number[] = new Array(raw.length);
  let flagged = 0;
  let maxScore = 0;
  for (let i = 0; i < raw.length; i++) {
    const score = unitScore(options.detector, raw[i]);
    scores[i] = score;
    if (score >= 0.5) flagged++;
    if (score > maxScore) maxScore = score;
    lines.push(`${series.timestampText[i]},${series.values[i]},${score}`);
  }
  const summary: DetectSummary = {
    data: options.data,
    detector: options.detector,
    rows: raw.length,
    out: options.out ?? null,
    flagged,
    maxScore,
  };
  return { csv: `${lines.join('\n')}\n`, summary: options.out ? summary : { ...summary, scores } };
}

export function registerDetect(program: Command): Command {
  return program
    .command('detect')
    .description('score each row of a timestamp,value CSV for anomalies (NAB-style timestamp,value,anomaly_score)')
    .requiredOption('--data <file>', 'CSV with timestamp and value columns')
    .option('--detector <name>', `streaming detector (${detectorNames().join(', ')})`, DEFAULT_DETECTOR)
    .option('--out <file>', 'write the scored CSV here (default: standard output)')
    .option('--json', 'print one JSON summary object (with the scores when there is no --out)')
    .action(
      action(async (options: DetectOptions) => {
        const { csv, summary } = await detectFile(options);
        if (options.out) {
          try {
            await writeFile(options.out, csv);
          } catch (error) {
            throw new UpkeepError(`cannot write ${describeValue(options.out)}: ${(error as Error).message}`);
          }
        }
        if (options.json) {
          printJson(summary);
        } else if (options.out) {
          printLine(
            `scored ${formatCount(summary.rows)} rows with ${summary.detector} → ${options.out} ` +
              `(${formatCount(summary.flagged)} at 0.5 or above, max ${summary.maxScore.toFixed(3)})`,
          );
        } else {
          process.stdout.write(csv);
        }
      }),
    );
}
