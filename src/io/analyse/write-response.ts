import { ByteWriter } from './byte-writer.js';
import type { MetricColumn } from './columns.js';
import { carriesResultField, RESULT_FIELDS } from './fields.js';
import { COMMA } from './json-bytes.js';
import type { Batch } from './read-batch.js';

const ascii = (text: string) => Buffer.from(text, 'latin1');
const ANOMALOUS_METRICS = ascii('},"anomalous_metrics":[');
const RESULT_END = ascii(']}');
/** Room for one result besides its echoed reading and its metrics. */
const RESULT_OVERHEAD = 96;
/** Room for one metric of a result besides its name (written three times at most): score and separators. */
const METRIC_OVERHEAD = 40;

/** The constant pieces of the results, per metric column, so a result is a handful of copies and its digits. */
interface ResultPieces {
  /** `,"is_anomaly":true,"anomaly_scores":{"<metric>":` — a result's opening after its echo, by first metric. */
  openingAnomalous: Uint8Array[];
  /** The same with `false`. */
  openingNormal: Uint8Array[];
  /** `,"<metric>":` — any later score. */
  nextKey: Uint8Array[];
  /** `"<metric>"` — the first flagged metric. */
  name: Uint8Array[];
  /** `,"<metric>"` — later flagged metrics. */
  nextName: Uint8Array[];
  /** Length of the longest piece. */
  longest: number;
}

function resultPieces(columns: readonly MetricColumn[]): ResultPieces {
  const pieces: ResultPieces = {
    openingAnomalous: [],
    openingNormal: [],
    nextKey: [],
    name: [],
    nextName: [],
    longest: 0,
  };
  for (const column of columns) {
    const name = JSON.stringify(column.name);
    pieces.openingAnomalous.push(Buffer.from(`,"is_anomaly":true,"anomaly_scores":{${name}:`));
    pieces.openingNormal.push(Buffer.from(`,"is_anomaly":false,"anomaly_scores":{${name}:`));
    pieces.nextKey.push(Buffer.from(`,${name}:`));
    pieces.name.push(Buffer.from(name));
    pieces.nextName.push(Buffer.from(`,${name}`));
    pieces.longest = Math.max(pieces.longest, (pieces.openingNormal.at(-1) as Uint8Array).length);
  }
  return pieces;
}

/**
 * The AnalyseResponse JSON for a scored batch (each column's `scores` filled, `anomalous[r]` = 1 for the
 * `anomalies` readings with a metric above `threshold`). Results echo each reading — its own bytes from the request
 * body, copied, so nothing is re-serialised — then add the scores, written digit by digit. O(body bytes + metric
 * values).
 */
export function writeAnalyseResponse(
  body: Uint8Array,
  batch: Batch,
  anomalous: Uint8Array,
  anomalies: number,
  threshold: number,
): Uint8Array<ArrayBuffer> {
  const { columns, spans, readings } = batch;
  const pieces = resultPieces(columns.list);
  const { slotStart, slotColumn, slotPosition, readingCount } = columns;
  const out = new ByteWriter(2 * body.length + readingCount * RESULT_OVERHEAD);
  out.text(`{"total_readings":${readingCount},"anomalies_detected":${anomalies},"results":[`);
  for (let reading = 0; reading < readingCount; reading++) {
    const firstSlot = slotStart[reading];
    const endSlot = slotStart[reading + 1];
    // The reading without its closing brace: a reading always has fields (an id at least), so a comma follows.
    const parsed = readings?.[reading] as Record<string, unknown> | undefined;
    if (spans !== undefined && (parsed === undefined || !carriesResultField(parsed))) {
      out.reserve(spans[2 * reading + 1] - spans[2 * reading] + 1);
      if (reading > 0) out.byte(COMMA);
      out.copy(body, spans[2 * reading], spans[2 * reading + 1]);
    } else {
      const echo: Record<string, unknown> = { ...parsed };
      for (const field of RESULT_FIELDS) delete echo[field];
      out.text(`${reading > 0 ? ',' : ''}${JSON.stringify(echo).slice(0, -1)}`);
    }
    out.reserve(RESULT_OVERHEAD + (endSlot - firstSlot) * (3 * pieces.longest + METRIC_OVERHEAD));
    const opening = anomalous[reading] === 1 ? pieces.openingAnomalous : pieces.openingNormal;
    for (let slot = firstSlot; slot < endSlot; slot++) {
      const column = slotColumn[slot];
      out.constant(slot === firstSlot ? opening[column] : pieces.nextKey[column]);
      out.score(columns.list[column].scores[slotPosition[slot]]);
    }
    out.constant(ANOMALOUS_METRICS);
    if (anomalous[reading] === 1) {
      let flagged = 0;
      for (let slot = firstSlot; slot < endSlot; slot++) {
        const column = slotColumn[slot];
        if (columns.list[column].scores[slotPosition[slot]] > threshold) {
          out.constant(flagged++ === 0 ? pieces.name[column] : pieces.nextName[column]);
        }
      }
    }
    out.constant(RESULT_END);
  }
  out.text(']}');
  return out.finish();
}
