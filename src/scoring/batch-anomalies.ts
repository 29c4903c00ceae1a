import type { Columns } from '../io/analyse/columns.js';
import { BatchModifiedZScore } from '../models/anomaly/modified-z-score.js';

/** Which readings of a batch are anomalous: `anomalous[r]` is 1 when any metric of reading r scores above the threshold. */
export interface BatchAnomalies {
  anomalous: Uint8Array;
  /** Readings with at least one anomalous metric. */
  count: number;
}

/**
 * Scores every metric column of the batch with the modified z-score (into each column's `scores`) and flags the
 * readings with a metric above `threshold`. One scratch buffer serves every column. O(metric values) expected.
 */
export function scoreBatch(columns: Columns, threshold: number): BatchAnomalies {
  const detector = new BatchModifiedZScore({ threshold });
  let longest = 0;
  for (const column of columns.list) longest = Math.max(longest, column.count);
  const scratch = new Float64Array(longest);
  for (const column of columns.list) {
    column.scores = detector.scoreColumn(column.values, { length: column.count, scratch }).scores;
  }
  const { slotStart, slotColumn, slotPosition, readingCount } = columns;
  let count = 0;
  const anomalous = new Uint8Array(readingCount);
  for (let reading = 0; reading < readingCount; reading++) {
    for (let slot = slotStart[reading]; slot < slotStart[reading + 1]; slot++) {
      if (columns.list[slotColumn[slot]].scores[slotPosition[slot]] > threshold) {
        anomalous[reading] = 1;
        count++;
        break;
      }
    }
  }
  return { anomalous, count };
}
