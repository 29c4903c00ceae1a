import { ValidationError } from '../../core/errors.js';
import { RollingRank } from '../../math/rolling.js';
import {
  type AnyDetectorJSON,
  checkRange,
  expectState,
  resolveOptions,
  type StreamingDetector,
  type StreamPoint,
  UnivariateDetector,
} from './base.js';
import { Cusum } from './cusum.js';
import { Ewma } from './ewma.js';
import { HoltResidual } from './holt-residual.js';
import { PageHinkley } from './page-hinkley.js';
import { Periodic } from './periodic.js';
import { RollingModifiedZScore } from './rolling-modified-z-score.js';
import { Seasonal } from './seasonal.js';

export interface AnomalyEnsembleOptions {
  /** Component detectors by name; each runs with its default configuration. */
  components: string[];
  /** Points learned before the likelihood is reported (scores are 0 until then). */
  warmup: number;
  /** Past raw scores of each component that its current score is ranked against. */
  rankWindow: number;
  /** The tail beyond the largest score seen is extrapolated through these two quantiles of the history. */
  lowQuantile: number;
  highQuantile: number;
  /** Scores a component must have in its history before its tail is extrapolated beyond the largest one seen. */
  tailHistory: number;
  /**
   * Smallest spread between the two quantiles, in the components' own units (standard deviations): a history whose
   * tail is flat (all zeros, say) does not make a small new score look infinitely rare.
   */
  tailFloor: number;
}

interface AnomalyEnsembleState {
  count: number;
  components: AnyDetectorJSON[];
  histories: number[][];
}

type ComponentClass = {
  readonly className: string;
  new (options?: object): StreamingDetector<StreamPoint, object, unknown>;
  fromJSON(json: AnyDetectorJSON): StreamingDetector<StreamPoint, object, unknown>;
};

const COMPONENTS: Record<string, ComponentClass> = {
  seasonal: Seasonal,
  periodic: Periodic,
  'holt-residual': HoltResidual,
  'rolling-mzscore': RollingModifiedZScore,
  ewma: Ewma,
  cusum: Cusum,
  'page-hinkley': PageHinkley,
};

const DEFAULTS: AnomalyEnsembleOptions = {
  components: ['seasonal', 'periodic', 'ewma'],
  warmup: 300,
  rankWindow: 4000,
  lowQuantile: 0.95,
  highQuantile: 0.995,
  tailHistory: 1000,
  tailFloor: 1,
};

/** Histories shorter than this give no surprise (0 decades). */
const MIN_HISTORY = 50;
/** Decades of rarity at which the output is 0.5 (a tail probability of 10⁻⁵, as on Numenta's log-likelihood scale). */
const HALF_SCALE_DECADES = 5;

/** −log₁₀ of the empirical upper-tail probability (atLeast + 1)/(n + 1) of a score `atLeast` of n history scores reach. */
function empiricalDecades(atLeast: number, n: number): number {
  return -Math.log10((atLeast + 1) / (n + 1));
}

/**
 * Rarity in decades of a score above everything in its history (a new extreme), from an exponential tail fitted
 * through the `low` and `high` quantiles of the history (peaks over threshold: Pickands 1975; Siffer et al. 2017,
 * "Anomaly detection in streams with extreme value theory"):
 * P(S > s) = (1 − high)·((1 − low)/(1 − high))^(−(s − q_high)/spread) with spread = max(q_high − q_low, floor).
 */
function tailDecades(history: RollingRank, score: number, options: AnomalyEnsembleOptions): number {
  const { lowQuantile, highQuantile, tailFloor } = options;
  const high = history.quantile(highQuantile);
  const spread = Math.max(high - history.quantile(lowQuantile), tailFloor);
  const decadesPerSpread = Math.log10((1 - lowQuantile) / (1 - highQuantile));
  return -Math.log10(1 - highQuantile) + ((score - high) / spread) * decadesPerSpread;
}

/**
 * Rarity of a score among a history of scores, in decades: −log₁₀ of its upper-tail probability.
 *
 * Within the range seen, the probability is empirical, (#{h ≥ s} + 1)/(n + 1), so a series' usual extremes are
 * only as rare as they are frequent. Once the history holds `tailHistory` scores (before that a young series has
 * seen too little to call anything far beyond its range), a score above everything seen is also rated by the
 * extrapolated tail (`tailDecades`); the larger of the two ratings wins. O(log bins + values in the score's bin).
 */
function rarityDecades(history: RollingRank, score: number, options: AnomalyEnsembleOptions): number {
  const n = history.count;
  if (n < MIN_HISTORY) return 0;
  const atLeast = history.countAtLeast(score);
  const empirical = empiricalDecades(atLeast, n);
  if (atLeast > 0 || n < options.tailHistory) return empirical;
  return Math.max(empirical, tailDecades(history, score, options));
}

/**
 * The default detector: a calibrated anomaly likelihood in [0, 1] built from complementary detectors.
 *
 * 1. Each component scores the point before learning it: the seasonal profile (time of day and week), the
 *    periodic profile (a cycle found by autocorrelation) and the EWMA z-score (the last few hours). Between them
 *    they cover contextual anomalies (a normal value at the wrong time), broken cycles, values outside the recent
 *    range and sudden level shifts. (The rolling modified z-score may be added by option; by default it is left out:
 *    it cost more than half the time per point and changed no NAB score.)
 * 2. Each raw score is calibrated against that component's own last `rankWindow` scores on this series, as decades
 *    of rarity (see `rarityDecades`): a series' usual extremes stay unremarkable, scores beyond anything seen are
 *    rated by an extrapolated tail. Nothing depends on the series' scale, so one configuration serves every series.
 * 3. The point's rarity is the largest component rarity less log₁₀(K) for K components (a Bonferroni correction:
 *    the most surprised of K detectors is surprised by chance K times as often).
 * 4. The output is D/(D + 5) for D decades of rarity: 0 for an ordinary point, 0.5 at a tail probability of 10⁻⁵,
 *    approaching 1 as the probability vanishes — a monotone, calibrated likelihood scale that never saturates, so
 *    thresholds can tell strong anomalies apart.
 *
 * Cost per step: the components' own (O(1) for the default ones) plus, per component, one push into its
 * calibration window, O(log bins) whatever `rankWindow` is (see `RollingRank`), and a count that reads at most one
 * bin. Memory O(K · (rankWindow + bins)). Reference: the calibration idea of Numenta's anomaly likelihood (Ahmad, Lavin, Purdy &
 * Agha 2017, "Unsupervised real-time anomaly detection for streaming data").
 */
export class AnomalyEnsemble extends UnivariateDetector<AnomalyEnsembleOptions, AnomalyEnsembleState> {
  static override readonly className = 'AnomalyEnsemble';
  private components: Array<StreamingDetector<StreamPoint, object, unknown>>;
  private histories: RollingRank[];
  private count = 0;
  /** The components' raw scores of the point in hand (no allocation per step). */
  private readonly rawScores: Float64Array;
  /** Per component, the count `likelihood` found (exact when it was below the smallest before it). */
  private readonly counts: Int32Array;
  /** log₁₀ K for K components. */
  private readonly bonferroni: number;

  constructor(options: Partial<AnomalyEnsembleOptions> = {}) {
    const resolved = resolveOptions(AnomalyEnsemble.className, DEFAULTS, options);
    const name = AnomalyEnsemble.className;
    if (!Array.isArray(resolved.components) || resolved.components.length === 0) {
      throw new ValidationError(`${name}: option 'components' must be a non-empty list of detector names`);
    }
    for (const component of resolved.components) {
      if (!Object.hasOwn(COMPONENTS, component)) {
        const known = Object.keys(COMPONENTS).join(', ');
        throw new ValidationError(
          `${name}: option 'components' must name detectors among ${known}, got '${component}'`,
        );
      }
    }
    checkRange(name, 'warmup', resolved.warmup, 0, Number.MAX_SAFE_INTEGER, true);
    checkRange(name, 'rankWindow', resolved.rankWindow, MIN_HISTORY, 10_000_000, true);
    checkRange(name, 'lowQuantile', resolved.lowQuantile, 0, 0.999999);
    checkRange(name, 'highQuantile', resolved.highQuantile, resolved.lowQuantile + 1e-9, 0.999999);
    checkRange(name, 'tailHistory', resolved.tailHistory, MIN_HISTORY, 10_000_000, true);
    checkRange(name, 'tailFloor', resolved.tailFloor, Number.MIN_VALUE, Number.MAX_VALUE);
    super({ ...resolved, components: [...resolved.components] });
    this.components = resolved.components.map((component) => new COMPONENTS[component]());
    this.histories = resolved.components.map(() => new RollingRank(resolved.rankWindow));
    this.rawScores = new Float64Array(resolved.components.length);
    this.bonferroni = Math.log10(resolved.components.length);
    this.counts = new Int32Array(resolved.components.length);
  }

  /** Decades of rarity of x (before the Bonferroni correction is applied, per component). */
  componentRarities(x: StreamPoint): number[] {
    const valid = this.validate(x);
    return this.components.map((component, c) =>
      rarityDecades(this.histories[c], component.scoreOne(valid), this.options),
    );
  }

  /**
   * The likelihood of the raw scores in `rawScores` against the histories as they stand: D/(D + 5) for
   * D = max(0, max_c rarityDecades(c) − log₁₀ K).
   *
   * Computed without rating every component: all histories hold the same number n of scores and the empirical rarity
   * falls as the count #{h ≥ s} grows, so the rarest component is the one with the smallest count, and only counts
   * below (n + 1)/K can survive the correction. Each history is asked for its count only below the smallest found
   * so far (`countAtLeastBelow`), so a typical step reads no bin at all. Components with a count of 0 (new extremes)
   * are all rated by the extrapolated tail, as in `rarityDecades`.
   */
  private likelihood(): number {
    const { rawScores, histories } = this;
    const componentCount = rawScores.length;
    const n = histories[0].count;
    if (n < MIN_HISTORY) return 0;
    // A count of at least (n + 1)/K gives a rarity ≤ log₁₀ K, which the correction takes to 0.
    let smallest = Math.ceil((n + 1) / componentCount) + 1;
    let reachedLimit = true;
    const counts = this.counts;
    for (let c = 0; c < componentCount; c++) {
      const atLeast = histories[c].countAtLeastBelow(rawScores[c], Math.max(smallest, 1));
      counts[c] = atLeast;
      if (atLeast < smallest) {
        smallest = atLeast;
        reachedLimit = false;
      }
    }
    if (reachedLimit) return 0;
    let rarest = empiricalDecades(smallest, n);
    if (smallest === 0 && n >= this.options.tailHistory) {
      for (let c = 0; c < componentCount; c++) {
        if (counts[c] === 0) rarest = Math.max(rarest, tailDecades(histories[c], rawScores[c], this.options));
      }
    }
    const decades = Math.max(0, rarest - this.bonferroni);
    return decades / (decades + HALF_SCALE_DECADES);
  }

  protected score(x: StreamPoint): number {
    if (this.count < this.options.warmup) return 0;
    for (let c = 0; c < this.components.length; c++) this.rawScores[c] = this.components[c].scoreOne(x);
    return this.likelihood();
  }

  protected learn(x: StreamPoint): void {
    for (let c = 0; c < this.components.length; c++) this.histories[c].push(this.components[c].scoreThenLearn(x));
    this.count++;
  }

  protected override scoreAndLearn(x: StreamPoint): number {
    const rawScores = this.rawScores;
    for (let c = 0; c < this.components.length; c++) rawScores[c] = this.components[c].scoreThenLearn(x);
    const result = this.count < this.options.warmup ? 0 : this.likelihood();
    for (let c = 0; c < this.components.length; c++) this.histories[c].push(rawScores[c]);
    this.count++;
    return result;
  }

  protected getState(): AnomalyEnsembleState {
    return {
      count: this.count,
      components: this.components.map((component) => component.toJSON()),
      histories: this.histories.map((history) => history.values()),
    };
  }

  protected setState(state: unknown): void {
    const record = expectState(state, AnomalyEnsemble.className, ['count', 'components', 'histories']);
    const { count, components, histories } = record as unknown as AnomalyEnsembleState;
    if (components.length !== this.options.components.length || histories.length !== components.length) {
      throw new ValidationError(
        `${AnomalyEnsemble.className} state: expected ${this.options.components.length} components, got ${components.length}`,
      );
    }
    this.count = count;
    this.components = components.map((json, c) => COMPONENTS[this.options.components[c]].fromJSON(json));
    this.histories = histories.map((values) => {
      const history = new RollingRank(this.options.rankWindow);
      for (const value of values) history.push(value);
      return history;
    });
  }
}
