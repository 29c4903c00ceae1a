import { ASSET_ID_FIELDS, TIME_FIELDS } from '../../core/reading.js';

/** Fields that name the asset or the time: echoed, never scored. */
export const NOT_METRICS = new Set<string>([...ASSET_ID_FIELDS, ...TIME_FIELDS]);

/** Fields each result adds to its reading. */
export const RESULT_FIELDS = ['is_anomaly', 'anomaly_scores', 'anomalous_metrics'] as const;
export const RESULT_FIELD_SET = new Set<string>(RESULT_FIELDS);

export function carriesResultField(reading: Record<string, unknown>): boolean {
  return RESULT_FIELDS[0] in reading || RESULT_FIELDS[1] in reading || RESULT_FIELDS[2] in reading;
}
