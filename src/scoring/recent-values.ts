import type { AssetSummary, Store, StoredValue } from '../store/store.js';

/** The asset's span and size, as `Store.getAsset` reports them: enough to guess a time window holding n values. */
export type AssetSpan = Pick<AssetSummary, 'firstTs' | 'lastTs' | 'readingCount' | 'metrics'>;

/**
 * The last `count` stored values of one metric of an asset, ts ascending, without reading the whole history.
 *
 * The Store answers time ranges (earliest rows first), not "the last n", so the window is guessed from the asset's
 * average rate (`count` values of each of its metrics, doubled) and widened fourfold until it holds `count` values
 * or reaches the first stored value. For evenly sampled data one query suffices; O(log(span)) queries at worst.
 */
export async function lastValues(
  store: Store,
  asset: string,
  metric: string,
  count: number,
  span: AssetSpan,
): Promise<StoredValue[]> {
  if (count <= 0 || span.firstTs === null || span.lastTs === null) return [];
  const firstTs = span.firstTs;
  const lastTs = span.lastTs;
  const perMetric = span.readingCount / Math.max(1, span.metrics.length);
  const total = lastTs - firstTs;
  let window = perMetric <= count ? total : Math.ceil((total * 2 * count) / perMetric);
  for (;;) {
    const from = lastTs - window;
    const rows = await store.queryReadings(asset, from > firstTs ? { metric, from } : { metric });
    if (rows.length >= count || from <= firstTs) return rows.length > count ? rows.slice(rows.length - count) : rows;
    window = Math.max(1, window) * 4;
  }
}
