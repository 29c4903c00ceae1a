/**
 * The saved state of one streaming detector: which series it scores, its JSON (`toJSON()` of the detector, so any
 * registered detector class can be rebuilt), the last value it learned and its score there.
 */
export interface DetectorStateRecord {
  asset: string;
  metric: string;
  /** `JSON.stringify(detector.toJSON())`. */
  detector: string;
  /** Epoch ms of the last value the detector learned. */
  lastTs: number;
  /** The detector's score of that value. */
  score: number;
  /** Epoch ms when the state was saved. */
  savedAt: number;
}

/**
 * Detector states beside the readings, one per (asset, metric), so a restarted server resumes scoring where it
 * stopped instead of warming its detectors up again. Once `save` resolves the states are durable.
 */
export interface DetectorStateStore {
  /** Inserts or replaces the states of these (asset, metric) pairs, in one transaction. */
  save(records: readonly DetectorStateRecord[]): Promise<void>;
  /** The saved states, most recently saved first, at most `limit` of them. */
  load(limit?: number): Promise<DetectorStateRecord[]>;
  /** Removes every saved state. */
  clear(): Promise<void>;
}
