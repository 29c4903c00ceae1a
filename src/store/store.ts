import type { Reading, ValueRows } from '../core/reading.js';

export interface AppendResult {
  /** Metric values newly stored. */
  accepted: number;
  /** Metric values already stored under the same (asset, metric, ts): ignored. */
  duplicates: number;
}

export interface Asset {
  id: string;
  attributes: Record<string, string>;
}

export interface AssetSummary extends Asset {
  metrics: string[];
  readingCount: number;
  /** Epoch milliseconds of the first and last stored value, or null when the asset has none. */
  firstTs: number | null;
  lastTs: number | null;
}

export interface ReadingQuery {
  metric?: string;
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Exclusive upper bound, epoch ms. */
  to?: number;
  /** Most rows returned (the earliest ones in the range). */
  limit?: number;
}

export interface StoredValue {
  ts: number;
  metric: string;
  value: number;
}

export interface LatestValue {
  ts: number;
  value: number;
}

export interface AssetListQuery {
  /** Substring of the asset id. */
  search?: string;
  limit?: number;
  offset?: number;
}

/**
 * Where telemetry lives. Appends are idempotent on (asset, metric, ts); once `appendReadings` resolves the data
 * is durable (it survives a crash of the process).
 */
export interface Store {
  readonly kind: 'duckdb' | 'postgres';
  appendReadings(readings: readonly Reading[]): Promise<AppendResult>;
  appendValues(rows: ValueRows): Promise<AppendResult>;
  upsertAssets(assets: readonly Asset[]): Promise<void>;
  listAssets(query?: AssetListQuery): Promise<AssetSummary[]>;
  getAsset(id: string): Promise<AssetSummary | undefined>;
  /** Values of one asset, ts ascending (then metric ascending). */
  queryReadings(asset: string, query?: ReadingQuery): Promise<StoredValue[]>;
  /** The most recent value of every metric of an asset. */
  latestValues(asset: string): Promise<Record<string, LatestValue>>;
  close(): Promise<void>;
}
