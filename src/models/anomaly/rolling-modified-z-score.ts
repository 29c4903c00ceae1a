import { RingBuffer, RollingMedianMad } from '../../math/rolling.js';
import { checkRange, expectState, resolveOptions, type StreamPoint, UnivariateDetector } from './base.js';

export interface RollingModifiedZScoreOptions {
  /** Points kept in the window the median and MAD are taken over. */
  windowSize: number;
  /** Points needed before scoring; earlier points score 0. */
  minCount: number;
  /**
   * Score the mean of the last `average` points (the current one included) against the window of past means,
   * instead of the point itself: with `average` > 1 the detector sees shifts in level or in the density of spikes
   * that single points do not reveal.
   */
  average: number;
}

interface RollingModifiedZScoreState {
  window: number[];
  recent: number[];
  recentSum: number;
}

const DEFAULTS: RollingModifiedZScoreOptions = { windowSize: 1000, minCount: 20, average: 1 };

/** 0.6745 ≈ Φ⁻¹(0.75) makes the MAD a consistent estimator of σ for normal data. */
const NORMAL_MAD_FACTOR = 0.6745;

/**
 * Modified z-score of each point against the median and MAD of the last `windowSize` points (Iglewicz & Hoaglin
 * 1993): 0.6745·|x − median| / MAD. The window is kept sorted in short blocks, so a step costs O(log w + B) and
 * the MAD a few probes resumed from the previous step's search (see `RollingMedianMad`). When more than half the window is one value the MAD is 0; the scale then
 * falls back to 10⁻⁹·max(|median|, 1), so a departure from a flat line scores very high but finite.
 *
 * @example
 * const detector = new RollingModifiedZScore({ windowSize: 5, minCount: 3 });
 * for (const value of [10, 11, 9, 10, 12]) detector.learnOne({ ts: 0, value });
 * detector.scoreOne({ ts: 0, value: 14 }); // median 10, MAD 1 → 0.6745·4/1 = 2.698
 */
export class RollingModifiedZScore extends UnivariateDetector<
  RollingModifiedZScoreOptions,
  RollingModifiedZScoreState
> {
  static override readonly className = 'RollingModifiedZScore';
  private rolling: RollingMedianMad;
  private recent: RingBuffer;
  private recentSum = 0;

  constructor(options: Partial<RollingModifiedZScoreOptions> = {}) {
    const resolved = resolveOptions(RollingModifiedZScore.className, DEFAULTS, options);
    checkRange(RollingModifiedZScore.className, 'windowSize', resolved.windowSize, 1, 10_000_000, true);
    checkRange(RollingModifiedZScore.className, 'minCount', resolved.minCount, 1, resolved.windowSize, true);
    checkRange(RollingModifiedZScore.className, 'average', resolved.average, 1, resolved.windowSize, true);
    super(resolved);
    this.rolling = new RollingMedianMad(resolved.windowSize);
    this.recent = new RingBuffer(resolved.average);
  }

  /** The value the window holds for x: x itself, or the mean of the last `average` points ending at x. */
  private smoothed(value: number): number {
    if (this.options.average === 1) return value;
    const filled = this.recent.length;
    const leaving = filled === this.options.average ? this.recent.get(0) : 0;
    return (this.recentSum - leaving + value) / Math.min(filled + 1, this.options.average);
  }

  protected learn(x: StreamPoint): void {
    const smoothed = this.smoothed(x.value);
    if (this.options.average > 1) {
      const leaving = this.recent.push(x.value);
      this.recentSum += x.value - (leaving ?? 0);
    }
    this.rolling.push(smoothed);
  }

  protected score(x: StreamPoint): number {
    if (this.rolling.count < this.options.minCount) return 0;
    const median = this.rolling.median();
    const deviation = Math.abs(this.smoothed(x.value) - median);
    if (deviation === 0) return 0;
    const mad = this.rolling.madAbout(median);
    const scale = mad > 0 ? mad : 1e-9 * Math.max(Math.abs(median), 1);
    return (NORMAL_MAD_FACTOR * deviation) / scale;
  }

  protected getState(): RollingModifiedZScoreState {
    return { window: this.rolling.values(), recent: this.recent.toArray(), recentSum: this.recentSum };
  }

  protected setState(state: unknown): void {
    const keys = ['window', 'recent', 'recentSum'];
    const record = expectState(state, RollingModifiedZScore.className, keys) as unknown as RollingModifiedZScoreState;
    this.rolling = new RollingMedianMad(this.options.windowSize);
    for (const value of record.window) this.rolling.push(value);
    this.recent = new RingBuffer(this.options.average);
    for (const value of record.recent) this.recent.push(value);
    this.recentSum = record.recentSum;
  }
}
