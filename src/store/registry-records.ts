/**
 * Engine-neutral pieces of the model registries: the decoding of a stored model version, the summary of a newly
 * saved one and the error for an unknown id. The DuckDB and PostgreSQL registries both call these.
 */
import { describeValue, NotFoundError } from '../core/errors.js';
import {
  type ModelVersion,
  type ModelVersionSummary,
  modelVersionId,
  type NewModelVersion,
  type StoredJsonObject,
} from './registry.js';

/** A stored version's summary columns as the engines read them back: JSON decoded, times as epoch ms. */
export interface SummaryRow {
  name: string;
  version: number;
  kind: string;
  task: string;
  metrics: Record<string, number>;
  created_at: number;
  active: boolean;
}

export interface FullRow extends SummaryRow {
  card: StoredJsonObject;
  model: StoredJsonObject;
}

export function summaryOf(row: SummaryRow): ModelVersionSummary {
  return {
    id: modelVersionId(row.name, row.version),
    name: row.name,
    version: row.version,
    kind: row.kind,
    task: row.task,
    metrics: row.metrics,
    createdAt: row.created_at,
    active: row.active,
  };
}

export function versionOf(row: FullRow): ModelVersion {
  return { ...summaryOf(row), card: row.card, model: row.model };
}

/**
 * The summary of `input` saved as `version`: its metrics read back from the JSON text stored (`metrics`), its
 * creation time as stored (whole ms).
 */
export function savedSummary(
  input: NewModelVersion,
  version: number,
  metrics: string,
  createdAt: number,
  active: boolean,
): ModelVersionSummary {
  return summaryOf({
    name: input.name,
    version,
    kind: input.kind,
    task: input.task,
    metrics: JSON.parse(metrics) as Record<string, number>,
    created_at: createdAt,
    active,
  });
}

export function unknownVersion(id: string): NotFoundError {
  return new NotFoundError(`unknown model ${describeValue(id)}`, [{ path: 'id', message: 'no such model version' }]);
}
