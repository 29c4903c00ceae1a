import { performance } from 'node:perf_hooks';
import { describeValue, NotFoundError, ValidationError } from '../core/errors.js';
import { readNabCsv, readNabWindows, resolveNabDataFile } from '../io/nab.js';
import { DEFAULT_DETECTOR, scoreSeries } from '../models/anomaly/factory.js';

/**
 * Numenta Anomaly Benchmark scoring (Lavin & Ahmad 2015, "Evaluating Real-time Anomaly Detection Algorithms — the
 * Numenta Anomaly Benchmark", and the reference `nab/sweeper.py` of https://github.com/numenta/NAB, v1.1):
 *
 * - each labelled window is worth at most `tpWeight`; only its earliest detection counts, rewarded by the scaled
 *   sigmoid of its position in the window (1 at the left edge, falling towards 0 at the right edge); a window with no
 *   detection costs `fnWeight`;
 * - a detection outside every window costs `fpWeight`, scaled by the sigmoid of its distance past the preceding
 *   window (a detection just after a window costs little, one far after costs nearly the full weight; one before any
 *   window costs the full weight);
 * - the first 15 % of each file (at most 750 rows) is a probation period: nothing in it is scored;
 * - one threshold for the whole corpus is chosen per detector and profile by sweeping every distinct score
 *   (a detection is `score ≥ threshold`; of equal totals the highest threshold wins, as in NAB);
 * - the total is normalised as 100·(raw − null)/(perfect − null), where the null detector detects nothing
 *   (−fnWeight per window) and the perfect one detects every window at its left edge (+tpWeight per window).
 */

/** One application profile's weights (NAB `config/profiles.json`). `tnWeight` is carried for completeness: NAB never uses it. */
export interface NabProfile {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
  tnWeight: number;
}

export const NAB_PROFILES = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1, tnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1, tnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2, tnWeight: 1 },
} as const satisfies Record<string, NabProfile>;

export type NabProfileName = keyof typeof NAB_PROFILES;

export const NAB_PROBATION_FRACTION = 0.15;

/** One scored file, rows in file order: timestamps (epoch ms), anomaly scores, and its labelled windows. */
export interface NabFileInput {
  name: string;
  timestamps: ArrayLike<number>;
  scores: ArrayLike<number>;
  windows: ReadonlyArray<{ start: number; end: number }>;
}

export interface NabCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** The corpus score of one detector under one profile at its best threshold. */
export interface NabProfileResult {
  threshold: number;
  raw: number;
  null: number;
  perfect: number;
  normalised: number;
  /** Row counts at the chosen threshold (rows, not windows, as NAB reports them). */
  counts: NabCounts;
  /** Windows with at least one detection at the chosen threshold, out of `windows`. */
  windowsDetected: number;
  windows: number;
}

/** NAB's scaled sigmoid: 2·σ(−5x) − 1 for a relative position x, and −1 from x = 3 on. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition >= 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

/** Rows in the probation period of a file of `rowCount` rows: min(⌊0.15·n⌋, 0.15·5000). */
export function probationLength(rowCount: number, fraction = NAB_PROBATION_FRACTION): number {
  return Math.min(Math.floor(fraction * rowCount), fraction * 5000);
}

/** Sentinel window ids of a swept row. */
const NO_WINDOW = -1;

/** Scorable rows of the whole corpus: score, the row's weighted reward if detected, and its window id (or NO_WINDOW). */
interface SweptRows {
  scores: Float64Array;
  rewards: Float64Array;
  windowIds: Int32Array;
  windowCount: number;
}

/**
 * Row-index bounds of a window, rows taken in file order: the first row at or after `start`, then every following row
 * up to the last one at or before `end` before a row passes `end` ([−1, −1] when no row falls inside).
 */
function windowBounds(timestamps: ArrayLike<number>, start: number, end: number): [number, number] {
  let first = 0;
  while (first < timestamps.length && timestamps[first] < start) first++;
  if (first === timestamps.length || timestamps[first] > end) return [-1, -1];
  let last = first;
  while (last + 1 < timestamps.length && timestamps[last + 1] <= end) last++;
  return [first, last];
}

function validateFile(file: NabFileInput): void {
  if (file.scores.length !== file.timestamps.length) {
    throw new ValidationError(
      `file ${describeValue(file.name)}: scores has ${file.scores.length} rows but timestamps has ${file.timestamps.length}`,
    );
  }
  for (let i = 0; i < file.scores.length; i++) {
    if (!Number.isFinite(file.scores[i])) {
      throw new ValidationError(
        `file ${describeValue(file.name)} row ${i}: score must be finite, got ${file.scores[i]}`,
      );
    }
  }
}

/**
 * NAB's `calcSweepScore` over every file: each row after probation gets the reward it would earn if detected
 * (in a window: scaledSigmoid(−(right − i + 1)/width)·tpWeight/scaledSigmoid(−1); outside: scaledSigmoid of the
 * distance past the preceding window over its width − 1, or −1 before any window, times fpWeight). O(total rows).
 */
function sweepCorpus(files: readonly NabFileInput[], profile: NabProfile, probationFraction: number): SweptRows {
  const maxTruePositive = scaledSigmoid(-1);
  const scores: number[] = [];
  const rewards: number[] = [];
  const windowIds: number[] = [];
  let windowCount = 0;
  for (const file of files) {
    validateFile(file);
    const rowCount = file.timestamps.length;
    const probation = probationLength(rowCount, probationFraction);
    const bounds = file.windows
      .map((w) => windowBounds(file.timestamps, w.start, w.end))
      .filter(([first]) => first >= 0)
      .sort((a, b) => a[0] - b[0]);
    const ids = bounds.map(([, last]) => (last >= probation ? windowCount++ : NO_WINDOW));
    let next = 0;
    let current = -1;
    let previousRight = -1;
    let previousWidth = 0;
    for (let i = 0; i < rowCount; i++) {
      if (current < 0 && next < bounds.length && i === bounds[next][0]) current = next++;
      let reward: number;
      if (current >= 0) {
        const [left, right] = bounds[current];
        const width = right - left + 1;
        reward = (scaledSigmoid(-(right - i + 1) / width) * profile.tpWeight) / maxTruePositive;
      } else {
        const position =
          previousRight < 0 || previousWidth <= 1 ? 3 : Math.abs(previousRight - i) / (previousWidth - 1);
        reward = scaledSigmoid(position) * profile.fpWeight;
      }
      if (i >= probation) {
        scores.push(file.scores[i]);
        rewards.push(reward);
        windowIds.push(current >= 0 ? ids[current] : NO_WINDOW);
      }
      if (current >= 0 && i === bounds[current][1]) {
        previousRight = i;
        previousWidth = bounds[current][1] - bounds[current][0] + 1;
        current = -1;
      }
    }
  }
  return {
    scores: Float64Array.from(scores),
    rewards: Float64Array.from(rewards),
    windowIds: Int32Array.from(windowIds),
    windowCount,
  };
}

/** The corpus total at one threshold (score ≥ threshold is a detection), with counts. O(total rows). */
function totalAtThreshold(rows: SweptRows, profile: NabProfile, threshold: number) {
  const best = new Float64Array(rows.windowCount).fill(-profile.fnWeight);
  const counts: NabCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let falsePositiveSum = 0;
  for (let i = 0; i < rows.scores.length; i++) {
    const windowId = rows.windowIds[i];
    const detected = rows.scores[i] >= threshold;
    if (windowId === NO_WINDOW) {
      if (detected) {
        counts.fp++;
        falsePositiveSum += rows.rewards[i];
      } else counts.tn++;
    } else if (detected) {
      counts.tp++;
      if (rows.rewards[i] > best[windowId]) best[windowId] = rows.rewards[i];
    } else counts.fn++;
  }
  let total = falsePositiveSum;
  let windowsDetected = 0;
  for (let w = 0; w < rows.windowCount; w++) {
    total += best[w];
    if (best[w] !== -profile.fnWeight) windowsDetected++;
  }
  return { total, counts, windowsDetected };
}

/**
 * NAB's threshold sweep (`calcScoreByThreshold` + the optimizer): rows sorted by score descending, each distinct
 * score tried as the threshold, the first best total kept. O(N log N) for N scorable rows.
 */
function bestThreshold(rows: SweptRows, profile: NabProfile): number {
  const order = Array.from(rows.scores.keys()).sort((a, b) => rows.scores[b] - rows.scores[a]);
  const windowBest = new Float64Array(rows.windowCount).fill(-profile.fnWeight);
  let total = -profile.fnWeight * rows.windowCount;
  let bestTotal = total;
  let bestAt = Number.POSITIVE_INFINITY;
  for (let k = 0; k < order.length; k++) {
    const row = order[k];
    const windowId = rows.windowIds[row];
    if (windowId === NO_WINDOW) total += rows.rewards[row];
    else if (rows.rewards[row] > windowBest[windowId]) {
      total += rows.rewards[row] - windowBest[windowId];
      windowBest[windowId] = rows.rewards[row];
    }
    const threshold = rows.scores[row];
    const lastOfTies = k + 1 === order.length || rows.scores[order[k + 1]] !== threshold;
    if (lastOfTies && total > bestTotal) {
      bestTotal = total;
      bestAt = threshold;
    }
  }
  return bestAt;
}

function normalise(raw: number, nullScore: number, perfect: number): number {
  return perfect === nullScore ? 0 : (100 * (raw - nullScore)) / (perfect - nullScore);
}

export interface NabEvaluationOptions {
  profiles?: readonly NabProfileName[];
  probationFraction?: number;
  /** Score at this threshold instead of optimising it (same threshold for every profile). */
  threshold?: number;
}

/**
 * Scores a detector's output over a corpus under each profile, optimising one corpus-wide threshold per profile
 * (unless `threshold` is given). O(P · N log N) for P profiles and N rows.
 */
export function evaluateNab(
  files: readonly NabFileInput[],
  options: NabEvaluationOptions = {},
): Record<NabProfileName, NabProfileResult> {
  const profileNames = options.profiles ?? (Object.keys(NAB_PROFILES) as NabProfileName[]);
  const probationFraction = options.probationFraction ?? NAB_PROBATION_FRACTION;
  const results = {} as Record<NabProfileName, NabProfileResult>;
  for (const name of profileNames) {
    const profile = NAB_PROFILES[name];
    const rows = sweepCorpus(files, profile, probationFraction);
    const threshold = options.threshold ?? bestThreshold(rows, profile);
    const { total, counts, windowsDetected } = totalAtThreshold(rows, profile, threshold);
    const nullScore = -profile.fnWeight * rows.windowCount;
    const perfect = profile.tpWeight * rows.windowCount;
    results[name] = {
      threshold,
      raw: total,
      null: nullScore,
      perfect,
      normalised: normalise(total, nullScore, perfect),
      counts,
      windowsDetected,
      windows: rows.windowCount,
    };
  }
  return results;
}

/** What `evaluateDetectorOnNab` measured: the profile results plus the size of the corpus and the detector's speed. */
export interface NabRun {
  detector: string;
  files: number;
  rows: number;
  windows: number;
  /** Wall-clock microseconds per point spent in the detector (reading and scoring the benchmark excluded). */
  microsecondsPerPoint: number;
  profiles: Record<NabProfileName, NabProfileResult>;
}

export interface NabRunOptions {
  /** Folder holding the files named in the labels (or the NAB root, whose `data/` holds them). */
  dataDir: string;
  /** Path of `combined_windows.json`. */
  labels: string;
  /** Detector name (see `detectorNames()`); default the ensemble. */
  detector?: string;
  /** Monotonic milliseconds, injected by tests; default `performance.now`. */
  now?: () => number;
}

/**
 * Runs one detector over every file the labels name (fresh detector per file, each point scored before it is
 * learned) and scores the result with `evaluateNab`. A labelled file missing from `dataDir` is a NotFoundError.
 */
export async function evaluateDetectorOnNab(options: NabRunOptions): Promise<NabRun> {
  const detector = options.detector ?? DEFAULT_DETECTOR;
  const now = options.now ?? (() => performance.now());
  const windows = await readNabWindows(options.labels);
  const names = Object.keys(windows).sort();
  if (names.length === 0) throw new ValidationError(`${options.labels}: no files are labelled`);
  const series = await Promise.all(
    names.map(async (name) => {
      const path = resolveNabDataFile(options.dataDir, name);
      if (!path)
        throw new NotFoundError(
          `labelled file ${describeValue(name)} not found under ${describeValue(options.dataDir)}`,
        );
      return readNabCsv(path);
    }),
  );
  let rows = 0;
  let elapsed = 0;
  const files: NabFileInput[] = names.map((name, index) => {
    const { timestamps, values } = series[index];
    const started = now();
    const scores = scoreSeries(detector, timestamps, values);
    elapsed += now() - started;
    rows += values.length;
    return { name, timestamps, scores, windows: windows[name] };
  });
  const profiles = evaluateNab(files);
  return {
    detector,
    files: files.length,
    rows,
    windows: profiles.standard.windows,
    microsecondsPerPoint: rows === 0 ? 0 : (elapsed * 1000) / rows,
    profiles,
  };
}
